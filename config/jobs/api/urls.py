"""The platform's job actions under ``/api/v1/``.

``GET /api/v1/jobs`` and ``GET /api/v1/jobs/{id}`` are seed 001's
(``ProcessingJobResponse``, with image counts) and live in ``catalog/api``.
"""

from django.urls import path

from config.jobs.api import views

urlpatterns = [
    path("jobs/<uuid:job_id>/cancel", views.JobCancelView.as_view(), name="job-cancel"),
    path("jobs/<uuid:job_id>/retry", views.JobRetryView.as_view(), name="job-retry"),
]
