"""Automation rules: list, read, create, change, switch on and off, delete; each change validated.

Running rules (their schedule, the two hooks, the dry run and the loop
guards) lives in ``services.automation``.
"""

import string
import uuid
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from config.errors import NotFound, ValidationFailed
from personas import recurrence
from personas.choices import ContentType, Platform, RuleAction, TriggerType
from personas.errors import InvalidContentType
from personas.models import AutomationRule
from personas.selectors import character_for

ENGAGEMENT_METRICS = ("followers", "likes", "comments", "shares", "mentions")
TEMPLATE_FIELDS = ("topic", "character", "name", "category", "date")
EDITABLE = ("name", "description", "trigger_type", "trigger_config", "action", "platforms", "content_type",
            "content_category", "prompt_template", "caption_template", "hashtag_strategy", "max_posts_per_day",
            "cooldown_minutes", "is_enabled")


def list_rules(owner, *, character_id=None, is_enabled: bool | None = None) -> QuerySet:
    """The owner's rules by name; ``CharacterNotFound`` for another user's character."""
    rows = AutomationRule.objects.for_user(owner).select_related("character")
    if character_id:
        rows = rows.filter(character=character_for(owner, character_id))
    if is_enabled is not None:
        rows = rows.filter(is_enabled=is_enabled)
    return rows.order_by("name", "created_at")


def rule_for(owner, rule_id) -> AutomationRule:
    """The owner's rule, or ``NotFound`` (another user's rule and malformed ids alike)."""
    try:
        key = uuid.UUID(str(rule_id))
    except ValueError:
        key = None
    rule = AutomationRule.objects.for_user(owner).select_related("character").filter(pk=key).first() if key else None
    if rule is None:
        raise NotFound("Automation rule not found.")
    return rule


def create_rule(owner, *, character_id, name: str, trigger_type: str, **fields) -> AutomationRule:
    """Create a rule for one of the owner's characters; ``fields`` are any of ``EDITABLE``.

    Raises ``CharacterNotFound``, ``InvalidContentType`` and ``ValidationFailed``
    (unknown trigger, action or platform; a schedule without a valid cron/rrule
    and zone; an engagement trigger without metric and threshold; a template
    naming an unknown field).
    """
    character = character_for(owner, character_id)
    rule = AutomationRule(character=character, name=name, trigger_type=trigger_type)
    _apply(rule, fields)
    rule.next_run_at = next_run(rule, timezone.now())
    rule.save()
    return rule


def update_rule(owner, rule_id, **fields) -> AutomationRule:
    """Change the fields given (any of ``EDITABLE``), validated as on create."""
    rule = rule_for(owner, rule_id)
    _apply(rule, fields)
    rule.next_run_at = next_run(rule, timezone.now())
    rule.save()
    return rule


def delete_rule(owner, rule_id) -> None:
    """Delete a rule and its run log; what it already scheduled stays scheduled."""
    rule_for(owner, rule_id).delete()


def set_enabled(owner, rule_id, *, enabled: bool) -> AutomationRule:
    """Switch a rule on or off; switching on counts its schedule from now (missed runs are not replayed)."""
    rule = rule_for(owner, rule_id)
    rule.is_enabled = enabled
    rule.next_run_at = next_run(rule, timezone.now())
    rule.save(update_fields=["is_enabled", "next_run_at"])
    return rule


def next_run(rule: AutomationRule, after: datetime) -> datetime | None:
    """The rule's next scheduled run after ``after``; ``None`` unless it is an enabled schedule rule."""
    if rule.trigger_type != TriggerType.SCHEDULE or not rule.is_enabled:
        return None
    config = rule.trigger_config
    return recurrence.next_occurrence(config.get("cron") or config["rrule"], config["timezone"], after,
                                      start=rule.created_at)


def _apply(rule: AutomationRule, fields: dict) -> None:
    """Set and validate the given fields on ``rule`` (not saved)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(rule, name, value)
    if rule.trigger_type not in TriggerType.values:
        raise ValidationFailed(f"trigger_type must be one of {', '.join(TriggerType.values)}.")
    if rule.action not in RuleAction.values:
        raise ValidationFailed(f"action must be one of {', '.join(RuleAction.values)}.")
    if rule.content_type not in ContentType.values:
        raise InvalidContentType(details={"content_type": rule.content_type})
    rule.platforms = list(rule.platforms or [])
    unknown_platforms = [p for p in rule.platforms if p not in Platform.values]
    if unknown_platforms:
        raise ValidationFailed(f"Unknown platform(s): {', '.join(map(str, unknown_platforms))}.",
                               details={"allowed": list(Platform.values)})
    rule.trigger_config = _trigger_config(rule.trigger_type, dict(rule.trigger_config or {}), rule.character)
    for name in ("prompt_template", "caption_template"):
        _check_template(name, getattr(rule, name) or "")


def _trigger_config(trigger_type: str, config: dict, character) -> dict:
    if trigger_type == TriggerType.SCHEDULE:
        given = [key for key in ("cron", "rrule") if config.get(key)]
        if len(given) != 1:
            raise ValidationFailed("A schedule trigger needs one of trigger_config.cron and trigger_config.rrule.",
                                   details={"trigger_config": config})
        config[given[0]] = recurrence.validate_rule(str(config[given[0]]))
        config["timezone"] = config.get("timezone") or character.timezone
        recurrence.zone(config["timezone"])
    elif trigger_type == TriggerType.ENGAGEMENT_THRESHOLD:
        if config.get("metric") not in ENGAGEMENT_METRICS:
            raise ValidationFailed(f"trigger_config.metric must be one of {', '.join(ENGAGEMENT_METRICS)}.")
        for key, default, low, high in (("threshold", None, 1, 10**9), ("window_hours", 24, 1, 24 * 30)):
            value = config.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValidationFailed(f"trigger_config.{key} must be a whole number from {low} to {high}.")
            config[key] = value
    return config


def _check_template(name: str, template: str) -> None:
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as exc:
        raise ValidationFailed(f"{name}: {exc} (write braces as {{{{ and }}}}).") from None
    unknown = [field for field in fields if field not in TEMPLATE_FIELDS]
    if unknown:
        raise ValidationFailed(f"{name}: unknown placeholder(s) {', '.join('{' + f + '}' for f in unknown)}; "
                               f"use {', '.join('{' + f + '}' for f in TEMPLATE_FIELDS)}.")
