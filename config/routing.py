"""WebSocket routes of every app."""

from django.urls import path

from config.jobs.consumers import JobEventsConsumer, UserEventsConsumer
from personas.consumers import PersonaUpdatesConsumer

websocket_urlpatterns = [
    path("ws/jobs/<uuid:job_id>", JobEventsConsumer.as_asgi()),
    # Seed 001's path for the same stream.
    path("ws/processing/<uuid:job_id>", JobEventsConsumer.as_asgi()),
    path("ws/user", UserEventsConsumer.as_asgi()),
    path("api/v1/ws/updates", PersonaUpdatesConsumer.as_asgi()),
]
