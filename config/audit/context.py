"""The request being served, so services can audit without being handed it.

``AuditMiddleware`` sets it for the length of a request. asgiref copies
context variables into the thread a sync view runs in, so it holds under the
ASGI server as well as in tests; outside a request (a worker, the shell) it
is ``None``.
"""

from contextvars import ContextVar

from django.http import HttpRequest

current_request: ContextVar[HttpRequest | None] = ContextVar("stagecraft_audit_request", default=None)
