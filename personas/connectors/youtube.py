"""YouTube through the Data API v3 with the channel owner's OAuth token (Google's consent page).

Documented at developers.google.com/youtube/v3: ``channels.list`` (``mine=true``),
``videos.insert`` by the resumable upload protocol, ``videos.list/delete/rate``,
``commentThreads`` and ``subscriptions.insert``. Tokens come from Google's own
token host (``oauth2.googleapis.com/token``: ``OAuthSpec.token_base``) and last
an hour; the refresh token (``access_type=offline``, ``prompt=consent``) is kept
by Google across refreshes. Besides ``youtube.upload`` and ``youtube.readonly``
the consent asks for ``youtube.force-ssl``: delete, rate, comment and subscribe
refuse a token without it (403 ``insufficientPermissions``).

Not ``google-api-python-client``: it sends through httplib2, bypassing the
outbound policy (``config/net.py``), the deadlines and the tests' stand-ins,
and the resumable protocol is three documented requests. POST the metadata
(``Location`` answers the session URI); PUT the bytes in chunks of a multiple
of 256 KiB (``308 Resume Incomplete`` with ``Range: bytes=0-N`` says what
arrived, the next chunk starts at N+1); after an interruption, PUT
``Content-Range: bytes */total`` to ask where the upload stands.

One video per post. Its title is the text's first line, cut as ``platform_rules``
cuts a YouTube title; the whole text is the description (5000 bytes at most:
longer is refused, not cut, since it ends with the disclosure line).
``status.containsSyntheticMedia`` carries ``PublishRequest.ai_flag``. YouTube
has no idempotency key, so the upload carries a tag made from the post's key
and ``publish`` first looks for that tag among the channel's latest uploads: a
retry after a lost answer returns that video rather than uploading another.

``post_types`` stays ``("post",)``: the API has no Shorts switch (YouTube files
a short vertical video under Shorts itself), and ``("video", "short")`` would
make ``check_post_type`` refuse the default post type of every post.
Notifications are others' new comments on the channel's videos, as mentions;
YouTube has no API for likes or subscriber notifications.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings
from django.utils.html import strip_tags

from config import net
from config.errors import ValidationFailed
from personas import platform_rules
from personas.connectors.base import (
    AccountInfo,
    AccountMetrics,
    ActionDone,
    AuthExpired,
    Connector,
    ConnectorError,
    MediaFile,
    Notification,
    PostMetrics,
    Published,
    PublishRequest,
    Target,
    error_for,
    network_error,
    retry_at_from,
)
from personas.oauth import OAuthApp, OAuthSpec, app_for

SCOPE = "https://www.googleapis.com/auth/"
PRIVACY = ("public", "private", "unlisted")
CATEGORY_PEOPLE_AND_BLOGS = "22"
DESCRIPTION_BYTES = 5000  # snippet.description; the rules' text limit is the title's
CHUNK_UNIT = 256 * 1024  # every chunk but the last is a multiple of this
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
# Daily quotas reset at midnight Pacific time.
QUOTA_ZONE = ZoneInfo("America/Los_Angeles")
RECENT_UPLOADS = 25
MAX_PAGES = 5
VIDEO_ID = re.compile(r"(?:[?&]v=|youtu\.be/|/shorts/|/embed/)([\w-]{11})")


def idempotency_tag(key: str) -> str:
    """The tag that marks the upload of the post with this key (a hash: the key itself stays private)."""
    return "sc-" + hashlib.sha256(str(key).encode()).hexdigest()[:16]


def watch_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


def _plain(text: str) -> str:
    # Titles and descriptions may hold any UTF-8 except "<" and ">" (invalidTitle / invalidDescription).
    return text.replace("<", "\u2039").replace(">", "\u203a")


def title_of(text: str) -> str:
    """The text's first non-empty line, cut as ``platform_rules`` cuts a YouTube title."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return platform_rules.cut("youtube", _plain(first), platform_rules.YOUTUBE_TITLE_LIMIT)


class YouTubeConnector(Connector):
    platform = "youtube"
    max_images = 0
    oauth = OAuthSpec(env_name="YOUTUBE", api_base="https://www.googleapis.com",
                      auth_base="https://accounts.google.com", authorize_path="/o/oauth2/v2/auth",
                      token_path="/token", token_base="https://oauth2.googleapis.com",
                      scopes=(SCOPE + "youtube.upload", SCOPE + "youtube.readonly", SCOPE + "youtube.force-ssl"),
                      pkce=True, client_auth="body",
                      extra_authorize_params=(("access_type", "offline"), ("prompt", "consent")))
    # Bytes per PUT (a multiple of CHUNK_UNIT); interruptions of one upload survived before giving up.
    chunk_size = 32 * CHUNK_UNIT
    resume_attempts = 3

    def __init__(self, *, server_url: str = "", privacy_status: str = "",
                 on_progress: Callable[[float], None] | None = None, **kwargs) -> None:
        """``privacy_status``: public, private or unlisted (default ``PERSONAS_YOUTUBE_PRIVACY``);
        ``on_progress(fraction)`` hears the upload advance."""
        privacy_status = privacy_status or settings.PERSONAS_YOUTUBE_PRIVACY
        if privacy_status not in PRIVACY:
            raise ValueError(f"privacy_status must be one of {PRIVACY}, not {privacy_status!r}.")
        super().__init__(server_url=server_url, **kwargs)
        self.privacy_status = privacy_status
        self.on_progress = on_progress

    # -- plumbing ---------------------------------------------------------------------------------------

    def _headers(self, extra: dict | None = None) -> dict:
        return {"Authorization": f"Bearer {self.credentials.get('access_token', '')}", **(extra or {})}

    def _call(self, method: str, path: str, what: str, *, ok_missing: bool = False, **kwargs) -> httpx.Response:
        headers = self._headers(kwargs.pop("headers", None))
        try:
            with self.client() as client:
                response = client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise network_error("YouTube", exc) from None
        if response.status_code == 404 and ok_missing:
            return response
        if response.status_code >= 400:
            raise _failure(response, what)
        return response

    def _channel(self, parts: str) -> dict:
        found = self._call("GET", "/youtube/v3/channels", "read the channel",
                           params={"part": parts, "mine": "true"}).json().get("items") or []
        if not found:
            raise ConnectorError("This Google account has no YouTube channel; create one on YouTube first.")
        return found[0]

    def _channel_id(self) -> str:
        if not self.credentials.get("channel_id"):
            self.credentials["channel_id"] = self._channel("id")["id"]
        return self.credentials["channel_id"]

    # -- account ----------------------------------------------------------------------------------------

    def connect(self, credentials: dict) -> AccountInfo:
        if not credentials.get("access_token"):
            raise ConnectorError("YouTube connects through Google's consent page; start it from the connections page.")
        self.credentials = {key: credentials[key] for key in ("access_token", "refresh_token", "expires_at")
                            if credentials.get(key)}
        channel = self._channel("snippet,statistics,contentDetails")
        snippet, statistics = channel.get("snippet") or {}, channel.get("statistics") or {}
        self.credentials["channel_id"] = channel["id"]
        uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
        if uploads:
            self.credentials["uploads_playlist"] = uploads
        expires_at = self.credentials.get("expires_at")
        return AccountInfo(platform_user_id=channel["id"], username=snippet.get("customUrl") or snippet["title"],
                           url=f"https://www.youtube.com/channel/{channel['id']}",
                           follower_count=int(statistics.get("subscriberCount") or 0), credentials=self.credentials,
                           token_expires_at=datetime.fromisoformat(expires_at) if expires_at else None)

    def refresh(self, credentials: dict) -> dict:
        """A fresh access token for the stored refresh token, which Google keeps (and seldom sends again)."""
        self.credentials = dict(credentials)
        if not credentials.get("refresh_token"):
            raise AuthExpired("Google gave no refresh token for this channel; connect the account again.")
        fresh = self.token_grant(self._app(), {"grant_type": "refresh_token",
                                               "refresh_token": credentials["refresh_token"]},
                                 "refresh the access token")
        self.credentials = {**credentials, **fresh}
        return self.credentials

    def _app(self) -> OAuthApp:
        app = app_for(self.oauth)
        if app is None:
            raise ConnectorError("YouTube is no longer configured in this deployment; its tokens cannot be "
                                 "refreshed.")
        return app

    # -- publishing -------------------------------------------------------------------------------------

    def check_text(self, text: str) -> None:
        """The description is the whole text, at most 5000 bytes; the title is its first line, cut to fit."""
        size = len(text.encode())
        if size > DESCRIPTION_BYTES:
            raise ValidationFailed(f"YouTube allows {DESCRIPTION_BYTES} bytes in a description; this one has "
                                   f"{size}. (The disclosure line counts too.)",
                                   details={"length": size, "limit": DESCRIPTION_BYTES})

    def publish(self, request: PublishRequest) -> Published:
        video = _the_video(request.media)
        self.check_text(request.text)
        title = title_of(request.text)
        if not title:
            raise ConnectorError("YouTube needs a title, and the post's text is empty.")
        tag = idempotency_tag(request.idempotency_key)
        video_id = self._uploaded_with(tag)
        if video_id is None:
            metadata = {
                "snippet": {"title": title, "description": _plain(request.text), "tags": [tag],
                            "categoryId": CATEGORY_PEOPLE_AND_BLOGS},
                "status": {"privacyStatus": self.privacy_status, "selfDeclaredMadeForKids": False,
                           "containsSyntheticMedia": bool(request.ai_flag)},
            }
            video_id = self._upload(self._start_upload(metadata, video), video.data)["id"]
        return Published(platform_post_id=video_id, url=watch_url(video_id))

    def _uploaded_with(self, tag: str) -> str | None:
        """The id of one of the channel's latest uploads tagged ``tag``: an earlier attempt of this post."""
        playlist = self.credentials.get("uploads_playlist")
        if not playlist:
            channel = self._channel("contentDetails")
            playlist = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
        if not playlist:
            return None
        # A channel without uploads may answer 404 (playlistNotFound) for its empty uploads playlist.
        listed = self._call("GET", "/youtube/v3/playlistItems", "read the channel's uploads", ok_missing=True,
                            params={"part": "contentDetails", "playlistId": playlist, "maxResults": RECENT_UPLOADS})
        items = (listed.json().get("items") or []) if listed.status_code == 200 else []
        ids = [item["contentDetails"]["videoId"] for item in items]
        if not ids:
            return None
        videos = self._call("GET", "/youtube/v3/videos", "read the channel's uploads",
                            params={"part": "snippet", "id": ",".join(ids)}).json().get("items") or []
        return next((item["id"] for item in videos if tag in ((item.get("snippet") or {}).get("tags") or [])), None)

    def _start_upload(self, metadata: dict, video: MediaFile) -> str:
        response = self._call(
            "POST", "/upload/youtube/v3/videos", "start the video upload",
            params={"uploadType": "resumable", "part": "snippet,status"}, content=json.dumps(metadata).encode(),
            headers={"Content-Type": "application/json; charset=UTF-8", "X-Upload-Content-Type": video.mime_type,
                     "X-Upload-Content-Length": str(len(video.data))})
        session = response.headers.get("Location", "")
        if not session:
            raise ConnectorError("YouTube did not answer with an upload session.", retryable=True)
        return session

    def _upload(self, session: str, data: bytes) -> dict:
        """PUT ``data`` to the session in chunks; the video resource once the last byte is in."""
        total, offset, interruptions = len(data), 0, 0
        with self.client() as client:
            while True:
                end = min(offset + self.chunk_size, total)
                response = self._put(client, session, data[offset:end], f"bytes {offset}-{end - 1}/{total}")
                if response is not None and response.status_code in (200, 201):
                    self._progress(1.0)
                    return response.json()
                if response is not None and response.status_code == 308:
                    received = _received(response)
                    if received > offset:  # the server says how much arrived; resend the rest
                        offset, interruptions = received, 0
                        self._progress(received / total)
                        continue
                elif response is not None and response.status_code in (404, 410):
                    raise ConnectorError("YouTube's upload session ended before the video was in; publishing "
                                         "again starts a new upload.", retryable=True)
                elif response is not None and response.status_code < 500:
                    raise _failure(response, "upload the video")
                # A 5xx, a broken connection or a chunk that did not advance: ask where the upload stands.
                interruptions += 1
                if interruptions > self.resume_attempts:
                    raise ConnectorError(f"The video upload to YouTube was interrupted {interruptions} times; "
                                         "it will be tried again.", retryable=True)
                status = self._put(client, session, b"", f"bytes */{total}")
                if status is not None and status.status_code in (200, 201):
                    self._progress(1.0)
                    return status.json()
                if status is not None and status.status_code == 308:
                    offset = _received(status)

    def _put(self, client: httpx.Client, session: str, chunk: bytes, content_range: str) -> httpx.Response | None:
        """One PUT to the upload session; ``None`` when the connection failed on the way (worth resuming)."""
        try:
            return client.put(session, content=chunk, headers=self._headers({"Content-Range": content_range}))
        except httpx.HTTPError as exc:
            if isinstance(exc, net.OutboundRefused):
                raise network_error("YouTube", exc) from None  # the policy's refusal is final
            return None

    def _progress(self, fraction: float) -> None:
        if self.on_progress is not None:
            self.on_progress(fraction)

    def delete(self, platform_post_id: str) -> None:
        self._call("DELETE", "/youtube/v3/videos", "delete the video", ok_missing=True,
                   params={"id": platform_post_id})

    # -- engagement -------------------------------------------------------------------------------------

    def like(self, target: Target) -> ActionDone:
        video_id = _video_id(target)
        self._call("POST", "/youtube/v3/videos/rate", "like the video", params={"id": video_id, "rating": "like"})
        # Rating twice is one like, so the action's id is the video it names.
        return ActionDone(f"like:{video_id}")

    def comment(self, target: Target, text: str) -> ActionDone:
        body = {"snippet": {"videoId": _video_id(target), "topLevelComment": {"snippet": {"textOriginal": text}}}}
        thread = self._call("POST", "/youtube/v3/commentThreads", "post the comment", params={"part": "snippet"},
                            json=body).json()
        return ActionDone(str(thread["id"]))

    def follow(self, target: Target) -> ActionDone:
        channel_id = self._channel_of(target)
        body = {"snippet": {"resourceId": {"kind": "youtube#channel", "channelId": channel_id}}}
        try:
            subscription = self._call("POST", "/youtube/v3/subscriptions", "subscribe to the channel",
                                      params={"part": "snippet"}, json=body).json()
        except ConnectorError as exc:
            if (exc.details or {}).get("platform_reason") == "subscriptionDuplicate":
                return ActionDone(f"subscription:{channel_id}")  # already subscribed: done
            raise
        return ActionDone(str(subscription["id"]))

    def _channel_of(self, target: Target) -> str:
        """A channel id (``UC...``) from the target's id, its ``/channel/`` URL or its ``@handle``."""
        value = target.id or target.url
        if match := re.search(r"/channel/([\w-]+)", value):
            return match.group(1)
        handle = re.search(r"(@[\w.-]+)", value)
        if not handle:
            return value
        found = self._call("GET", "/youtube/v3/channels", "look up the channel",
                           params={"part": "id", "forHandle": handle.group(1)}).json().get("items") or []
        if not found:
            raise ConnectorError(f"YouTube has no channel {handle.group(1)}.")
        return found[0]["id"]

    def fetch_metrics(self) -> AccountMetrics:
        statistics = self._channel("statistics").get("statistics") or {}
        return AccountMetrics(followers=int(statistics.get("subscriberCount") or 0),
                              posts=int(statistics["videoCount"]) if "videoCount" in statistics else None)

    def fetch_post_metrics(self, platform_post_id: str) -> PostMetrics:
        found = self._call("GET", "/youtube/v3/videos", "read the video's counts",
                           params={"part": "statistics", "id": platform_post_id}).json().get("items") or []
        if not found:
            raise ConnectorError(f"YouTube has no video {platform_post_id}; it may have been deleted.")
        statistics = found[0].get("statistics") or {}
        # YouTube has no shares count in the API.
        return PostMetrics(likes=int(statistics.get("likeCount") or 0),
                           comments=int(statistics.get("commentCount") or 0), shares=0)

    def fetch_notifications(self, since_cursor: str) -> tuple[list[Notification], str]:
        """Others' comments on the channel's videos after the cursor (the newest comment's time), as mentions."""
        channel_id = self._channel_id()
        since = datetime.fromisoformat(since_cursor) if since_cursor else None
        params = {"part": "snippet", "allThreadsRelatedToChannelId": channel_id, "order": "time", "maxResults": 50}
        found: list[Notification] = []
        # Newest first: page back until a comment at or before the cursor.
        for _ in range(MAX_PAGES):
            page = self._call("GET", "/youtube/v3/commentThreads", "read the channel's comments",
                              params=params).json()
            threads = page.get("items") or []
            fresh = [_notification(thread) for thread in threads if _author(thread) != channel_id]
            found += [item for item in fresh if since is None or item.created_at > since]
            older = [thread for thread in threads if since and _published(thread) <= since]
            if not page.get("nextPageToken") or older:
                break
            params["pageToken"] = page["nextPageToken"]
        newest = max((item.created_at for item in found), default=None)
        return found, newest.isoformat() if newest else since_cursor


def _the_video(media: list[MediaFile]) -> MediaFile:
    videos = [item for item in media if item.mime_type.startswith("video/")]
    if not media:
        raise ConnectorError("YouTube publishes videos only, and this post has no video.")
    if len(media) > 1 or not videos:
        raise ConnectorError(f"YouTube publishes exactly one video per post; this post has {len(videos)} video(s) "
                             f"and {len(media) - len(videos)} other file(s).")
    if not videos[0].data:
        raise ConnectorError("The video file is empty.")
    return videos[0]


def _received(response: httpx.Response) -> int:
    """How many bytes a ``308 Resume Incomplete`` says arrived (``Range: bytes=0-N``; none without the header)."""
    match = re.fullmatch(r"bytes=0-(\d+)", response.headers.get("Range", "").strip())
    return int(match.group(1)) + 1 if match else 0


def _video_id(target: Target) -> str:
    if target.id:
        return target.id
    match = VIDEO_ID.search(target.url)
    if not match:
        raise ConnectorError("That address is not a YouTube video.")
    return match.group(1)


def _comment(thread: dict) -> dict:
    return ((thread.get("snippet") or {}).get("topLevelComment") or {}).get("snippet") or {}


def _author(thread: dict) -> str:
    return (_comment(thread).get("authorChannelId") or {}).get("value", "")


def _published(thread: dict) -> datetime:
    return datetime.fromisoformat(_comment(thread)["publishedAt"].replace("Z", "+00:00")).astimezone(UTC)


def _notification(thread: dict) -> Notification:
    comment = _comment(thread)
    video_id = comment.get("videoId") or (thread.get("snippet") or {}).get("videoId", "")
    return Notification(id=str(thread["id"]), kind="mention", created_at=_published(thread), target_type="post",
                        target_id=video_id, target_url=watch_url(video_id) if video_id else "",
                        text=strip_tags(comment.get("textDisplay") or comment.get("textOriginal") or ""))


def _google_error(response: httpx.Response) -> tuple[str, str]:
    """``(reason, message)`` of a Google API error body (``{"error": {"message", "errors": [{"reason"}]}}``)."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return "", ""
    if not isinstance(error, dict):
        return str(error or ""), ""
    reasons = [item.get("reason", "") for item in error.get("errors") or [] if isinstance(item, dict)]
    return (reasons[0] if reasons else str(error.get("status") or "")), strip_tags(str(error.get("message") or ""))


def _failure(response: httpx.Response, what: str) -> ConnectorError:
    reason, message = _google_error(response)
    details = {"platform_status": response.status_code, "platform_reason": reason}
    words = message[:300] or f"HTTP {response.status_code}"
    if response.status_code == 403 and reason in QUOTA_REASONS:
        return ConnectorError(f"YouTube's API quota is used up; trying to {what} waits until it resets.",
                              retryable=True, retry_at=_quota_reset(), details=details)
    if response.status_code == 403 and reason in RATE_REASONS:
        return ConnectorError(f"YouTube rate limit reached while trying to {what}.", retryable=True,
                              retry_at=retry_at_from(response), details=details)
    if response.status_code == 401:
        return AuthExpired(f"YouTube refused the account's credentials ({words}).", details=details)
    if response.status_code == 429 or response.status_code >= 500:
        failure = error_for("YouTube", response, what)
        failure.details = details
        return failure
    return ConnectorError(f"YouTube refused to {what}: {words}.", details=details)


def _quota_reset(now: datetime | None = None) -> datetime:
    local = (now or datetime.now(UTC)).astimezone(QUOTA_ZONE)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), QUOTA_ZONE)
    return midnight.astimezone(UTC)

