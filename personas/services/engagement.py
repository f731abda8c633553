"""Engagement: likes, replies and follows made by a character, and what comes back.

Outbound actions are performed live through the account's connector and
recorded as ``EngagementAction`` rows (completed or failed). ``sync_account``
reads followers, the counts of recent posts and new notifications back;
notifications become inbound rows, deduplicated on the platform's id, and
every figure read becomes a ``MetricSample`` for analytics.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import ValidationFailed
from personas import selectors
from personas.choices import (
    ActionStatus,
    CharacterStatus,
    ConnectionStatus,
    Direction,
    EngagementType,
    Metric,
    PostStatus,
)
from personas.connectors import ConnectorError, Notification, Target
from personas.errors import PlatformConnectionFailed
from personas.events import EventName, notify
from personas.models import EngagementAction, MetricSample, PlatformAccount, Post
from personas.services import accounts, automation

logger = logging.getLogger("stagecraft.personas")

OUTBOUND = (EngagementType.LIKE, EngagementType.COMMENT, EngagementType.FOLLOW)
INBOUND_TYPES = {"favourite": EngagementType.FAVOURITE, "reblog": EngagementType.REBLOG,
                 "mention": EngagementType.MENTION, "follow": EngagementType.FOLLOWED}
# Posts whose counts a periodic sync refreshes: recent ones, a bounded number per account.
RECENT_POSTS = timedelta(days=30)
POSTS_PER_SYNC = 20


def perform_action(owner, *, action_type: str, character_id, platform_account_id, target_type: str = "post",
                   target_id: str = "", target_url: str = "", comment_text: str = "") -> EngagementAction:
    """Like, comment on or follow ``target`` as the character, live; return the recorded action.

    The row ends completed (with the platform's id of what was created) or failed
    (with the platform's message). Raises before anything is sent for another
    user's character or account (404), another character's account, a paused
    character, a missing target or comment text (400) and an unconnected account.
    """
    if action_type not in OUTBOUND:
        raise ValidationFailed("action_type must be like, comment or follow.")
    character = selectors.character_for(owner, character_id)
    account = selectors.account_for(owner, platform_account_id)
    if account.character_id != character.pk:
        raise ValidationFailed("The platform account belongs to another character.")
    if character.status != CharacterStatus.ACTIVE:
        raise ValidationFailed(f"The character is {character.status}; resume it first.")
    if not (target_id or target_url):
        raise ValidationFailed("target_id or target_url is required.")
    if action_type == EngagementType.COMMENT and not comment_text.strip():
        raise ValidationFailed("comment_text is required.")
    connector = accounts.ready_connector(account)
    action = EngagementAction.objects.create(
        character=character, account=account, action_type=action_type, direction=Direction.OUTBOUND,
        target_type=target_type, target_id=target_id, target_url=target_url, comment_text=comment_text)
    target = Target(id=target_id, url=target_url)
    try:
        if action_type == EngagementType.LIKE:
            done = connector.like(target)
        elif action_type == EngagementType.COMMENT:
            done = connector.comment(target, comment_text)
        else:
            done = connector.follow(target)
    except (ConnectorError, ValidationFailed) as exc:
        return _failed(action, exc)
    return _completed(action, done.platform_action_id)


def _completed(action: EngagementAction, platform_action_id: str) -> EngagementAction:
    action.status, action.completed_at = ActionStatus.COMPLETED, timezone.now()
    action.platform_action_id = platform_action_id
    try:
        with transaction.atomic():
            action.save(update_fields=["status", "completed_at", "platform_action_id"])
    except IntegrityError:
        # The same favourite or follow made before: the platform holds one, and so do we.
        action.delete()
        return EngagementAction.objects.get(account=action.account, direction=Direction.OUTBOUND,
                                            platform_action_id=platform_action_id)
    notify(action.character.owner, EventName.ENGAGEMENT_ACTION_COMPLETED, _event(action))
    return action


def _failed(action: EngagementAction, exc: Exception) -> EngagementAction:
    action.status, action.completed_at = ActionStatus.FAILED, timezone.now()
    action.error_message = getattr(exc, "message", str(exc))[:2000]
    action.save(update_fields=["status", "completed_at", "error_message"])
    if isinstance(exc, ConnectorError):
        accounts.note_failure(action.account, exc)
    notify(action.character.owner, EventName.ERROR_OCCURRED, {**_event(action), "message": action.error_message})
    return action


def _event(action: EngagementAction) -> dict:
    return {"character_id": str(action.character_id), "action_id": str(action.pk),
            "platform": action.account.platform, "action_type": action.action_type, "status": action.status}


def sync_account(account: PlatformAccount) -> dict:
    """Read followers, recent posts' counts and new notifications from the platform; store them.

    Returns what was read (``followers``, ``new_actions``, ``posts_synced``).
    Raises ``PlatformConnectionFailed``; refused credentials also put the account in error.
    """
    connector = accounts.ready_connector(account)
    try:
        metrics = connector.fetch_metrics()
        notifications, cursor = connector.fetch_notifications(account.notifications_cursor)
    except ConnectorError as exc:
        accounts.note_failure(account, exc)
        raise
    now = timezone.now()
    with transaction.atomic():
        account.follower_count, account.notifications_cursor, account.last_synced_at = metrics.followers, cursor, now
        account.save(update_fields=["follower_count", "notifications_cursor", "last_synced_at"])
        MetricSample.objects.create(account=account, metric=Metric.FOLLOWERS, value=metrics.followers, sampled_at=now)
        new_actions = _store_notifications(account, notifications)
    posts_synced = _sync_recent_posts(account)
    # engagement_threshold rules look at what this sync stored.
    automation.on_engagement(account)
    return {"followers": metrics.followers, "new_actions": new_actions, "posts_synced": posts_synced}


def _store_notifications(account: PlatformAccount, notifications: list[Notification]) -> int:
    known = set(EngagementAction.objects.filter(account=account, direction=Direction.INBOUND,
                                                platform_action_id__in=[n.id for n in notifications])
                .values_list("platform_action_id", flat=True))
    rows = [EngagementAction(character_id=account.character_id, account=account,
                             action_type=INBOUND_TYPES[n.kind], direction=Direction.INBOUND,
                             target_type=n.target_type, target_id=n.target_id[:300], target_url=n.target_url[:500],
                             comment_text=n.text, platform_action_id=n.id[:300], status=ActionStatus.COMPLETED,
                             created_at=n.created_at, completed_at=n.created_at)
            for n in notifications if n.id not in known and n.kind in INBOUND_TYPES]
    # ignore_conflicts: a concurrent sync of the same account may have stored some already.
    EngagementAction.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _sync_recent_posts(account: PlatformAccount) -> int:
    from personas.services.publishing import sync_post

    recent = Post.objects.filter(account=account, status=PostStatus.PUBLISHED,
                                 published_at__gte=timezone.now() - RECENT_POSTS).exclude(platform_post_id="")
    synced = 0
    for post in recent.select_related("account", "character")[:POSTS_PER_SYNC]:
        try:
            sync_post(post)
            synced += 1
        except PlatformConnectionFailed as exc:  # a deleted post should not stop the rest
            logger.info("Post %s not synced: %s", post.pk, exc.message)
            if getattr(exc, "retryable", False) or post.account.connection_status != ConnectionStatus.CONNECTED:
                break
    return synced


def sync_all_accounts() -> int:
    """Every 15 minutes: sync each connected account; return how many were synced."""
    synced = 0
    for account in PlatformAccount.objects.filter(connection_status=ConnectionStatus.CONNECTED).select_related(
            "character__owner").filter(character__deleted_at__isnull=True):
        try:
            sync_account(account)
            synced += 1
        except PlatformConnectionFailed as exc:
            logger.warning("Sync of account %s failed: %s", account.pk, exc.message)
    return synced
