"""Browser-facing defences: the Content-Security-Policy per response, and sign-in throttling.

The page policy itself is ``CONTENT_SECURITY_POLICY`` in settings (django-csp).
This module picks what each response gets:

- HTML pages: the settings policy. Scripts and styles are same-origin files; the
  one inline script (the designs import map) carries the per-request nonce.
- JSON (the API): ``default-src 'none'``, since nothing in a JSON answer should
  ever run or load anything.
- Other files (static, media, PDF, glTF) get no policy: a browser does not apply
  one to subresources, and a strict one on a file opened directly can stop the
  browser's own viewer (PDF) from working.
- The API docs (``/docs``, ``/redoc``): Swagger UI and ReDoc are third-party
  bundles that write ``<style>`` elements at run time and ReDoc starts a
  ``blob:`` worker, so those two pages also allow inline styles and blob workers
  (still no inline script: ``/docs`` is drf-spectacular's split view).
"""

import functools
from collections.abc import Callable

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config.api.ratelimit import enforce
from config.audit.choices import AuditAction
from config.audit.services import record_quietly
from config.errors import RateLimited

JSON_POLICY = {"default-src": [NONE], "frame-ancestors": [NONE], "base-uri": [NONE], "form-action": [NONE]}
DOCS_PATHS = ("/docs", "/redoc")
DOCS_POLICY_UPDATE = {"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}


def _is_html(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def _is_json(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    return content_type == "application/json" or content_type.endswith("+json")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the policy chosen by what the response is."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not (_is_html(response) or _is_json(response)):
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request: HttpRequest, response: HttpResponse, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.config is not None:  # a view chose its own policy with @csp
            return parts
        if _is_json(response):
            parts.config = JSON_POLICY
        elif request.path_info in DOCS_PATHS:
            parts.update = {**DOCS_POLICY_UPDATE, **(parts.update or {})}
        return parts


def _login_name(field: str) -> Callable:
    def key(group: str, request: HttpRequest) -> str:
        return f"{field}:{request.POST.get(field, '').strip().lower()[:254]}"

    return key


def throttle_posts(scope: str, *, name: str, per_field: str | None = None) -> Callable:
    """Count a page view's POSTs against ``settings.RATE_LIMITS[scope]``.

    Counted per client address and, with ``per_field``, also per submitted
    value of that field (the login name), so neither one address nor a spread
    of addresses against one account gets unlimited guesses. A spent limit
    answers 429 with ``Retry-After`` and leaves a ``login.throttled`` event.
    GETs (showing the form) are never counted.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                try:
                    enforce(request, scope, key="ip", group=f"{scope}:page:{name}")
                    if per_field:
                        enforce(request, scope, key=_login_name(per_field), group=f"{scope}:page:{name}:{per_field}")
                except RateLimited as exc:
                    record_quietly(AuditAction.LOGIN_THROTTLED, request=request, detail={"page": name})
                    response = render(request, "errors/error.html", {
                        "message": f"Too many attempts. Try again in {exc.retry_after} seconds."}, status=429)
                    response["Retry-After"] = str(exc.retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
