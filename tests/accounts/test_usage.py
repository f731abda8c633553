"""Plan usage metering."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.accounts import services
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
