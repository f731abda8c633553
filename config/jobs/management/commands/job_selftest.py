"""Queue a self-test job and follow it until it ends."""

import time

from django.core.management.base import BaseCommand, CommandError

from config.accounts.models import User
from config.jobs import selftest, services
from config.jobs.models import Job


class Command(BaseCommand):
    help = "Queue a platform self-test job for a user and wait for its result."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--ticks", type=int, default=3)
        parser.add_argument("--wait", type=float, default=60, help="Seconds to wait for the worker.")

    def handle(self, *args, email: str, ticks: int, wait: float, **options):
        user = User.objects.filter(email=email.lower()).first()
        if user is None:
            raise CommandError(f"No user {email}.")
        job = services.create_job(user, kind=selftest.KIND, task=selftest.TASK, params={"ticks": ticks},
                                  metered=False, timeout_seconds=60)
        self.stdout.write(f"Queued {job.pk}; waiting for a worker…")
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            job = Job.objects.get(pk=job.pk)
            if job.is_finished:
                self.stdout.write(f"{job.status} {job.error_code} in {job.duration_ms} ms")
                return
            time.sleep(0.5)
        raise CommandError("No worker finished the job in time. Is `manage.py qcluster` running?")
