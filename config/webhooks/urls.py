"""Routes of webhooks: the REST API under ``/api/v1/`` and the page beside the API keys page.

``config/urls.py`` includes this module once, at the root.
"""

from django.urls import include, path

from config.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("api/v1/", include("config.webhooks.api.urls")),
    path("accounts/webhooks/", views.endpoints, name="endpoints"),
    path("accounts/webhooks/<uuid:webhook_id>/", views.detail, name="detail"),
    path("accounts/webhooks/<uuid:webhook_id>/test", views.send_test, name="test"),
    path("accounts/webhooks/<uuid:webhook_id>/delete", views.delete, name="delete"),
    path("accounts/webhooks/<uuid:webhook_id>/deliveries/<uuid:delivery_id>/resend", views.resend, name="resend"),
]
