from django.urls import path

from config.accounts.api import views

urlpatterns = [
    path("register", views.RegisterView.as_view(), name="auth-register"),
    path("login", views.LoginView.as_view(), name="auth-login"),
    path("refresh", views.RefreshView.as_view(), name="auth-refresh"),
    path("me", views.MeView.as_view(), name="auth-me"),
    path("api-keys", views.APIKeyListView.as_view(), name="auth-api-keys"),
    path("api-keys/<int:key_id>", views.APIKeyDetailView.as_view(), name="auth-api-key"),
]
