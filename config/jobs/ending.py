"""What a job's end means, in one place, whoever ended it.

``complete_job``, ``fail_job`` and ``cancel_job`` call ``job_ended`` when their
conditional update wins, whether the task, the minute sweep, django-q2's
failure hook, lost-worker recovery, a user's cancel or a timeout ended the job.
After the transaction commits it:

1. calls the job's ``on_finish`` (a dotted path stored on the row, as ``task``
   is) with the fresh job, so the app settles its own rows and nothing depends
   on the task ending the normal way;
2. emails the owner when their profile asks for it, at most once per job
   (``notified_at`` is claimed with a conditional update);
3. queues ``job.completed``, ``job.failed`` or ``job.cancelled`` for the owner's
   webhooks (``config.webhooks``; an id derived from the job's end makes it once per end).

A failing callback is logged and does not undo the job's end; each callback is
written to be safe to run again (the sweep may meet a job twice).
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from config.jobs.choices import JobStatus
from config.jobs.models import Job
from config.webhooks.services import emit_job_event

logger = logging.getLogger("stagecraft.jobs")

SUBJECTS = {
    JobStatus.COMPLETED: "Your StageCraft job is done",
    JobStatus.FAILED: "Your StageCraft job failed",
}


def job_ended(job: Job) -> None:
    """Schedule the end-of-job work for after the current transaction commits."""
    job_id = job.pk
    transaction.on_commit(lambda: settle_ended_job(job_id))


def settle_ended_job(job_id) -> None:
    """Run ``on_finish``, the owner's email and webhooks for a finished job (safe to call twice)."""
    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or not job.is_finished:
        return
    if job.on_finish:
        try:
            import_string(job.on_finish)(job)
        except Exception:
            logger.exception("on_finish %s failed for job %s", job.on_finish, job.pk)
    try:
        email_owner(job)
    except Exception:
        logger.exception("Could not email the owner of job %s", job.pk)
    try:
        emit_job_event(job)
    except Exception:
        logger.exception("Could not queue the webhooks of job %s", job.pk)


def email_owner(job: Job) -> bool:
    """Email the owner that ``job`` completed or failed, if they asked to be told. Once per job."""
    wanted = job.notify_owner and job.owner.notification_preferences.get("email_on_completion")
    if job.status not in SUBJECTS or not wanted:
        return False
    if not Job.objects.filter(pk=job.pk, notified_at__isnull=True).update(notified_at=timezone.now()):
        return False  # another process already told them
    link = settings.SITE_URL + reverse("jobs:detail", args=[job.pk])
    what = job.describe()
    if job.status == JobStatus.COMPLETED:
        body = f"{what} finished.\n\nSee the result: {link}\n"
    else:
        body = f"{what} failed: {job.error_message or job.error_code}\n\nDetails: {link}\n"
    body += "\nYou get these emails because of your notification settings in StageCraft.\n"
    send_mail(SUBJECTS[job.status], body, settings.DEFAULT_FROM_EMAIL, [job.owner.email])
    return True
