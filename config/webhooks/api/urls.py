from django.urls import path

from config.webhooks.api import views

urlpatterns = [
    path("webhooks", views.WebhookListView.as_view(), name="api-list"),
    path("webhooks/<uuid:webhook_id>", views.WebhookDetailView.as_view(), name="api-detail"),
    path("webhooks/<uuid:webhook_id>/deliveries", views.WebhookDeliveryListView.as_view(), name="api-deliveries"),
    path("webhooks/<uuid:webhook_id>/deliveries/<uuid:delivery_id>/resend", views.WebhookDeliveryResendView.as_view(),
         name="api-resend"),
    path("webhooks/<uuid:webhook_id>/test", views.WebhookTestView.as_view(), name="api-test"),
]
