"""Seed 002: design generation, v2 (``/api/v1/generate``) and v1 (``/generate``).

Both need an API key and a JWT of the same user. The rate limit (20 a minute
per IP, per endpoint) is counted before authentication so it also slows
credential guessing, and every request, answered or refused, leaves an audit row.
"""

import time

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import envelopes
from config.api.authentication import APIKeyAndJWTAuthentication
from config.api.input import parse
from config.api.ratelimit import enforce
from designs import selectors, services
from designs.api import serializers as s
from designs.choices import Endpoint

ERRORS = {code: OpenApiResponse(s.DesignErrorSerializer, description=text) for code, text in {
    400: "VALIDATION_ERROR: bad JSON or types, a missing, empty or too long prompt, no design type recognised",
    401: "AUTHENTICATION_ERROR: a missing or invalid API key or access token, or the two of different users",
    404: "NOT_FOUND: context.spec_id is not one of your specs",
    429: "RATE_LIMIT_ERROR: 20 requests a minute per IP, or the plan's usage is spent",
    500: "INTERNAL_ERROR: the language model failed and fallback is off",
}.items()}


class GenerateView(APIView):
    authentication_classes = [APIKeyAndJWTAuthentication]
    error_envelope = envelopes.DESIGNS
    rate_limited = True
    endpoint = ""

    def initial(self, request, *args, **kwargs):
        self._started = time.monotonic()
        self._version = None
        enforce(request, "designs", key="ip", group=f"designs:{self.endpoint}",
                message="Rate limit exceeded: 20 per minute")
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "_version", None) is not None:  # generate wrote the row with the version
            return response
        data = response.data if isinstance(response.data, dict) else {}
        # The rate limit may refuse before authentication ran: reading request.user
        # or request.auth now would authenticate here, and bad credentials would
        # turn the 429 into an error. Only what authentication already found counts.
        user, auth = getattr(request, "_user", None), getattr(request, "_auth", None)
        services.record_request(
            user=user, key_prefix=getattr(auth, "prefix", ""),
            ip=request.META.get("REMOTE_ADDR"), endpoint=self.endpoint, status_code=response.status_code,
            error_code=data.get("error_code", "") if response.status_code >= 400 else "",
            processing_ms=int(self.elapsed() * 1000),
        )
        return response

    def audit(self, request) -> services.RequestAudit:
        """What ``services.generate`` needs to write this request's audit row with its version."""
        return services.RequestAudit(key_prefix=getattr(request.auth, "prefix", ""),
                                     ip=request.META.get("REMOTE_ADDR"), endpoint=self.endpoint,
                                     started=self._started)

    def elapsed(self) -> float:
        return time.monotonic() - getattr(self, "_started", time.monotonic())


class GenerateV2View(GenerateView):
    endpoint = Endpoint.V2

    @extend_schema(request=s.GenerateV2InputSerializer, responses={200: s.GenerateV2ResponseSerializer, **ERRORS},
                   tags=["designs"], operation_id="designs_generate_v2_create")
    def post(self, request):
        """Generate a 3D design spec from a prompt; ``context.spec_id`` makes the next version of that spec."""
        data = parse(s.GenerateV2InputSerializer, request.data)
        self._version = services.generate(request.user, prompt=data["prompt"], context=data["context"],
                                          style=data["style"], constraints=data["constraints"], source=self.endpoint,
                                          audit=self.audit(request))
        return Response(selectors.v2_response(self._version, processing_time=self.elapsed()))


class GenerateV1View(GenerateView):
    endpoint = Endpoint.V1

    @extend_schema(request=s.GenerateV1InputSerializer, responses={200: s.GenerateV1ResponseSerializer, **ERRORS},
                   tags=["designs"], operation_id="designs_generate_v1_create")
    def post(self, request):
        """The original v1 endpoint: a prompt in, the basic spec with overall dimensions out."""
        data = parse(s.GenerateV1InputSerializer, request.data)
        self._version = services.generate(request.user, prompt=data["prompt"], source=self.endpoint,
                                          audit=self.audit(request))
        return Response(selectors.v1_response(self._version))
