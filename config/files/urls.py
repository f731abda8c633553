from django.urls import path

from config.files import views

app_name = "files"
urlpatterns = [
    path("media/s/<str:token>", views.media, name="media"),
    path("uploads/put/<str:token>", views.upload, name="upload"),
]
