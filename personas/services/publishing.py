"""Posts: create (draft or published at once), publish exactly once, delete, sync counts.

Only approved content of the post's own character goes out, and every text
ends with the character's disclosure line. ``publish`` claims a post with a
conditional UPDATE (draft/failed -> publishing), so two workers cannot both
send it, and always sends the post's fixed idempotency key: Mastodon answers a
repeated ``Idempotency-Key`` with the status it already made, Bluesky cannot
create a second record under the same record key. A worker that dies after the
platform accepted the post therefore cannot cause a second post on retry.
"""

import logging
import mimetypes
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.errors import StorageFailed, ValidationFailed
from config.files.signing import media_url
from config.files.storage import storage_errors
from config.jobs.choices import EventType, JobStatus, StepStatus
from config.jobs.events import record_event
from config.jobs.models import Job
from config.jobs.services import create_job, set_progress
from personas import platform_rules, selectors, video
from personas.choices import CharacterStatus, ContentType, Metric, PostStatus
from personas.connectors import ConnectorError, MediaFile, PublishRequest, connector_class
from personas.errors import PlatformConnectionFailed
from personas.events import EventName, notify
from personas.models import ContentItem, MetricSample, PlatformAccount, Post
from personas.post_text import compose_text
from personas.services import accounts

logger = logging.getLogger("stagecraft.personas")

# How long the link a platform fetches a post's media from stays valid (its containers fetch it at once).
PUBLIC_MEDIA_SECONDS = 3600


def create_post(owner, *, character_id, platform_account_id, content_id, additional_content_ids=(),
                caption: str = "", hashtags=(), mentions=(), post_type: str = "post",
                publish_immediately: bool = False) -> Post:
    """Create a post from approved content; publish it now when asked (status published or failed).

    Raises ``CharacterNotFound``, ``NotFound`` (account or content), ``ContentNotApproved``,
    ``ValidationFailed`` (another character's account or content, a paused character, text or
    media over the platform's limits) and ``PlatformConnectionFailed`` (account not connected).
    """
    character = selectors.character_for(owner, character_id)
    account = selectors.account_for(owner, platform_account_id)
    if account.character_id != character.pk:
        raise ValidationFailed("The platform account belongs to another character.")
    if not account.is_connected:
        raise PlatformConnectionFailed(f"The {account.get_platform_display()} account is not connected.")
    if character.status != CharacterStatus.ACTIVE:
        raise ValidationFailed(f"The character is {character.status}; resume it before posting.",
                               details={"status": character.status, "reason": character.status_reason})
    items = [selectors.approved_content(owner, item_id) for item_id in [content_id, *additional_content_ids]]
    if any(item.character_id != character.pk for item in items):
        raise ValidationFailed("Content of another character cannot be posted.")
    post = Post(character=character, account=account, content=items[0],
                additional_content_ids=[str(item.pk) for item in items[1:]],
                caption=caption or items[0].caption, hashtags=list(hashtags) or list(items[0].hashtags),
                mentions=list(mentions), post_type=post_type)
    _check_fits(post, account, items)
    post.save()
    if publish_immediately:
        post = publish(post)
    return post


def _check_fits(post: Post, account: PlatformAccount, items: list[ContentItem]) -> None:
    check_fits(account, text=compose_text(post), items=items, post_type=post.post_type)


def check_fits(account: PlatformAccount, *, text: str, items: list[ContentItem], post_type: str) -> None:
    """Refuse before anything is sent what the platform would refuse anyway (``platform_rules``).

    ``ValidationFailed`` names every rule broken, in words, and lists them in ``details.problems``.
    """
    connector = connector_class(account.platform)
    connector.check_post_type(post_type)
    found = platform_rules.problems(account.platform, text=text, media=media_facts(items))
    if found:
        raise ValidationFailed(" ".join(found), details={"platform": account.platform, "problems": found})
    connector(server_url=account.server_url).check_text(text)  # what a platform checks beyond the table


def media_facts(items: list[ContentItem]) -> list[platform_rules.MediaFacts]:
    """What the platform rules need to know of the items' media files, from what was stored with them."""
    facts = []
    for item in items:
        if item.file:
            kind = "video" if item.content_type == ContentType.VIDEO else "image"
            facts.append(platform_rules.MediaFacts(kind, item.width or 0, item.height or 0, item.file_size or 0,
                                                   seconds=item.duration_seconds, codec=item.video_codec))
        facts += [platform_rules.MediaFacts("image", media["width"], media["height"], media["size"])
                  for media in item.extra_media]
    return facts


def publish(post: Post, *, retry_later: bool = False, resume: bool = False,
            on_progress: Callable[[float], None] | None = None) -> Post:
    """Send ``post`` to its platform once and return it reloaded.

    A published post comes back as it is. The claim is a conditional UPDATE
    from draft or failed (and, with ``resume``, from a publishing claim whose
    worker died) to publishing; losing it returns the post untouched. On a
    platform error the post is failed with the message; with ``retry_later``
    a retryable error is raised afterwards for the caller's backoff (the post
    keeps its idempotency key, so the retry cannot post twice). Media the
    storage cannot read fails the post and raises ``StorageFailed`` (the
    documented STORAGE_ERROR); nothing was sent. ``on_progress(fraction)`` hears a long
    upload advance, where the platform's upload reports it (YouTube's resumable upload).
    """
    claimable = [PostStatus.DRAFT, PostStatus.FAILED] + ([PostStatus.PUBLISHING] if resume else [])
    claimed = Post.objects.filter(pk=post.pk, status__in=claimable).update(
        status=PostStatus.PUBLISHING, attempts=F("attempts") + 1)
    post = Post.objects.select_related("character__owner", "account", "content").get(pk=post.pk)
    if not claimed:
        return post
    try:
        if post.character.status != CharacterStatus.ACTIVE:
            raise ValidationFailed(f"The character is {post.character.status}; nothing is posted for it.")
        connector = accounts.ready_connector(post.account)
        connector.media_url_for = lambda media: public_media_url(post, media)
        connector.on_progress = on_progress
        published = connector.publish(PublishRequest(text=compose_text(post), media=_media_of(post),
                                                     idempotency_key=str(post.idempotency_key), ai_flag=True,
                                                     post_type=post.post_type))
    except (ConnectorError, ValidationFailed, PlatformConnectionFailed) as exc:
        _fail(post, exc)
        if retry_later and getattr(exc, "retryable", False):
            raise
        return post
    except StorageFailed as exc:
        # The media could not be read: nothing was sent. The caller answers the documented STORAGE_ERROR.
        _fail(post, exc)
        raise
    except Exception:
        # Never leave a claimed post in publishing; a retry resends the same key, so it cannot post twice.
        _fail(post, PlatformConnectionFailed("Publishing stopped on an internal error; it can be retried."))
        raise
    with transaction.atomic():
        post.status, post.published_at = PostStatus.PUBLISHED, timezone.now()
        post.platform_post_id, post.platform_post_url = published.platform_post_id, published.url
        post.error_message = ""
        post.save(update_fields=["status", "published_at", "platform_post_id", "platform_post_url",
                                 "error_message"])
        ContentItem.objects.filter(pk__in=_content_ids(post)).update(times_used=F("times_used") + 1)
        notify(post.character.owner, EventName.POST_PUBLISHED,
               {"character_id": str(post.character_id), "post_id": str(post.pk), "platform": post.account.platform,
                "status": post.status, "platform_post_url": post.platform_post_url})
    return post


def _fail(post: Post, exc: Exception) -> None:
    message = getattr(exc, "message", str(exc))
    Post.objects.filter(pk=post.pk).update(status=PostStatus.FAILED, error_message=message[:2000])
    post.status, post.error_message = PostStatus.FAILED, message
    if isinstance(exc, ConnectorError):
        accounts.note_failure(post.account, exc)
    notify(post.character.owner, EventName.ERROR_OCCURRED,
           {"character_id": str(post.character_id), "post_id": str(post.pk), "message": message})


def _content_ids(post: Post) -> list:
    return [post.content_id, *post.additional_content_ids] if post.content_id else list(post.additional_content_ids)


def _media_of(post: Post) -> list[MediaFile]:
    items = {str(item.pk): item for item in ContentItem.objects.filter(pk__in=_content_ids(post))}
    media = []
    for item_id in _content_ids(post):
        item = items.get(str(item_id))
        for name in item.media_names if item is not None else []:
            try:
                with storage_errors(), default_storage.open(name, "rb") as handle:
                    data = handle.read()
            except StorageFailed as exc:
                raise StorageFailed("The post's media could not be read from storage; nothing was sent.") from exc
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if item.video_codec and item.video_codec not in platform_rules.video_codecs(post.account.platform):
                data, mime = video.to_h264(data), "video/mp4"  # e.g. a VP9 WebM for Instagram
            media.append(MediaFile(data=data, mime_type=mime, alt_text=item.alt_text))
    return media


def public_media_url(post: Post, media: MediaFile) -> str:
    """A URL the platform itself can fetch ``media`` from (Instagram and Threads take media by URL).

    The file is stored under the post and answered by a signed link that expires in
    ``PUBLIC_MEDIA_SECONDS``; a relative link (the embedded mode's own media view) gets ``SITE_URL``.
    """
    extension = mimetypes.guess_extension(media.mime_type) or ".bin"
    with storage_errors():
        name = default_storage.save(f"personas/outgoing/{post.pk}/{uuid.uuid4().hex}{extension}",
                                    ContentFile(media.data))
    url = media_url(name, expires_in=PUBLIC_MEDIA_SECONDS)
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def queue_publish(post: Post) -> Job:
    """Publish ``post`` on a worker (``tasks.publish_post``) after commit; ``settle_publish`` ends it."""
    return create_job(post.character.owner, kind="personas_publish", task="personas.tasks.publish_post",
                      params={"post_id": str(post.pk)}, metered=False, max_attempts=3,
                      on_finish="personas.ending.on_publish_finished")


def publish_job(job: Job) -> dict:
    """``tasks.publish_post``: publish the job's post; a redelivered job resumes its own claim."""
    post = Post.objects.get(pk=job.params["post_id"])
    post = publish(post, retry_later=True, resume=job.attempts > 1, on_progress=lambda done: _uploaded(job, done))
    if post.status == PostStatus.FAILED:
        raise PlatformConnectionFailed(post.error_message)
    return {"post_id": str(post.pk), "status": post.status, "platform_post_id": post.platform_post_id}


def _uploaded(job: Job, fraction: float) -> None:
    """A long upload advanced: the job's progress, and an event its watchers see."""
    set_progress(job, fraction=0.9 * fraction)
    record_event(job, EventType.STEP_UPDATE, step="upload", status=StepStatus.RUNNING,
                 data={"uploaded": round(fraction, 3)})


def settle_publish(job: Job) -> None:
    """The publish job's ``on_finish``: a post its job left in publishing ends failed, and the owner is told.

    The task fails the post itself on a platform error; this covers the ends
    the task never saw (the sweep's timeout, a worker lost on its last
    attempt, a cancel). The post keeps its idempotency key, so publishing it
    again cannot post twice even if the platform had accepted it. Safe to run
    twice: only a post still in publishing is changed. A job that completed
    published its post and leaves nothing to settle.
    """
    if job.status == JobStatus.COMPLETED:
        return
    message = (job.error_message or f"The publish job was {job.status}.")[:2000]
    if not Post.objects.filter(pk=job.params.get("post_id"), status=PostStatus.PUBLISHING).update(
            status=PostStatus.FAILED, error_message=message):
        return
    post = Post.objects.select_related("character__owner").get(pk=job.params["post_id"])
    notify(post.character.owner, EventName.ERROR_OCCURRED,
           {"character_id": str(post.character_id), "post_id": str(post.pk), "message": message})


def delete_post(owner, *, post_id) -> Post:
    """Delete the post on its platform first (if it got there), then mark it deleted here."""
    post = selectors.post_for(owner, post_id)
    if post.platform_post_id and post.status == PostStatus.PUBLISHED:
        try:
            accounts.ready_connector(post.account).delete(post.platform_post_id)
        except ConnectorError as exc:
            accounts.note_failure(post.account, exc)
            raise
    post.status = PostStatus.DELETED
    post.save(update_fields=["status"])
    return post


def sync_post(post: Post) -> Post:
    """Read the post's live counts into its fields and as metric samples."""
    if post.status != PostStatus.PUBLISHED or not post.platform_post_id:
        raise ValidationFailed("Only published posts have counts to sync.", details={"status": post.status})
    try:
        metrics = accounts.ready_connector(post.account).fetch_post_metrics(post.platform_post_id)
    except ConnectorError as exc:
        accounts.note_failure(post.account, exc)
        raise
    now = timezone.now()
    with transaction.atomic():
        post.likes_count, post.comments_count, post.shares_count = metrics.likes, metrics.comments, metrics.shares
        post.last_synced_at = now
        post.save(update_fields=["likes_count", "comments_count", "shares_count", "last_synced_at"])
        MetricSample.objects.bulk_create([
            MetricSample(account=post.account, post=post, metric=metric, value=value, sampled_at=now)
            for metric, value in ((Metric.LIKES, metrics.likes), (Metric.COMMENTS, metrics.comments),
                                  (Metric.SHARES, metrics.shares))
        ])
    return post
