"""Scheduled posts: create, change, cancel, and the minute sweep that publishes what is due.

A row moves scheduled -> publishing -> published | failed. The move to
publishing is a conditional UPDATE on the status: when two workers (or two
cluster processes) see the same due row, one update matches and the other
finds 0 rows and moves on. A row goes back to scheduled for a retry with
backoff, for a platform limit (deferred to when it lifts, never dropped) and
for the next occurrence of a recurring post.

Each occurrence is published through one ``Post`` whose idempotency key is
derived from the schedule and the occurrence, and the row keeps pointing at
it across retries: a worker killed mid-publish leaves the row in publishing,
the sweep puts it back after ``STUCK_AFTER`` and the retry sends the same key,
so the platform answers with the post it already made instead of a second one.
"""

import logging
import uuid
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.errors import ApplicationError, StorageFailed, ValidationFailed
from personas import hashtags, recurrence
from personas.choices import CharacterStatus, ConnectionStatus, PostStatus, ScheduleStatus
from personas.connectors.base import ConnectorError
from personas.events import EventName, notify
from personas.models import AutomationRule, Character, ContentItem, PlatformAccount, Post, ScheduledPost
from personas.post_text import compose_text
from personas.selectors import account_for, approved_content, character_for, scheduled_post_for
from personas.services import publishing

logger = logging.getLogger("stagecraft.personas")

# A transient failure is retried after 1, 2, 4, 8 and 16 minutes; the sixth failure is final.
MAX_RETRIES = 5
BACKOFF_CAP = timedelta(minutes=60)
# A row in publishing this long after its claim belongs to a worker that died.
STUCK_AFTER = timedelta(minutes=10)
UNSET = object()
RECURRENCE_MAX = ScheduledPost._meta.get_field("recurrence").max_length
# Seed 003's post types ("post, story, reel, etc."): a rule whose content category is one of them posts as it.
RULE_POST_TYPES = ("post", "story", "reel")


def scheduled_posts(owner, *, character_id=None, status: str = "", from_date: datetime | None = None,
                    to_date: datetime | None = None) -> QuerySet:
    """The owner's scheduled posts in time order, filtered; ``CharacterNotFound`` for another user's character."""
    rows = ScheduledPost.objects.for_user(owner).select_related("character", "account")
    if character_id:
        rows = rows.filter(character=character_for(owner, character_id))
    if status:
        if status not in ScheduleStatus.values:
            raise ValidationFailed(f"status must be one of {', '.join(ScheduleStatus.values)}.",
                                   details={"status": status})
        rows = rows.filter(status=status)
    if from_date is not None:
        rows = rows.filter(scheduled_at__gte=from_date)
    if to_date is not None:
        rows = rows.filter(scheduled_at__lte=to_date)
    return rows.order_by("scheduled_at", "created_at")


def create_scheduled_post(owner, *, character_id, platform_account_id, content_id, scheduled_at: datetime | None,
                          tz: str = "", caption: str | None = None, hashtags: list[str] | None = None,
                          post_type: str = "post", recurrence_rule: str = "") -> ScheduledPost:
    """Schedule approved content on one of the character's accounts, stored in UTC.

    A naive ``scheduled_at`` is wall-clock time in ``tz`` (default: the
    character's zone); ``None`` means due now, for the scheduler's next run.
    Raises ``CharacterNotFound``, ``NotFound`` (account or content),
    ``ContentNotApproved`` and ``ValidationFailed`` (account or content of another
    character, a past time, an unknown zone, a bad recurrence, a post type the
    platform does not publish).
    """
    character = character_for(owner, character_id)
    account = _account_of(owner, character, platform_account_id)
    content = _content_of(owner, character, content_id)
    caption = content.caption if caption is None else caption
    hashtags = list(content.hashtags if hashtags is None else hashtags)
    _check_fits(character, account, content, caption=caption, hashtags=hashtags, post_type=post_type or "post")
    tz = tz or character.timezone
    when = timezone.now() if scheduled_at is None else _future(scheduled_at, tz)
    return ScheduledPost.objects.create(
        character=character, account=account, content=content, scheduled_at=when, timezone=tz,
        caption=caption, hashtags=hashtags, post_type=post_type or "post",
        recurrence=_recurrence(recurrence_rule, when, tz),
    )


def _check_fits(character: Character, account: PlatformAccount, content: ContentItem, *, caption: str,
                hashtags: list[str], post_type: str) -> None:
    """At scheduling time, what the platform will refuse at publishing time (``publishing.check_fits``)."""
    text = compose_text(Post(character=character, caption=caption, hashtags=hashtags, mentions=[]))
    publishing.check_fits(account, text=text, items=[content], post_type=post_type)


def schedule_for_rule(rule: AutomationRule, *, account: PlatformAccount, content: ContentItem, caption: str,
                      when: datetime) -> ScheduledPost:
    """Schedule ``content`` for an automation rule (its guards already passed; ``when`` may be now).

    ``caption`` is the rule's filled template, or the content's caption; the
    rule's hashtag strategy picks the hashtags (``personas.hashtags``).
    """
    template = caption if rule.caption_template else ""
    caption, tags = hashtags.styled(caption, list(content.hashtags), template=template,
                                    strategy=rule.hashtag_strategy)
    return ScheduledPost.objects.create(
        character=rule.character, account=account, content=content, scheduled_at=when,
        timezone=rule.character.timezone, caption=caption, hashtags=tags,
        post_type=rule_post_type(rule), created_by_rule=rule,
    )


def rule_post_type(rule: AutomationRule) -> str:
    """The post type a rule's posts take: its content category when that is one of seed 003's post types."""
    return rule.content_category if rule.content_category in RULE_POST_TYPES else "post"


def update_scheduled_post(owner, scheduled_post_id, *, platform_account_id=UNSET, content_id=UNSET,
                          scheduled_at=UNSET, tz=UNSET, caption=UNSET, hashtags=UNSET, post_type=UNSET,
                          recurrence_rule=UNSET) -> ScheduledPost:
    """Change the fields given, only while the post is still scheduled (``ValidationFailed`` otherwise)."""
    scheduled = scheduled_post_for(owner, scheduled_post_id)
    _require(scheduled, ScheduleStatus.SCHEDULED, "Only a scheduled post can be changed")
    fields: dict = {}
    if platform_account_id is not UNSET:
        fields["account"] = _account_of(owner, scheduled.character, platform_account_id)
    if content_id is not UNSET:
        fields["content"] = _content_of(owner, scheduled.character, content_id)
    for name, value in (("caption", caption), ("hashtags", hashtags), ("post_type", post_type)):
        if value is not UNSET:
            fields[name] = value
    account = fields.get("account", scheduled.account)
    _check_fits(scheduled.character, account, fields.get("content", scheduled.content),
                caption=fields.get("caption", scheduled.caption), hashtags=fields.get("hashtags", scheduled.hashtags),
                post_type=fields.get("post_type", scheduled.post_type) or "post")
    zone_name = scheduled.timezone if tz is UNSET or not tz else tz
    if tz is not UNSET and tz:
        recurrence.zone(zone_name)
        fields["timezone"] = zone_name
    if scheduled_at is not UNSET:
        fields["scheduled_at"] = _future(scheduled_at, zone_name)
    if {"scheduled_at", "timezone"} & fields.keys() or recurrence_rule is not UNSET:
        rule = scheduled.recurrence if recurrence_rule is UNSET else recurrence_rule
        fields["recurrence"] = _recurrence(rule, fields.get("scheduled_at", scheduled.scheduled_at), zone_name)
    with transaction.atomic():
        # Conditional on the status: the minute sweep may have claimed the row since it was read.
        if fields and not ScheduledPost.objects.filter(pk=scheduled.pk, status=ScheduleStatus.SCHEDULED).update(
                **fields):
            raise ValidationFailed("Only a scheduled post can be changed; this one is being published.",
                                   details={"status": ScheduleStatus.PUBLISHING})
        scheduled.refresh_from_db()
        _sync_pending_post(scheduled)
    return scheduled


def cancel_scheduled_post(owner, scheduled_post_id) -> ScheduledPost:
    """Cancel a scheduled (or failed) post; cancelling twice is harmless."""
    scheduled = scheduled_post_for(owner, scheduled_post_id)
    if scheduled.status == ScheduleStatus.CANCELLED:
        return scheduled
    cancellable = (ScheduleStatus.SCHEDULED, ScheduleStatus.FAILED)
    if not ScheduledPost.objects.filter(pk=scheduled.pk, status__in=cancellable).update(
            status=ScheduleStatus.CANCELLED):
        scheduled.refresh_from_db()
        raise ValidationFailed(f"A post that is {scheduled.status} cannot be cancelled.",
                               details={"status": scheduled.status})
    scheduled.refresh_from_db()
    return scheduled


def publish_due(now: datetime | None = None) -> int:
    """Publish every scheduled post that is due; returns how many this call claimed.

    Safe to run in any number of workers at once. Posts of a paused character
    (or one in error) wait, still scheduled, until it is active again.
    """
    now = now or timezone.now()
    recover_stuck(now=now)
    due = list(ScheduledPost.objects.filter(
        status=ScheduleStatus.SCHEDULED, scheduled_at__lte=now, character__status=CharacterStatus.ACTIVE,
        character__deleted_at__isnull=True,
    ).order_by("scheduled_at").values_list("pk", flat=True))
    return sum(1 for pk in due if publish_scheduled(pk, now=now))


def publish_scheduled(scheduled_post_id, *, now: datetime) -> bool:
    """Claim one due row and publish its occurrence; ``False`` when another worker had claimed it."""
    claimed = _claim(scheduled_post_id, now)
    if claimed is None:
        return False
    scheduled, post, occurrence = claimed
    # Holding this row's claim, a post still in publishing was left by a worker that died: resume it.
    resume = post.status == PostStatus.PUBLISHING
    try:
        post = publishing.publish(post, retry_later=True, resume=resume)
    except ConnectorError as exc:  # only retryable ones are raised; publish() fails the post on the others
        _after_failure(scheduled, post, exc.message, now, retryable=exc.retryable, retry_at=exc.retry_at)
    except StorageFailed as exc:  # the media could not be read; the storage may be back by the next try
        _after_failure(scheduled, post, exc.message, now, retryable=True)
    except ApplicationError as exc:  # not approved any more, account gone: retrying cannot help
        _after_failure(scheduled, post, exc.message, now, retryable=False)
    except Exception:
        logger.exception("Publishing scheduled post %s failed", scheduled.pk)
        _after_failure(scheduled, post, "Publishing failed unexpectedly.", now, retryable=True)
    else:
        _after_publish(scheduled, post, occurrence, now)
    return True


def recover_stuck(*, now: datetime | None = None) -> int:
    """Put rows whose worker died mid-publish back to scheduled; returns how many.

    They keep their occurrence's post, so the retry sends the same idempotency key.
    """
    now = now or timezone.now()
    return ScheduledPost.objects.filter(status=ScheduleStatus.PUBLISHING, claimed_at__lt=now - STUCK_AFTER).update(
        status=ScheduleStatus.SCHEDULED)


def occurrence_key(scheduled: ScheduledPost, occurrence: datetime) -> uuid.UUID:
    """The idempotency key of one occurrence: the same schedule and instant always give the same key."""
    return uuid.uuid5(scheduled.pk, occurrence.astimezone(UTC).isoformat())


def _claim(pk, now: datetime) -> tuple[ScheduledPost, Post, datetime] | None:
    with transaction.atomic():
        scheduled = ScheduledPost.objects.select_related("character", "account", "content", "post").filter(
            pk=pk, status=ScheduleStatus.SCHEDULED, scheduled_at__lte=now).first()
        if scheduled is None:
            return None
        occurrence = scheduled.scheduled_at
        # The lock: only one worker's UPDATE matches a scheduled row at this instant.
        if not ScheduledPost.objects.filter(pk=pk, status=ScheduleStatus.SCHEDULED, scheduled_at=occurrence).update(
                status=ScheduleStatus.PUBLISHING, claimed_at=now):
            return None
        post = scheduled.post
        if post is None:
            post, _ = Post.objects.get_or_create(idempotency_key=occurrence_key(scheduled, occurrence), defaults={
                "character": scheduled.character, "account": scheduled.account, "content": scheduled.content,
                "caption": scheduled.caption, "hashtags": scheduled.hashtags, "post_type": scheduled.post_type,
                "status": PostStatus.DRAFT,
            })
            ScheduledPost.objects.filter(pk=pk).update(post=post)
        scheduled.status, scheduled.claimed_at, scheduled.post = ScheduleStatus.PUBLISHING, now, post
    return scheduled, post, occurrence


def _after_publish(scheduled: ScheduledPost, post: Post, occurrence: datetime, now: datetime) -> None:
    if post.status == PostStatus.FAILED:  # refused for good (bad credentials, text over the limit)
        _after_failure(scheduled, post, post.error_message or "The platform refused the post.", now, retryable=False)
        return
    if post.status == PostStatus.DELETED:  # the operator deleted this occurrence's post: skip the occurrence
        _finish_occurrence(scheduled, post, occurrence, now, done=ScheduleStatus.CANCELLED,
                           error="The occurrence's post was deleted before it was published.")
        return
    if post.status != PostStatus.PUBLISHED:
        # publish() returned without posting: another worker holds the post's own claim. Look again soon;
        # not a failure, so attempts are not counted.
        _back_to_scheduled(scheduled, at=now + timedelta(minutes=1), attempts=scheduled.attempts,
                           error="The post is being published by another worker.")
        return
    _finish_occurrence(scheduled, post, occurrence, now, done=ScheduleStatus.PUBLISHED)


def _finish_occurrence(scheduled: ScheduledPost, post: Post, occurrence: datetime, now: datetime, *, done: str,
                       error: str = "") -> None:
    """A recurring row moves on to its next occurrence; a one-off (or an ended series) ends as ``done``."""
    following = None
    if scheduled.recurrence:
        following = recurrence.next_occurrence(scheduled.recurrence, scheduled.timezone, max(now, occurrence))
    if following is not None:
        ScheduledPost.objects.filter(pk=scheduled.pk, status=ScheduleStatus.PUBLISHING).update(
            status=ScheduleStatus.SCHEDULED, scheduled_at=following, attempts=0, last_error=error, post=None)
    else:
        ScheduledPost.objects.filter(pk=scheduled.pk, status=ScheduleStatus.PUBLISHING).update(
            status=done, last_error=error, post=post)


def _after_failure(scheduled: ScheduledPost, post: Post, message: str, now: datetime, *, retryable: bool,
                   retry_at: datetime | None = None) -> None:
    message = message[:2000]
    if retryable and retry_at is not None:
        # A platform limit: wait until it lifts. It says nothing about the post, so it is not an attempt.
        _back_to_scheduled(scheduled, at=max(retry_at, now), attempts=scheduled.attempts, error=message)
        return
    attempts = scheduled.attempts + 1
    if retryable and attempts <= MAX_RETRIES:
        delay = min(timedelta(minutes=2 ** (attempts - 1)), BACKOFF_CAP)
        _back_to_scheduled(scheduled, at=now + delay, attempts=attempts, error=message)
        return
    if ScheduledPost.objects.filter(pk=scheduled.pk, status=ScheduleStatus.PUBLISHING).update(
            status=ScheduleStatus.FAILED, attempts=attempts, last_error=message):
        character = scheduled.character
        notify(character.owner, EventName.ERROR_OCCURRED, {
            "character_id": str(character.pk), "scheduled_post_id": str(scheduled.pk), "post_id": str(post.pk),
            "platform": scheduled.account.platform, "status": ScheduleStatus.FAILED, "error_message": message,
        })


def _back_to_scheduled(scheduled: ScheduledPost, *, at: datetime, attempts: int, error: str) -> None:
    # Still conditional: after STUCK_AFTER the sweep may already have taken the row back.
    ScheduledPost.objects.filter(pk=scheduled.pk, status=ScheduleStatus.PUBLISHING).update(
        status=ScheduleStatus.SCHEDULED, scheduled_at=at, attempts=attempts, last_error=error)


def _sync_pending_post(scheduled: ScheduledPost) -> None:
    # An earlier attempt's post keeps its key (the platform may have seen it) but takes the edits.
    post = scheduled.post
    if post is not None and post.status in (PostStatus.DRAFT, PostStatus.FAILED):
        Post.objects.filter(pk=post.pk, status__in=(PostStatus.DRAFT, PostStatus.FAILED)).update(
            account=scheduled.account, content=scheduled.content, caption=scheduled.caption,
            hashtags=scheduled.hashtags, post_type=scheduled.post_type)


def _account_of(owner, character: Character, account_id) -> PlatformAccount:
    account = account_for(owner, account_id)
    if account.character_id != character.pk:
        raise ValidationFailed("The platform account belongs to another character.",
                               details={"platform_account_id": str(account.pk)})
    if account.connection_status == ConnectionStatus.DISCONNECTED:
        raise ValidationFailed("The platform account is disconnected; connect it again first.",
                               details={"platform_account_id": str(account.pk)})
    return account


def _content_of(owner, character: Character, content_id) -> ContentItem:
    content = approved_content(owner, content_id)
    if content.character_id != character.pk:
        raise ValidationFailed("The content belongs to another character.", details={"content_id": str(content.pk)})
    return content


def _future(value: datetime, tz: str) -> datetime:
    recurrence.zone(tz)
    when = recurrence.localize(value, tz)
    if when <= timezone.now():
        raise ValidationFailed("scheduled_at must be in the future.", details={"scheduled_at": when.isoformat()})
    return when


def _recurrence(rule: str, when: datetime, tz: str) -> str:
    if not (rule or "").strip():
        return ""
    anchored = recurrence.anchor_rule(recurrence.validate_rule(rule), when.astimezone(recurrence.zone(tz)))
    if len(anchored) > RECURRENCE_MAX:
        raise ValidationFailed(f"The recurrence rule is too long (at most {RECURRENCE_MAX - 30} characters).")
    return anchored


def _require(scheduled: ScheduledPost, status: str, what: str) -> None:
    if scheduled.status != status:
        raise ValidationFailed(f"{what}; this one is {scheduled.status}.", details={"status": scheduled.status})
