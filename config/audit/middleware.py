"""Per-request audit: the request context, 403 answers and bulk admin actions."""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from config.audit import services
from config.audit.choices import AuditAction
from config.audit.context import current_request

# How many selected ids a bulk action event lists; the count is always exact.
MAX_LISTED_IDS = 20


class AuditMiddleware:
    """Make the request visible to ``services.record`` and audit what leaves it.

    Sits after ``AuthenticationMiddleware``. Every 403, whoever produced it
    (DRF permissions, Django's ``PermissionDenied``, a CSRF failure, the
    admin), becomes one ``permission.denied`` event: one INSERT on a rare path.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                # The path without its query string: query strings can carry tokens (?token=).
                services.record_quietly(AuditAction.PERMISSION_DENIED, request=request,
                                        detail={"method": request.method, "path": request.path})
            elif response.status_code < 400 and _is_admin_bulk_action(request):
                _record_admin_action(request)
            return response
        finally:
            current_request.reset(token)


def _is_admin_bulk_action(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return (request.method == "POST" and match is not None and match.namespace == "admin"
            and (match.url_name or "").endswith("_changelist") and bool(request.POST.get("action"))
            and getattr(request.user, "is_staff", False))


def _record_admin_action(request) -> None:
    selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
    # The admin marks each of its views with the ModelAdmin that serves it.
    model_admin = getattr(request.resolver_match.func, "model_admin", None)
    target_type = model_admin.model._meta.label_lower if model_admin is not None else ""
    services.record_quietly(AuditAction.ADMIN_ACTION, request=request, target_type=target_type, detail={
        "action": request.POST.get("action"), "selected": len(selected), "ids": selected[:MAX_LISTED_IDS],
        "all": request.POST.get("select_across") == "1",
        # delete_selected asks first; "post" is the confirmed second step.
        "confirmed": "post" in request.POST,
    })
