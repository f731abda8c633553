"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import gc
import os
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)


class SyncStackASGIHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain and the view entered in one thread hop.

    Every view and most middleware of this project are synchronous. Django's own handler builds
    an asynchronous chain and adapts each synchronous layer, so a request went from the event
    loop into a thread for the middleware, back to the loop, and into a thread again for the
    view. This builds the synchronous chain (as under WSGI) and enters it once.

    Each request still runs in a thread of its own, so a slow request (a large upload, a wait on
    the worker) holds only that thread. Django's handler starts that thread for the request and
    a second one to join it afterwards; here the request borrows an idle thread from
    ``RequestThreads`` instead. Measured in docs/performance.md.
    """

    def __init__(self) -> None:
        super().__init__()
        self.threads = RequestThreads()

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def __call__(self, scope, receive, send) -> None:
        executor = self.threads.borrow()
        try:
            # The outermost context decides the thread; Django's own, inside, then changes nothing.
            async with ThreadSensitiveContext(executor=executor):
                await super().__call__(scope, receive, send)
        finally:
            self.threads.give_back(executor)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


class RequestThreads:
    """Single-thread executors lent to one request at a time and kept for the next.

    A thread comes back only once it is idle: after a client disconnects, Django stops waiting
    for the view, but the view runs on, and the next request must not queue behind it. At most
    ``keep`` idle threads are kept; a burst beyond that ends the surplus when it is over.
    """

    def __init__(self, keep: int = 32) -> None:
        self.keep = keep
        self._idle: list[ThreadPoolExecutor] = []  # list.pop and append are atomic under the GIL

    def borrow(self) -> ThreadPoolExecutor:
        try:
            return self._idle.pop()
        except IndexError:
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        executor.submit(_nothing).add_done_callback(lambda _: self._keep_or_end(executor))

    def _keep_or_end(self, executor: ThreadPoolExecutor) -> None:
        if len(self._idle) < self.keep:
            self._idle.append(executor)
        else:
            executor.shutdown(wait=False)

    @property
    def idle(self) -> int:
        return len(self._idle)


def _nothing() -> None:
    """The marker a returned thread runs once everything its request left behind has run."""


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
