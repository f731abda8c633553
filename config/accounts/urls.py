from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from config.accounts import views
from config.accounts.forms import SignInForm
from config.security import throttle_posts

# Sign-in, sign-up and password reset share the API's "auth" limit (RATE_LIMITS), counted per address
# and, where a login name is posted, per login name too.
login_view = throttle_posts("auth", name="login", per_field="username")(auth_views.LoginView.as_view(
    template_name="accounts/login.html", authentication_form=SignInForm, redirect_authenticated_user=True))

app_name = "accounts"
urlpatterns = [
    path("signup/", throttle_posts("auth", name="signup")(views.signup), name="signup"),
    path("login/", login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:key_id>/revoke", views.api_key_revoke, name="api_key_revoke"),
    path("api-keys/<int:key_id>/regenerate", views.api_key_regenerate, name="api_key_regenerate"),
    path("password-reset/", throttle_posts("auth", name="password_reset", per_field="email")(
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html", email_template_name="accounts/password_reset_email.txt",
            success_url=reverse_lazy("accounts:password_reset_done"))), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", throttle_posts("auth", name="password_reset_confirm")(
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"))), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
]
