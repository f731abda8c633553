"""Running automation rules: their dry run, the minute run of schedule rules, and two hooks.

Creating and changing rules lives in ``services.rules``.

A rule has a trigger (schedule, content_approved, engagement_threshold) and an
action (generate, schedule, reply_draft). Every evaluation is logged as a
``RuleRun``: done, failed, skipped with its reason, or dry_run.

Loop guards, checked before any action:
- a rule never triggers itself: what a rule generates carries ``rule_id`` (and
  ``rule_depth``) in the generation settings, and a content_approved rule skips
  content that came from it;
- a chain of rules triggering rules is at most ``MAX_CHAIN_DEPTH`` runs long;
- a character's rules act at most ``PERSONAS_RULE_RUNS_PER_HOUR`` times an hour
  (default 12), and each rule respects its ``max_posts_per_day`` (per local day
  of the character) and ``cooldown_minutes``.

Hooks for other services: ``on_content_approved(content)`` after a review
approves an item; ``on_engagement(account)`` after an account's metrics or
notifications were synced. Both return the runs they recorded.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from config.errors import ApplicationError
from config.timestamps import iso8601
from personas import recurrence
from personas.choices import (
    CharacterStatus,
    ConnectionStatus,
    ContentType,
    Direction,
    EngagementType,
    PostStatus,
    Review,
    RuleAction,
    RunStatus,
    ScheduleStatus,
    TriggerType,
)
from personas.connectors import connector_class
from personas.models import AutomationRule, ContentItem, EngagementAction, PlatformAccount, Post, RuleRun
from personas.services import content as content_service
from personas.services import rules, scheduling

logger = logging.getLogger("stagecraft.personas")

MAX_CHAIN_DEPTH = 3
# Reply drafts are text for the operator to review; they are never scheduled as posts.
REPLY_CATEGORY = "reply"
MENTIONS_PER_DRAFT = 20


def dry_run(owner, rule_id, *, now: datetime | None = None) -> RuleRun:
    """Evaluate a rule now without acting: no generation, post, schedule or job; one ``dry_run`` RuleRun."""
    rule = rules.rule_for(owner, rule_id)
    return evaluate(rule, now=now or timezone.now(), trigger="dry_run", depth=0, dry_run=True)


def run_due_rules(now: datetime | None = None) -> int:
    """Run the enabled schedule rules that are due (of active characters); returns how many ran.

    Each rule is claimed by moving its ``next_run_at`` with a conditional
    UPDATE, so concurrent workers run it once per occurrence.
    """
    now = now or timezone.now()
    due = AutomationRule.objects.filter(
        trigger_type=TriggerType.SCHEDULE, is_enabled=True, next_run_at__lte=now,
        character__status=CharacterStatus.ACTIVE, character__deleted_at__isnull=True,
    ).select_related("character__owner").order_by("next_run_at")
    count = 0
    for rule in due:
        occurrence = rule.next_run_at
        following = rules.next_run(rule, now)
        if not AutomationRule.objects.filter(pk=rule.pk, is_enabled=True, next_run_at=occurrence).update(
                next_run_at=following):
            continue  # another worker took this occurrence
        rule.next_run_at = following
        evaluate(rule, now=now, trigger=f"schedule:{occurrence.isoformat()}", depth=0)
        count += 1
    return count


def on_content_approved(content: ContentItem, *, now: datetime | None = None) -> list[RuleRun]:
    """Evaluate the character's enabled content_approved rules for newly approved ``content``."""
    now = now or timezone.now()
    source_rule, source_depth = origin(content)
    depth = source_depth + 1 if source_rule else 0
    candidates = AutomationRule.objects.filter(character_id=content.character_id, is_enabled=True,
                                               trigger_type=TriggerType.CONTENT_APPROVED).select_related("character")
    return [evaluate(rule, now=now, trigger=f"content_approved:{content.pk}", depth=depth, content=content,
                     source_rule=source_rule) for rule in candidates]


def on_engagement(account: PlatformAccount, *, now: datetime | None = None) -> list[RuleRun]:
    """Evaluate engagement_threshold rules of the account's character; runs only where the threshold is met.

    ``trigger_config``: ``metric`` (followers, likes, comments, shares,
    mentions), ``threshold`` and ``window_hours`` (default 24) for the counts
    of posts published and mentions received in that window.
    """
    now = now or timezone.now()
    runs = []
    candidates = AutomationRule.objects.filter(character_id=account.character_id, is_enabled=True,
                                               trigger_type=TriggerType.ENGAGEMENT_THRESHOLD)
    for rule in candidates.select_related("character"):
        if rule.platforms and account.platform not in rule.platforms:
            continue
        config = rule.trigger_config
        value = metric_value(account, config["metric"], now - timedelta(hours=config.get("window_hours", 24)))
        if value >= config["threshold"]:
            runs.append(evaluate(rule, now=now, trigger=f"engagement:{account.platform}:{config['metric']}={value}",
                                 depth=0))
    return runs


def evaluate(rule: AutomationRule, *, now: datetime, trigger: str, depth: int, content: ContentItem | None = None,
             source_rule: str = "", dry_run: bool = False) -> RuleRun:
    """Check the guards, work out the plan, then act on it (or, for a dry run, only record it)."""
    reason = skip_reason(rule, now=now, depth=depth, source_rule=source_rule)
    plan = build_plan(rule, now=now, content=content)
    if dry_run:
        # Said truthfully: a rule whose work needs an engine that is missing would fail, not run.
        failure = _engine_missing(rule) if not (reason or plan["skip_reason"]) else ""
        detail = {**plan, "would_run": not (reason or plan["skip_reason"] or failure), "guard": reason or None,
                  "would_fail": failure or None}
        return _record(rule, trigger, RunStatus.DRY_RUN, depth, detail, now, dry_run=True)
    reason = reason or plan["skip_reason"]
    if reason:
        return _record(rule, trigger, RunStatus.SKIPPED, depth, {"reason": reason, **plan}, now)
    try:
        with transaction.atomic():
            done = _act(rule, plan, now=now, depth=depth)
            AutomationRule.objects.filter(pk=rule.pk).update(last_run_at=now)
            return _record(rule, trigger, RunStatus.DONE, depth, {**plan, **done}, now)
    except ApplicationError as exc:  # no engine, usage limit, character paused meanwhile
        return _record(rule, trigger, RunStatus.FAILED, depth, {**plan, "error": exc.message, "code": exc.code}, now)
    except Exception:  # a hook's caller (an approval, a sync) must not fail because a rule did
        logger.exception("Automation rule %s failed", rule.pk)
        return _record(rule, trigger, RunStatus.FAILED, depth, {**plan, "error": "The rule failed unexpectedly."},
                       now)


def _engine_missing(rule: AutomationRule) -> str:
    """Why the rule's generation would fail for want of an engine ("" when it would not)."""
    if rule.action == RuleAction.SCHEDULE:
        return ""
    # A reply draft is text whatever the rule's content type says.
    content_type = rule.content_type if rule.action == RuleAction.GENERATE else ContentType.TEXT
    return content_service.unavailable_content_types().get(content_type, "")


def skip_reason(rule: AutomationRule, *, now: datetime, depth: int, source_rule: str = "") -> str:
    """Why the guards stop this evaluation ("" when none does)."""
    character = rule.character
    if not rule.is_enabled:
        return "The rule is disabled."
    if character.status != CharacterStatus.ACTIVE:
        return f"The character is {character.status}."
    if source_rule and source_rule == str(rule.pk):
        return "The content came from this rule; a rule never triggers itself."
    if depth >= MAX_CHAIN_DEPTH:
        return f"Chain depth limit: rules triggered by rules stop after {MAX_CHAIN_DEPTH} runs."
    done = RuleRun.objects.filter(status=RunStatus.DONE, dry_run=False)
    cap = settings.PERSONAS_RULE_RUNS_PER_HOUR
    if done.filter(rule__character=character, created_at__gt=now - timedelta(hours=1)).count() >= cap:
        return f"Hourly cap: the character's rules already ran {cap} times in the last hour."
    last = done.filter(rule=rule).order_by("-created_at").values_list("created_at", flat=True).first()
    if rule.cooldown_minutes and last is not None and now < last + timedelta(minutes=rule.cooldown_minutes):
        return f"Cooldown: the rule last ran at {last.isoformat()}; it waits {rule.cooldown_minutes} minutes."
    local_midnight = now.astimezone(recurrence.zone(character.timezone)).replace(hour=0, minute=0, second=0,
                                                                                 microsecond=0)
    if done.filter(rule=rule, created_at__gte=local_midnight).count() >= rule.max_posts_per_day:
        return f"Daily limit: the rule already ran {rule.max_posts_per_day} time(s) today."
    return ""


def build_plan(rule: AutomationRule, *, now: datetime, content: ContentItem | None = None) -> dict:
    """What the rule would do now, read-only: prompt and caption filled in, targets, next run."""
    character = rule.character
    topic = _topic(rule)
    values = {"topic": topic, "character": character.name, "name": character.name,
              "category": rule.content_category,
              "date": now.astimezone(recurrence.zone(character.timezone)).date().isoformat()}
    plan = {"action": rule.action, "topic": topic, "content_type": rule.content_type,
            "prompt": fill(rule.prompt_template or "{topic}", values),
            "caption": fill(rule.caption_template, values), "content_id": None, "platform_account_ids": [],
            "mention_ids": [], "next_run_at": iso8601(rules.next_run(rule, now)), "skip_reason": ""}
    if rule.action == RuleAction.SCHEDULE:
        item = content if content is not None and content.category != REPLY_CATEGORY else _unused_content(rule)
        connected = _target_accounts(rule)
        post_type = scheduling.rule_post_type(rule)
        # An account whose platform cannot publish the rule's post type (a story on Mastodon) is left out;
        # with none left the run is skipped, saying why.
        accounts = [a for a in connected if post_type in connector_class(a.platform).post_types]
        plan["content_id"] = str(item.pk) if item else None
        plan["platform_account_ids"] = [str(account.pk) for account in accounts]
        plan["post_type"] = post_type
        plan["caption"] = plan["caption"] or (item.caption if item else "")
        if item is None:
            plan["skip_reason"] = "No approved, unused content to schedule."
        elif connected and not accounts:
            names = sorted({a.get_platform_display() for a in connected})
            plan["skip_reason"] = f"{' and '.join(names)} cannot publish a {post_type}."
        elif not accounts:
            plan["skip_reason"] = "No connected account on the rule's platforms."
    elif rule.action == RuleAction.REPLY_DRAFT:
        mentions = _new_mentions(rule, now)
        plan["content_type"] = ContentType.TEXT
        plan["mention_ids"] = [str(mention.pk) for mention in mentions]
        plan["prompt"] = _reply_prompt(rule, mentions)
        if not mentions:
            plan["skip_reason"] = "No new mentions to reply to."
    return plan


def origin(content: ContentItem) -> tuple[str, int]:
    """The rule that generated ``content`` ("" when a person did) and that run's chain depth."""
    marks = dict(content.generation.settings) if content.generation_id else {}
    marks.update(content.generation_settings or {})
    rule_id = str(marks.get("rule_id") or "")
    try:
        return rule_id, int(marks.get("rule_depth", 0)) if rule_id else 0
    except (TypeError, ValueError):
        return rule_id, 0


def metric_value(account: PlatformAccount, metric: str, since: datetime) -> int:
    """The figure an engagement threshold compares, from what the platform reported (never estimated)."""
    if metric == "followers":
        return account.follower_count
    if metric == "mentions":
        return EngagementAction.objects.filter(account=account, direction=Direction.INBOUND,
                                               action_type=EngagementType.MENTION, created_at__gte=since).count()
    column = {"likes": "likes_count", "comments": "comments_count", "shares": "shares_count"}[metric]
    total = Post.objects.filter(account=account, status=PostStatus.PUBLISHED, published_at__gte=since).aggregate(
        total=Sum(column))["total"]
    return total or 0


def fill(template: str, values: dict) -> str:
    """``template`` with its ``{field}`` placeholders replaced from ``values``."""
    return template.format_map(values) if template else ""


def _act(rule: AutomationRule, plan: dict, *, now: datetime, depth: int) -> dict:
    character = rule.character
    marks = {"rule_id": str(rule.pk), "rule_depth": depth}
    if rule.action == RuleAction.SCHEDULE:
        item = ContentItem.objects.get(pk=plan["content_id"])
        accounts = PlatformAccount.objects.filter(pk__in=plan["platform_account_ids"])
        posts = [scheduling.schedule_for_rule(rule, account=account, content=item, caption=plan["caption"], when=now)
                 for account in accounts]
        return {"scheduled_post_ids": [str(post.pk) for post in posts]}
    if rule.action == RuleAction.REPLY_DRAFT:
        marks.update(purpose="reply_draft", mention_ids=plan["mention_ids"])
        category = REPLY_CATEGORY
    else:
        marks.update(caption_template=plan["caption"], hashtag_strategy=rule.hashtag_strategy)
        category = rule.content_category
    generation = content_service.start_generation(
        character.owner, character_id=character.pk, content_type=plan["content_type"], prompt=plan["prompt"],
        settings=marks, category=category)
    return {"generation_id": str(generation.pk)}


def _record(rule, trigger: str, status: str, depth: int, detail: dict, now: datetime, *,
            dry_run: bool = False) -> RuleRun:
    return RuleRun.objects.create(rule=rule, trigger=trigger[:200], status=status, dry_run=dry_run, depth=depth,
                                  detail=detail, created_at=now)


def _topic(rule: AutomationRule) -> str:
    # Rotates through the character's topics, one per run, so a daily rule does not repeat itself.
    character = rule.character
    topics = list(character.personality.get("preferred_topics") or character.interests or [])
    if not topics:
        return rule.content_category
    runs = RuleRun.objects.filter(rule=rule, status=RunStatus.DONE, dry_run=False).count()
    return str(topics[runs % len(topics)])


def _unused_content(rule: AutomationRule) -> ContentItem | None:
    busy = (ScheduleStatus.SCHEDULED, ScheduleStatus.PUBLISHING)
    return (ContentItem.objects.filter(character=rule.character, review=Review.APPROVED, times_used=0,
                                       content_type=rule.content_type)
            .exclude(category=REPLY_CATEGORY).exclude(scheduled_posts__status__in=busy)
            .order_by("-created_at").first())


def _target_accounts(rule: AutomationRule) -> list[PlatformAccount]:
    accounts = PlatformAccount.objects.filter(character=rule.character, connection_status=ConnectionStatus.CONNECTED)
    if rule.platforms:
        accounts = accounts.filter(platform__in=rule.platforms)
    return list(accounts.order_by("platform", "created_at"))


def _new_mentions(rule: AutomationRule, now: datetime) -> list[EngagementAction]:
    since = rule.last_run_at or now - timedelta(days=1)
    return list(EngagementAction.objects.filter(
        character=rule.character, direction=Direction.INBOUND, action_type=EngagementType.MENTION,
        created_at__gt=since).order_by("created_at")[:MENTIONS_PER_DRAFT])


def _reply_prompt(rule: AutomationRule, mentions: list[EngagementAction]) -> str:
    lines = [f"- ({mention.target_url or mention.target_id}) {mention.comment_text}" for mention in mentions]
    return (f"Draft one short, friendly reply in {rule.character.name}'s voice to each of these mentions, "
            "for the operator to review before anything is sent:\n" + "\n".join(lines))

