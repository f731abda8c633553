"""factory-boy factories for staging's job rows (stagings are made through the service, styles by a migration)."""

import factory

from config.jobs.models import Job, JobStep
from tests.factories import UserFactory


class StagingJobFactory(factory.django.DjangoModelFactory):
    """A queued staging job row, not enqueued and taking no usage."""

    class Meta:
        model = Job

    owner = factory.SubFactory(UserFactory)
    kind = "staging.stage"
    task = "staging.tasks.run_staging"
    cluster = "gpu"
    metered = False


class JobStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobStep

    job = factory.SubFactory(StagingJobFactory)
    name = "validate"
