"""Stagings reach the GPU cluster's broker in plan order: enterprise, then professional, then trial, oldest first.

django-q2's brokers are first in, first out, so a staging waits in the database
(queued, not enqueued) and ``dispatch`` hands the broker at most
``STAGING_DISPATCH_AHEAD`` stagings beyond those the cluster is running. It runs
when a staging is created (``config.jobs.services.hand_over``), when one ends
(``staging.ending``) and every minute from the jobs sweep, as a safety net.
"""

from django.conf import settings
from django.db.models import Case, F, IntegerField, Q, Value, When

from config.accounts.choices import Plan
from config.jobs import services as jobs
from config.jobs.choices import FINISHED_STATUSES, JobStatus
from config.jobs.models import Job

JOB_KIND = "staging.stage"
# Lower goes first; a plan not named here waits with trial.
PLAN_ORDER = {Plan.ENTERPRISE: 0, Plan.PROFESSIONAL: 1, Plan.TRIAL: 2}
# A room set's later photo needs its set's first result: it waits until that photo's job has ended.
AWAITING_REFERENCE = (Q(staging__room_set__isnull=False)
                      & ~Q(staging__room_set__reference__job_id=F("pk"))
                      & ~Q(staging__room_set__reference__job__status__in=FINISHED_STATUSES))


def waiting(limit: int) -> list[Job]:
    """The next ``limit`` stagings not yet handed to the broker, in plan order then age (a room set's
    later photos once its first photo has ended)."""
    priority = Case(*(When(owner__plan=plan, then=Value(rank)) for plan, rank in PLAN_ORDER.items()),
                    default=Value(max(PLAN_ORDER.values())), output_field=IntegerField())
    return list(Job.objects.filter(kind=JOB_KIND, status=JobStatus.QUEUED, enqueued_at__isnull=True)
                .exclude(AWAITING_REFERENCE).annotate(priority=priority)
                .order_by("priority", "created_at", "pk")[:limit])


def dispatch() -> int:
    """Hand the broker the stagings it has room for, first by plan then by age; return how many.

    Never the same job twice: each is claimed with a conditional update
    (``enqueue_once``). Two dispatchers at the same instant may together
    overshoot the allowance by what they claim at once; the next end evens it out.
    """
    handed = Job.objects.filter(kind=JOB_KIND, status=JobStatus.QUEUED, enqueued_at__isnull=False).count()
    room = settings.STAGING_DISPATCH_AHEAD - handed
    if room <= 0:
        return 0
    return sum(jobs.enqueue_once(job) for job in waiting(room))
