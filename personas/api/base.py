"""What every seed 003 view shares: the envelopes, the general rate limit, lists.

Success is ``{"success": true, "data", "message", "timestamp"}``; errors use
``envelopes.PERSONAS``. Every request counts against the general limit of 100
a minute per IP before anything else, so refusals are counted too.
"""

from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import envelopes
from config.api.pagination import limit_params
from config.api.ratelimit import enforce
from config.timestamps import now_iso8601


def ok(data=None, *, message: str | None = None, status: int = 200) -> Response:
    """The success envelope."""
    body = {"success": True, "data": data, "timestamp": now_iso8601()}
    if message is not None:
        body["message"] = message
    return Response(body, status=status)


def page(request, queryset, key: str, serializer_class) -> dict:
    """A ``limit``/``offset`` window of ``queryset`` as ``{key: [...], "total", "limit", "offset"}``.

    One ``many=True`` serializer for the window: building a serializer per row costs more than the query.
    """
    window = limit_params(request.query_params)
    rows, total = window.slice(queryset)
    return {key: serializer_class(rows, many=True).data, "total": total, "limit": window.limit,
            "offset": window.offset}


class PersonasAPIView(APIView):
    error_envelope = envelopes.PERSONAS
    success_envelope = True  # every answer goes through ``ok()``; the schema says so
    rate_limited = True

    def initial(self, request, *args, **kwargs):
        enforce(request, "personas", key="ip", group="personas", message="Rate limit exceeded: 100 per minute.")
        super().initial(request, *args, **kwargs)
