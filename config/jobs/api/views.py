"""The user's jobs: list, detail, cancel, retry (``{"detail": ...}`` errors)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.pagination import limit_params
from config.errors import ValidationFailed
from config.jobs import services
from config.jobs.api import serializers as s
from config.jobs.choices import JobStatus
from config.jobs.models import Job


class JobListView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("status", enum=JobStatus.values), OpenApiParameter("limit", int),
                    OpenApiParameter("offset", int)],
        responses={200: s.JobListSerializer}, tags=["jobs"], operation_id="jobs_list",
    )
    def get(self, request):
        """The user's jobs, newest first."""
        jobs = Job.objects.for_user(request.user)
        status = request.query_params.get("status")
        if status:
            if status not in JobStatus.values:
                raise ValidationFailed(f"status must be one of {', '.join(JobStatus.values)}.")
            jobs = jobs.filter(status=status)
        items, total = limit_params(request.query_params).slice(jobs)
        return Response({"items": s.JobSerializer(items, many=True).data, "total": total})


class JobDetailView(APIView):
    @extend_schema(responses={200: s.JobDetailSerializer}, tags=["jobs"], operation_id="jobs_retrieve")
    def get(self, request, job_id):
        """One job with all its steps."""
        job = get_object_or_404(Job.objects.for_user(request.user).prefetch_related("steps"), pk=job_id)
        return Response(s.JobDetailSerializer(job).data)


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
