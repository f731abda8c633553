"""The user's jobs: cancel and retry, for jobs of every app (``{"detail": ...}`` errors)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.jobs import services
from config.jobs.api import serializers as s


class JobCancelView(APIView):
    @extend_schema(request=None, tags=["jobs"], responses={
        200: s.JobSerializer, 409: OpenApiResponse(description="The job has already finished")})
    def post(self, request, job_id):
        """Cancel an unfinished job (409 if it already finished)."""
        return Response(s.JobSerializer(services.cancel_job(request.user, job_id=job_id)).data)


class JobRetryView(APIView):
    @extend_schema(request=None, tags=["jobs"], responses={
        200: s.JobSerializer, 409: OpenApiResponse(description="Only failed or cancelled jobs can be retried")})
    def post(self, request, job_id):
        """Queue a failed or cancelled job again (409 otherwise)."""
        return Response(s.JobSerializer(services.retry_job(request.user, job_id=job_id)).data)
