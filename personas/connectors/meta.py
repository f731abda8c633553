"""What Instagram and Threads share: Meta's Graph API calls, tokens, errors and the media container.

Both publish the same way. Meta fetches the media itself from a public URL, so
a post is three steps: create a media container (``POST /<user-id>/<edge>``),
poll the container's status until ``FINISHED`` (a publish before that is
refused with error 9007, "Media ID is not available"), then publish it
(``POST /<user-id>/<publish-edge>`` with ``creation_id``). A carousel is item
containers (``is_carousel_item=true``) gathered by a ``CAROUSEL`` container.
Each account may publish only so many posts through the API in a rolling 24
hours (``/<limit-edge>``), which is read before anything is created.

Meta maintains no official Python SDK for publishing through these two APIs.
Its one Python SDK, ``facebook-business``, is generated for the Marketing API:
its session is fixed to graph.facebook.com (Instagram Login tokens work only
on graph.instagram.com), brings its own HTTP client that the outbound policy
cannot wrap, and knows nothing of graph.threads.net. So the calls are plain
httpx through the outbound policy, as for Mastodon. The token goes as the
documented ``access_token`` parameter: in the form body of a POST, in the
query otherwise.

Tokens: the authorization code buys a short-lived token (one hour), which is at
once exchanged for a long-lived one (60 days, ``GET /access_token``) and later
refreshed (``GET /refresh_access_token``). Neither API has a refresh token: the
long-lived token refreshes itself, and no client secret is needed for that.

Meta has no idempotency key. A repeated publish (a retry after the platform
took the post but the worker died) is recognised by reading the account's
newest posts first: one with exactly this text, published within
``duplicate_window``, is the post already made. Meta has no API field for an
AI label either; it reads the IPTC marking inside the file, which image
preparation here keeps.
"""

import io
import json
import time
from abc import abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from PIL import Image, UnidentifiedImageError

from config import net
from config.errors import ValidationFailed
from personas import platform_rules, provenance
from personas.connectors.base import (
    TIMEOUT,
    AccountInfo,
    ActionDone,
    AuthExpired,
    Connector,
    ConnectorError,
    MediaFile,
    Notification,
    Published,
    PublishRequest,
    Target,
    network_error,
    retry_at_from,
    tokens_from,
)
from personas.connectors.images import fit_image
from personas.oauth import OAuthApp

# Graph error codes (developers.facebook.com/docs/graph-api/guides/error-handling).
TOKEN_CODES = {102, 104, 190}  # session expired, no token, token invalid or revoked
RATE_LIMIT_CODES = {4, 9, 17, 32, 613, 80002}
MEDIA_NOT_READY = 9007  # "Media ID is not available": the container is not FINISHED
PUBLISH_LIMIT_SUBCODE = 2207042  # the account's API-published posts in 24 hours are spent
MISSING_SUBCODE = 33  # "Object with ID ... does not exist"
IMAGE_MAX_BYTES = 8 * platform_rules.MB
# The newest posts read before publishing (duplicates, quota) and for notifications.
RECENT_POSTS = 25
NOTIFICATION_POSTS = 10


class MetaConnector(Connector):
    """A Meta account (Instagram professional, Threads): the Graph calls both platforms make alike.

    ``media_url_for`` turns a media file into a public URL Meta can fetch; the
    publishing service supplies it (it stores the file and answers a signed URL).
    """

    label = ""
    graph_version = ""
    exchange_grant = ""  # ig_exchange_token, th_exchange_token
    refresh_grant = ""
    container_edge = ""  # POST /<user-id>/<container_edge> makes a container
    publish_edge = ""
    limit_edge = ""
    posts_edge = ""  # GET /<user-id>/<posts_edge>: the account's own posts, newest first
    replies_edge = ""  # GET /<post-id>/<replies_edge>: what others answered
    text_field = ""  # the post's text: caption, text
    status_field = ""  # the container's status: status_code, status
    reason_field = ""  # why a container ended in ERROR
    image_types: tuple[str, ...] = ("image/jpeg",)
    # Meta suggests polling a container about once a minute for up to five minutes; images are
    # usually ready within seconds, so poll sooner and give up (retryable) after three minutes.
    container_poll_interval = 5.0
    container_poll_attempts = 36
    # How long a post with the same text counts as the one a retry already made.
    duplicate_window = timedelta(hours=6)

    def __init__(self, *, server_url: str = "", credentials: dict | None = None,
                 transport: httpx.BaseTransport | None = None,
                 media_url_for: Callable[[MediaFile], str] | None = None) -> None:
        super().__init__(server_url=server_url, credentials=credentials, transport=transport)
        self.media_url_for = media_url_for

    # -- tokens ---------------------------------------------------------------------------------------------

    def exchange_code(self, app: OAuthApp, *, code: str, code_verifier: str, redirect_uri: str) -> dict:
        """The code for a short-lived token (one hour), swapped at once for a long-lived one (60 days)."""
        body = self._token_call(app.token_url_base, "POST", self.oauth.token_path, "exchange the authorization code",
                                data={"client_id": app.client_id, "client_secret": app.client_secret,
                                      "grant_type": "authorization_code", "redirect_uri": redirect_uri,
                                      "code": code})
        # Business Login for Instagram documents the answer wrapped in "data"; Threads answers it flat.
        if isinstance(body.get("data"), list) and body["data"]:
            body = body["data"][0]
        short = tokens_from(body)["access_token"]
        long_lived = self._token_call(app.api_base, "GET", "/access_token", "exchange for a long-lived token",
                                      params={"grant_type": self.exchange_grant, "client_secret": app.client_secret,
                                              "access_token": short})
        # The account's ids come from connect (/me): the professional account id is the one publishing uses.
        return tokens_from(long_lived)

    def refresh(self, credentials: dict) -> dict:
        # A long-lived token at least a day old buys a new 60 days; an expired one cannot be refreshed.
        self.credentials = dict(credentials)
        body = self._token_call(self.server_url, "GET", "/refresh_access_token", "refresh the access token",
                                params={"grant_type": self.refresh_grant,
                                        "access_token": credentials.get("access_token", "")})
        self.credentials = {**credentials, **tokens_from(body)}
        return self.credentials

    def _token_call(self, base: str, method: str, path: str, what: str, **kwargs) -> dict:
        try:
            with httpx.Client(base_url=base, timeout=TIMEOUT, transport=self._transport or net.transport(),
                              follow_redirects=False) as client:
                response = client.request(method, path, headers={"Accept": "application/json"}, **kwargs)
        except httpx.HTTPError as exc:
            raise network_error(self.label, exc) from None
        if response.is_success:
            return _json(response)
        error = meta_error(self.label, response, what)
        if error.retryable:
            raise error
        # A wrong code, redirect URI, secret or token: as base.token_grant, the grant is refused.
        raise AuthExpired(f"{self.label} refused to {what} ({error_reason(response)}).", details=error.details)

    # -- calls ----------------------------------------------------------------------------------------------

    def graph(self, method: str, path: str, what: str, *, params: dict | None = None, data: dict | None = None,
              ok_missing: bool = False) -> dict:
        """One Graph API call on the versioned path; the answer's JSON, or the ``ConnectorError`` for it."""
        token = {"access_token": self.credentials.get("access_token", "")}
        if method == "POST":
            data = {**(data or {}), **token}
        else:
            params = {**(params or {}), **token}
        try:
            with self.client() as client:
                response = client.request(method, f"/{self.graph_version}{path}", params=params, data=data)
        except httpx.HTTPError as exc:
            raise network_error(self.label, exc) from None
        if response.is_success:
            return _json(response)
        if ok_missing and is_missing(response):
            return {}
        raise meta_error(self.label, response, what)

    def user_id(self) -> str:
        if not self.credentials.get("user_id"):
            self.credentials["user_id"] = self.read_profile()[0]
        return self.credentials["user_id"]

    # -- account --------------------------------------------------------------------------------------------

    @abstractmethod
    def read_profile(self) -> tuple[str, str, int]:
        """``(user id, username, followers)`` of the token's account."""

    @abstractmethod
    def profile_url(self, username: str) -> str:
        """The account's public page."""

    def connect(self, credentials: dict) -> AccountInfo:
        self.credentials = {"access_token": credentials["access_token"],
                            "expires_at": credentials.get("expires_at")}
        user_id, username, followers = self.read_profile()
        self.credentials |= {"user_id": user_id, "username": username}
        expires_at = self.credentials["expires_at"]
        return AccountInfo(platform_user_id=user_id, username=username, url=self.profile_url(username),
                           follower_count=followers, credentials=self.credentials,
                           token_expires_at=datetime.fromisoformat(expires_at) if expires_at else None)

    def check_text(self, text: str) -> None:
        """The length rule (base), then the hashtag rule of ``platform_rules``; sends nothing."""
        super().check_text(text)
        # The length fits and there is no media: whatever problems() still finds is the hashtag rule.
        found = platform_rules.problems(self.platform, text=text, media=[])
        if found:
            raise ValidationFailed(" ".join(found), details={
                "hashtags": len(platform_rules.HASHTAG.findall(text)),
                "limit": platform_rules.rules_for(self.platform).max_hashtags})

    # -- publishing -----------------------------------------------------------------------------------------

    def publish_container(self, request: PublishRequest, make_container: Callable[[], str], *,
                          text: str) -> Published:
        """Publish once: skip a post already made with ``text``, check the quota, then container, wait, publish.

        ``text`` is what the platform will show ("" for an Instagram story, which
        has no caption and so cannot be recognised on a retry).
        """
        if request.media and self.media_url_for is None:
            raise ConnectorError(f"{self.label} fetches media from a public URL, and no media URL is configured "
                                 "for this connector.")
        recent = self.recent_posts(RECENT_POSTS)
        now = datetime.now(UTC)
        for post in recent if text else []:
            if post.get(self.text_field) == text and _when(post["timestamp"]) >= now - self.duplicate_window:
                return Published(platform_post_id=str(post["id"]), url=post.get("permalink", ""))
        self.check_quota(recent)
        container = make_container()
        self.wait_until_finished(container)
        published = self.graph("POST", f"/{self.user_id()}/{self.publish_edge}", "publish the post",
                                data={"creation_id": container})
        media_id = str(published["id"])
        return Published(platform_post_id=media_id, url=self.permalink(media_id))

    def check_quota(self, recent: list[dict]) -> None:
        """Raise a retryable ``ConnectorError`` with ``retry_at`` when the 24-hour publishing quota is spent."""
        body = self.graph("GET", f"/{self.user_id()}/{self.limit_edge}", "read the publishing limit",
                          params={"fields": "quota_usage,config"})
        usage = (body.get("data") or [{}])[0]
        config = usage.get("config") or {}
        used, total = int(usage.get("quota_usage") or 0), config.get("quota_total")
        if total is None or used < int(total):
            return
        window = timedelta(seconds=int(config.get("quota_duration") or 86400))
        raise ConnectorError(
            f"{self.label} allows {total} posts through its API in {window.total_seconds() / 3600:g} hours and "
            "this account has used them; the post waits until one frees up.", retryable=True,
            retry_at=_slot_frees_at(recent, window), details={"quota_usage": used, "quota_total": int(total)})

    def create_container(self, fields: dict, what: str = "create the media container") -> str:
        body = self.graph("POST", f"/{self.user_id()}/{self.container_edge}", what, data=fields)
        return str(body["id"])

    def create_carousel(self, items: list[tuple[MediaFile, str]], fields: dict) -> str:
        """Item containers for ``(media, url)`` pairs, each waited for, gathered by a CAROUSEL container."""
        children = []
        for item, url in items:
            child = self.create_container({**self.media_fields(item, url), "is_carousel_item": "true"},
                                          "create a carousel item")
            self.wait_until_finished(child)
            children.append(child)
        return self.create_container({"media_type": "CAROUSEL", "children": ",".join(children), **fields})

    @abstractmethod
    def media_fields(self, item: MediaFile, url: str) -> dict:
        """The container fields that carry one media file (image_url or video_url, alt text)."""

    def wait_until_finished(self, container_id: str) -> None:
        """Poll the container until FINISHED; ERROR fails with Meta's reason, a long IN_PROGRESS is retryable."""
        for attempt in range(self.container_poll_attempts):
            if attempt:
                time.sleep(self.container_poll_interval)
            state = self.graph("GET", f"/{container_id}", "read the media container's status",
                               params={"fields": f"{self.status_field},{self.reason_field}"})
            status = state.get(self.status_field)
            if status in ("FINISHED", "PUBLISHED"):
                return
            reason = state.get(self.reason_field) or "no reason given"
            if status == "ERROR":
                raise ConnectorError(f"{self.label} could not process the media: {reason}.",
                                     details={"container_id": container_id, "status": status})
            if status == "EXPIRED":
                # Containers live 24 hours; a new attempt makes new ones.
                raise ConnectorError(f"{self.label} let the media container expire before it was published.",
                                     retryable=True, details={"container_id": container_id, "status": status})
        raise ConnectorError(f"{self.label} is still processing the media; the post is tried again later.",
                             retryable=True, details={"container_id": container_id})

    def public_urls(self, media: list[MediaFile]) -> list[tuple[MediaFile, str]]:
        """Each file prepared for the platform, with the public URL ``media_url_for`` gives it."""
        prepared = [self.prepare(item) for item in media]
        return [(item, self.media_url_for(item)) for item in prepared]

    def prepare(self, item: MediaFile) -> MediaFile:
        """An image in a type the platform takes and under its size limit, still marked as AI-made."""
        if item.mime_type.startswith("video/"):
            return item
        marked = provenance.is_marked_ai_generated(item.data)
        data, mime = item.data, item.mime_type
        if mime not in self.image_types:
            data, mime = _as_jpeg(data, self.label), "image/jpeg"
        # Room for the marking that re-encoding drops and is put back below.
        data, mime = fit_image(data, mime, IMAGE_MAX_BYTES - 4096, platform=self.label)
        if marked and mime == "image/jpeg" and not provenance.is_marked_ai_generated(data):
            data = provenance.insert_jpeg_xmp(data, provenance.XMP_PACKET.encode("utf-8"))
        return MediaFile(data=data, mime_type=mime, alt_text=item.alt_text)

    def recent_posts(self, limit: int) -> list[dict]:
        body = self.graph("GET", f"/{self.user_id()}/{self.posts_edge}", "read the account's posts",
                          params={"fields": f"id,{self.text_field},timestamp,permalink", "limit": limit})
        return list(body.get("data") or [])

    def permalink(self, media_id: str) -> str:
        try:
            return str(self.graph("GET", f"/{media_id}", "read the post's link",
                                  params={"fields": "permalink"}).get("permalink") or "")
        except ConnectorError:
            # The post is live whatever this answers; a missing link must not fail (and so repeat) it.
            return ""

    # -- engagement -----------------------------------------------------------------------------------------

    def like(self, target: Target) -> ActionDone:
        raise ConnectorError(f"{self.label}'s API cannot like posts; likes can only be given in the app.")

    def follow(self, target: Target) -> ActionDone:
        raise ConnectorError(f"{self.label}'s API cannot follow accounts; follows can only be made in the app.")

    def post_id_of(self, target: Target) -> str:
        if not target.id:
            raise ConnectorError(f"{self.label}'s API finds posts by id only; a link alone cannot be answered.")
        return target.path_id

    def fetch_notifications(self, since_cursor: str) -> tuple[list[Notification], str]:
        """Comments and replies on the newest posts, from others, at or after the cursor (an ISO time).

        Meta has no notification feed: the newest ``NOTIFICATION_POSTS`` posts are
        read one by one. Equal times are read again (Meta's stamps are whole
        seconds); the sync skips ids it already stored.
        """
        since = datetime.fromisoformat(since_cursor) if since_cursor else None
        own = self.credentials.get("username")
        found: list[Notification] = []
        for post in self.recent_posts(NOTIFICATION_POSTS):
            replies = self.graph("GET", f"/{post['id']}/{self.replies_edge}", "read the replies",
                                 params={"fields": "id,text,timestamp,username"}).get("data") or []
            for reply in replies:
                created = _when(reply["timestamp"])
                if (since is None or created >= since) and reply.get("username") != own:
                    found.append(self.notification(post, reply, created))
        cursor = max((n.created_at for n in found), default=None)
        return found, cursor.isoformat() if cursor else since_cursor

    def notification(self, post: dict, reply: dict, created: datetime) -> Notification:
        return Notification(id=str(reply["id"]), kind="mention", created_at=created, target_type="post",
                            target_id=str(reply["id"]), target_url=post.get("permalink", ""),
                            text=reply.get("text", ""))


def insight_values(body: dict) -> dict[str, int]:
    """``{metric: value}`` from an insights answer (lifetime ``values`` or ``total_value``)."""
    found = {}
    for metric in body.get("data") or []:
        total = metric.get("total_value") or {}
        values = metric.get("values") or [{}]
        found[metric["name"]] = int(total.get("value", values[-1].get("value", 0)) or 0)
    return found


def meta_error(label: str, response: httpx.Response, what: str) -> ConnectorError:
    """The ``ConnectorError`` for a Graph error: token codes expired, throttling and 9007 retryable, else final."""
    error = error_of(response)
    code, subcode = error.get("code"), error.get("error_subcode")
    reason = error_reason(response)
    details = {"platform_status": response.status_code,
               **{key: value for key, value in (("platform_code", code), ("platform_subcode", subcode)) if value}}
    if code in TOKEN_CODES or response.status_code == 401:
        return AuthExpired(f"{label} refused the account's credentials ({reason}).", details=details)
    if subcode == PUBLISH_LIMIT_SUBCODE:
        return ConnectorError(f"{label} allows no more posts through its API for now ({reason}).", retryable=True,
                              retry_at=datetime.now(UTC) + timedelta(hours=1), details=details)
    if code in RATE_LIMIT_CODES or response.status_code == 429:
        return ConnectorError(f"{label} rate limit reached while trying to {what}.", retryable=True,
                              retry_at=_throttled_until(response), details=details)
    if code == MEDIA_NOT_READY or error.get("is_transient") or code == 2 or response.status_code >= 500:
        return ConnectorError(f"{label} could not {what} just now ({reason}).", retryable=True, details=details)
    return ConnectorError(f"{label} refused to {what}: {reason}.", details=details)


def error_of(response: httpx.Response) -> dict:
    """Meta's error object: Graph's ``{"error": {...}}``, or api.instagram.com's flat ``error_message``."""
    try:
        body = response.json()
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    if isinstance(body.get("error"), dict):
        return body["error"]
    if body.get("error_message"):
        return {"message": body["error_message"], "type": body.get("error_type")}
    return {}


def error_reason(response: httpx.Response) -> str:
    error = error_of(response)
    return str(error.get("error_user_msg") or error.get("message") or f"HTTP {response.status_code}")[:300]


def is_missing(response: httpx.Response) -> bool:
    error = error_of(response)
    return response.status_code == 404 or (error.get("code") == 100 and error.get("error_subcode") == MISSING_SUBCODE)


def _json(response: httpx.Response) -> dict:
    body = response.json()
    if not isinstance(body, dict):
        raise ValueError("Meta answered something other than a JSON object.")
    return body


def _when(stamp: str) -> datetime:
    # Meta writes "2024-05-01T12:00:00+0000", which fromisoformat reads from Python 3.11.
    return datetime.fromisoformat(stamp)


def _slot_frees_at(recent: list[dict], window: timedelta) -> datetime:
    """When the oldest post of the rolling window leaves it, as far as the newest posts show.

    Stories and posts made in the app are not in the list, and a full list may
    not reach back to the window's start; then an hour, when the check is
    simply made again.
    """
    now = datetime.now(UTC)
    inside = [_when(post["timestamp"]) for post in recent if _when(post["timestamp"]) > now - window]
    list_is_all_window = len(recent) >= RECENT_POSTS and len(inside) == len(recent)
    if not inside or list_is_all_window:
        return now + timedelta(hours=1)
    return max(min(inside) + window, now + timedelta(minutes=1))


def _throttled_until(response: httpx.Response) -> datetime:
    """Meta's usage headers say how many minutes until access returns; else the generic headers (base)."""
    for name in ("X-Business-Use-Case-Usage", "X-App-Usage"):
        try:
            usage = json.loads(response.headers.get(name) or "{}")
        except ValueError:
            continue
        entries = [entry for value in usage.values() if isinstance(value, list) for entry in value]
        minutes = [int(entry.get("estimated_time_to_regain_access") or 0) for entry in entries
                   if isinstance(entry, dict)]
        if any(minutes):
            return datetime.now(UTC) + timedelta(minutes=max(minutes))
    return retry_at_from(response)


def _as_jpeg(data: bytes, label: str) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError):
        raise ConnectorError(f"{label} takes images only; this media could not be read as one.") from None
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()
