"""Designs pages. The full-window preview lives at ``/preview/<spec_id>`` (config/urls.py), where the API points."""

from django.urls import path

from designs import views

app_name = "designs"
urlpatterns = [
    path("", views.design_list, name="list"),
    path("<uuid:spec_id>/", views.detail, name="detail"),
    path("<uuid:spec_id>/follow-up", views.follow_up, name="follow_up"),
    path("<uuid:spec_id>/versions/<str:label>.json", views.version_json, name="version_json"),
    path("<uuid:spec_id>/versions/<str:label>.glb", views.version_glb, name="version_glb"),
]
