"""Seed 003 section 5: scheduled posts and automation rules, in and out."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import CheckedChoiceField
from personas import hashtags, recurrence
from personas.choices import ContentType, Platform, RuleAction, ScheduleStatus, TriggerType
from personas.connectors import all_post_types
from personas.models import AutomationRule, RuleRun, ScheduledPost

DATETIME_HINT = "Enter an ISO 8601 date and time, e.g. 2026-01-16T14:00:00Z."


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalDateTimeField(serializers.Field):
    """An ISO 8601 date-time kept naive when it has no offset: the service reads it in the schedule's zone.

    DRF's ``DateTimeField`` would read a naive time in the server's zone (UTC).
    """

    default_error_messages = {"invalid": DATETIME_HINT}

    def to_internal_value(self, data) -> datetime:
        try:
            return datetime.fromisoformat(str(data).strip())
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value):
        return value.isoformat()


@extend_schema_field({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]})
class DateBoundField(serializers.Field):
    """A date (``2026-01-16``: the whole UTC day) or an ISO date-time (naive means UTC) bounding a range,
    in UTC."""

    default_error_messages = {"invalid": "Enter an ISO 8601 date (2026-01-16) or date and time."}

    def __init__(self, *, end: bool = False, **kwargs) -> None:
        self.end = end
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> datetime:
        text = str(data).strip()
        try:
            if len(text) == 10:
                # to_date is inclusive: the whole day, up to its last microsecond.
                return datetime.combine(date.fromisoformat(text), time.max if self.end else time.min, tzinfo=UTC)
            value = datetime.fromisoformat(text)
            return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved into UTC
            self.fail("invalid")

    def to_representation(self, value):
        return value.isoformat()


class ScheduledPostInputSerializer(serializers.Serializer):
    character_id = serializers.CharField(max_length=64)
    platform_account_id = serializers.CharField(max_length=64)
    content_id = serializers.CharField(max_length=64)
    scheduled_at = LocalDateTimeField()
    timezone = CheckedChoiceField(choices=recurrence.canonical_zone_names, required=False,
                                  allow_blank=True, default="")
    # Left out: the content's own caption and hashtags are used.
    caption = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    hashtags = serializers.ListField(child=serializers.CharField(max_length=100), max_length=30, required=False)
    post_type = CheckedChoiceField(choices=all_post_types, required=False, default="post")
    # An RRULE ("FREQ=DAILY") or a 5-field cron line, in ``timezone``; blank: once.
    recurrence = serializers.CharField(max_length=260, required=False, allow_blank=True, default="")


class ScheduledPostUpdateSerializer(serializers.Serializer):
    """PUT is partial: only the fields sent change."""

    platform_account_id = serializers.CharField(max_length=64, required=False)
    content_id = serializers.CharField(max_length=64, required=False)
    scheduled_at = LocalDateTimeField(required=False)
    timezone = CheckedChoiceField(choices=recurrence.canonical_zone_names, required=False, allow_blank=True)
    caption = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    hashtags = serializers.ListField(child=serializers.CharField(max_length=100), max_length=30, required=False)
    post_type = CheckedChoiceField(choices=all_post_types, required=False)
    recurrence = serializers.CharField(max_length=260, required=False, allow_blank=True)


class ScheduledPostFilterSerializer(serializers.Serializer):
    character_id = serializers.CharField(max_length=64, required=False)
    status = CheckedChoiceField(choices=ScheduleStatus.choices, required=False, allow_blank=True,
                                default="")
    from_date = DateBoundField(required=False, allow_null=True, default=None)
    to_date = DateBoundField(end=True, required=False, allow_null=True, default=None)


class ScheduledPostSerializer(serializers.ModelSerializer):
    """The document's item plus the local time, recurrence, attempts and the occurrence's post."""

    character_id = serializers.UUIDField()
    character_name = serializers.CharField(source="character.name")
    platform = serializers.CharField(source="account.platform")
    platform_account_id = serializers.UUIDField(source="account_id")
    content_id = serializers.UUIDField(allow_null=True)
    post_id = serializers.UUIDField(allow_null=True)
    created_by_rule_id = serializers.UUIDField(allow_null=True)
    scheduled_at_local = serializers.SerializerMethodField()

    class Meta:
        model = ScheduledPost
        fields = ["id", "character_id", "character_name", "platform", "platform_account_id", "scheduled_at",
                  "scheduled_at_local", "timezone", "content_id", "caption", "hashtags", "post_type", "recurrence",
                  "status", "attempts", "last_error", "post_id", "created_by_rule_id", "created_at"]

    def get_scheduled_at_local(self, scheduled: ScheduledPost) -> str:
        try:
            zone = ZoneInfo(scheduled.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = UTC
        return scheduled.scheduled_at.astimezone(zone).isoformat()


class RuleInputSerializer(serializers.Serializer):
    character_id = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    # Checked by the service, which names the allowed values in its VALIDATION_ERROR.
    trigger_type = CheckedChoiceField(choices=TriggerType.choices)
    trigger_config = serializers.DictField(required=False, default=dict)
    action = CheckedChoiceField(choices=RuleAction.choices, required=False, default="generate")
    platforms = serializers.ListField(child=CheckedChoiceField(choices=Platform.choices),
                                      required=False, default=list)
    content_type = CheckedChoiceField(choices=ContentType.choices, required=False, default="image")
    content_category = serializers.CharField(max_length=32, required=False, default="post")
    prompt_template = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    caption_template = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    hashtag_strategy = serializers.ChoiceField(choices=hashtags.STRATEGIES, required=False, default="auto")
    max_posts_per_day = serializers.IntegerField(min_value=0, max_value=100, required=False, default=1)
    cooldown_minutes = serializers.IntegerField(min_value=0, max_value=60 * 24 * 7, required=False, default=60)
    is_enabled = serializers.BooleanField(required=False, default=True)


class RuleUpdateSerializer(serializers.Serializer):
    """PUT is partial: only the fields sent change (the character stays)."""

    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    trigger_type = CheckedChoiceField(choices=TriggerType.choices, required=False)
    trigger_config = serializers.DictField(required=False)
    action = CheckedChoiceField(choices=RuleAction.choices, required=False)
    platforms = serializers.ListField(child=CheckedChoiceField(choices=Platform.choices),
                                      required=False)
    content_type = CheckedChoiceField(choices=ContentType.choices, required=False)
    content_category = serializers.CharField(max_length=32, required=False)
    prompt_template = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    caption_template = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    hashtag_strategy = serializers.ChoiceField(choices=hashtags.STRATEGIES, required=False)
    max_posts_per_day = serializers.IntegerField(min_value=0, max_value=100, required=False)
    cooldown_minutes = serializers.IntegerField(min_value=0, max_value=60 * 24 * 7, required=False)
    is_enabled = serializers.BooleanField(required=False)


class RuleFilterSerializer(serializers.Serializer):
    character_id = serializers.CharField(max_length=64, required=False)
    is_enabled = serializers.BooleanField(required=False, allow_null=True, default=None)


class RuleRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = RuleRun
        fields = ["id", "trigger", "status", "dry_run", "depth", "detail", "created_at"]


class RuleSerializer(serializers.ModelSerializer):
    character_id = serializers.UUIDField()
    character_name = serializers.CharField(source="character.name")

    class Meta:
        model = AutomationRule
        fields = ["id", "character_id", "character_name", "name", "description", "trigger_type", "trigger_config",
                  "action", "platforms", "content_type", "content_category", "prompt_template", "caption_template",
                  "hashtag_strategy", "max_posts_per_day", "cooldown_minutes", "is_enabled", "next_run_at",
                  "last_run_at", "created_at"]


class RuleDetailSerializer(RuleSerializer):
    """A rule with its run log (newest first)."""

    recent_runs = serializers.SerializerMethodField()

    class Meta(RuleSerializer.Meta):
        fields = [*RuleSerializer.Meta.fields, "recent_runs"]

    def get_recent_runs(self, rule: AutomationRule) -> list[dict]:
        return RuleRunSerializer(rule.runs.order_by("-created_at")[:20], many=True).data


class DryRunSerializer(serializers.Serializer):
    """What the rule would do now; nothing was generated, scheduled or queued."""

    def to_representation(self, run: RuleRun) -> dict:
        return {"run_id": run.pk, "rule_id": str(run.rule_id), "status": run.status, "dry_run": True,
                **run.detail, "evaluated_at": serializers.DateTimeField().to_representation(run.created_at)}
