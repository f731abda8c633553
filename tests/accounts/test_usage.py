"""Plan usage metering."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.accounts import services
from config.accounts.models import User
from config.errors import UsageLimitExceeded

pytestmark = pytest.mark.django_db


def test_usage_counts_up_to_the_plan_limit_then_refuses(owner):
    owner.monthly_usage_limit = 2
    owner.save()
    services.consume_usage(owner)
    services.consume_usage(owner)
    with pytest.raises(UsageLimitExceeded) as refused:
        services.consume_usage(owner)
    assert refused.value.details["limit"] == 2
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 2


def test_refund_gives_usage_back(owner):
    services.consume_usage(owner)
    services.refund_usage(owner.pk)
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0


def test_a_new_cycle_starts_after_a_month(owner):
    owner.monthly_usage_limit = 1
    owner.usage_this_cycle = 1
    owner.cycle_started_at = timezone.now() - timedelta(days=32)
    owner.save()
    services.consume_usage(owner)
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1
    assert owner.cycle_started_at > timezone.now() - timedelta(minutes=1)


def test_plan_defaults_come_from_settings(owner, settings):
    settings.PLAN_LIMITS = {"trial": 3, "professional": 9, "enterprise": 99}
    assert owner.usage_limit == 3


def test_the_counter_on_the_user_is_the_database_one_after_another_request_counted(owner):
    """Another process counted 4 jobs meanwhile: the in-memory user reads 5, not its stale 0 + 1."""
    owner.monthly_usage_limit = 10
    owner.save()
    User.objects.filter(pk=owner.pk).update(usage_this_cycle=4)
    services.consume_usage(owner)
    assert owner.usage_this_cycle == 5


def test_the_limit_counts_what_other_requests_used_not_the_stale_counter(owner):
    owner.monthly_usage_limit = 3
    owner.save()
    User.objects.filter(pk=owner.pk).update(usage_this_cycle=3)
    with pytest.raises(UsageLimitExceeded):
        services.consume_usage(owner)
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 3
