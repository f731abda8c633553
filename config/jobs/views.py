"""The job page: live progress of one job."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config.jobs import naming, services
from config.jobs.models import Job


@login_required
def job_detail(request, job_id):
    job = get_object_or_404(Job.objects.for_user(request.user).prefetch_related("steps"), pk=job_id)
    return render(request, "jobs/detail.html", {"job": job, "title": naming.describe(job)})


@login_required
@require_POST
def job_cancel(request, job_id):
    services.cancel_job(request.user, job_id=job_id)
    return redirect("jobs:detail", job_id=job_id)


@login_required
@require_POST
def job_retry(request, job_id):
    services.retry_job(request.user, job_id=job_id)
    return redirect("jobs:detail", job_id=job_id)
