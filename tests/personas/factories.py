"""factory-boy factories for the personas rows: characters and everything that hangs off one.

Defaults are the model's own, plus what a row cannot exist without (an owner,
a character, an account of the same character). A test states the fields it
is about; ``approved=True`` makes content reviewed and approved by its owner.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from config.jobs.choices import JobStatus
from config.jobs.models import Job
from personas.choices import (
    AuthType,
    ContentType,
    EngagementType,
    Metric,
    Platform,
    Review,
    RunStatus,
    TriggerType,
)
from personas.models import (
    AutomationRule,
    Character,
    ContentItem,
    EngagementAction,
    Generation,
    MetricSample,
    PlatformAccount,
    Post,
    RuleRun,
    ScheduledPost,
)
from tests.factories import UserFactory


class CharacterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Character

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Character {n}")


class PlatformAccountFactory(factory.django.DjangoModelFactory):
    """A connected Mastodon account with no credentials (connect through the stand-ins to post)."""

    class Meta:
        model = PlatformAccount

    character = factory.SubFactory(CharacterFactory)
    platform = Platform.MASTODON
    auth_type = AuthType.OAUTH
    account_username = factory.Sequence(lambda n: f"account{n}")


class GenerationJobFactory(factory.django.DjangoModelFactory):
    """A generation's job row, not enqueued (``services.content.start_generation`` makes and queues real ones)."""

    class Meta:
        model = Job

    owner = factory.SubFactory(UserFactory)
    kind = "personas.generate"
    task = "personas.tasks.run_generation"
    status = JobStatus.QUEUED
    metered = False
    on_finish = "personas.services.content.settle_generation"


class GenerationFactory(factory.django.DjangoModelFactory):
    """A generation and its queued job; ``job__status`` sets where the job is (the generation's status)."""

    class Meta:
        model = Generation

    character = factory.SubFactory(CharacterFactory)
    content_type = ContentType.TEXT
    prompt = "a sunrise run"
    job = factory.SubFactory(GenerationJobFactory, owner=factory.SelfAttribute("..character.owner"))


class ContentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentItem

    character = factory.SubFactory(CharacterFactory)
    content_type = ContentType.TEXT

    class Params:
        approved = factory.Trait(
            review=Review.APPROVED,
            reviewed_by=factory.SelfAttribute("character.owner"),
            reviewed_at=factory.LazyFunction(timezone.now),
        )


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    character = factory.SubFactory(CharacterFactory)
    account = factory.SubFactory(PlatformAccountFactory, character=factory.SelfAttribute("..character"))


class ScheduledPostFactory(factory.django.DjangoModelFactory):
    """Scheduled for tomorrow unless ``scheduled_at`` says otherwise."""

    class Meta:
        model = ScheduledPost

    character = factory.SubFactory(CharacterFactory)
    account = factory.SubFactory(PlatformAccountFactory, character=factory.SelfAttribute("..character"))
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class AutomationRuleFactory(factory.django.DjangoModelFactory):
    """A rule row as stored, without the service's validation (``services.rules.create_rule`` checks)."""

    class Meta:
        model = AutomationRule

    character = factory.SubFactory(CharacterFactory)
    name = factory.Sequence(lambda n: f"Rule {n}")
    trigger_type = TriggerType.CONTENT_APPROVED


class RuleRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RuleRun

    rule = factory.SubFactory(AutomationRuleFactory)
    trigger = "schedule"
    status = RunStatus.DONE


class EngagementActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementAction

    character = factory.SubFactory(CharacterFactory)
    account = factory.SubFactory(PlatformAccountFactory, character=factory.SelfAttribute("..character"))
    action_type = EngagementType.LIKE


class MetricSampleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricSample

    account = factory.SubFactory(PlatformAccountFactory)
    metric = Metric.FOLLOWERS
    value = 0
