"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import gc
import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)


class SyncStackASGIHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain and the view entered in one thread hop.

    Every view and most middleware of this project are synchronous. Django's own handler builds
    an asynchronous chain and adapts each synchronous layer, so a request went from the event
    loop into a thread for the middleware, back to the loop, and into a thread again for the
    view. This builds the synchronous chain (as under WSGI) and enters it once. Django still
    wraps each request in its own ``ThreadSensitiveContext``, so a slow request (a large upload,
    a wait on the worker) holds only its own thread. Measured in docs/performance.md.
    """

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


django_asgi_app = SyncStackASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.api.websocket import BrowserOriginValidator, WebSocketAuthStack  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": BrowserOriginValidator(WebSocketAuthStack(URLRouter(websocket_urlpatterns))),
    }
)

# Everything imported so far lives as long as the process; the collector need not walk it again.
gc.freeze()
