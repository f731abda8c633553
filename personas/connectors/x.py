"""X (Twitter) through the official X API v2 with the person's OAuth 2.0 user token.

Plain httpx through the outbound policy, like the other connectors. X does
publish a Python SDK, ``xdk`` (0.10.x, generated from the API's OpenAPI
document; it covers PKCE and the v2 media upload), but it is built on its own
``requests.Session``: its calls cannot go through ``config/net.py``'s
transport, it sets no timeouts outside streaming, and ``raise_for_status``
drops X's error answers, which this module turns into words and retry times.
(``tweepy`` is third-party and ``requests``-based too.)

- Connecting: the authorization-code grant with PKCE (S256) on
  ``x.com/i/oauth2/authorize``, the code exchanged at ``/2/oauth2/token`` with
  the app's id and secret as HTTP Basic (X's confidential clients). Access tokens
  last two hours; ``offline.access`` buys a refresh token, which X rotates on
  every refresh (the old one stops working), so ``refresh`` returns both.
- The API's base is this deployment's app (``PERSONAS_X_API_BASE``, default
  ``https://api.x.com``), never a URL a person typed: accounts store no server.
- Media first: an image in one ``POST /2/media/upload`` (``tweet_image``);
  video and GIF in the chunked steps INIT, APPEND (segments 0..n, in order),
  FINALIZE, then STATUS while X processes. X's current reference gives each
  step its own path (``/2/media/upload/initialize``, ``/{id}/append``,
  ``/{id}/finalize``; STATUS stays ``GET /2/media/upload?command=STATUS``).
  Alt text goes through ``POST /2/media/metadata``. A post carries four images
  or one video.
- Then ``POST /2/tweets``; ``made_with_ai`` is X's label for AI-generated media,
  set with media when the request asks for the synthetic-media flag (text
  posts carry the disclosure line).
- X has no idempotency key. It refuses a text the account posted recently
  ("duplicate content", 403); ``publish`` answers that refusal with the post that
  already exists, so a retry after a lost answer cannot post twice.
- Text is counted as X counts it (``weighted_length``) and refused before any
  request when over 280. The ``twitter-text-parser`` package would do this, but
  its last release (3.0.0) and last commit are from May 2023 and it carries
  2019 emoji data, so it is not kept up; the weights here are twitter-text v3's
  (``platform_rules``, one table for scheduling and publishing) and URLs follow
  its extractor compactly: an http(s) URL with a dotted host, or a bare domain
  under a common gTLD or a two-letter ccTLD (a bare ``name.cc`` only with a
  path), each 23, trailing punctuation not included.
- A 429 says when it lifts in ``x-rate-limit-reset`` (epoch seconds), or in the
  24-hour posting limit's own reset header when that is the one used up.
"""

import html
import re
import time
import unicodedata
from datetime import UTC, datetime

import httpx

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
)
from personas.connectors.images import fit_image
from personas.oauth import OAuthSpec, app_for

TEXT_LIMIT = platform_rules.rules_for("twitter").text_limit
ALT_TEXT_LIMIT = 1000
PAGE = 100  # the mentions timeline's max_results ceiling
MAX_PAGES = 5
PROCESSING = ("pending", "in_progress")
# Which rate-limit headers say when posting may resume: the window's, the app's and the user's day.
LIMIT_HEADERS = (("x-rate-limit-remaining", "x-rate-limit-reset"),
                 ("x-app-limit-24hour-remaining", "x-app-limit-24hour-reset"),
                 ("x-user-limit-24hour-remaining", "x-user-limit-24hour-reset"))
STATUS_URL = re.compile(r"/status(?:es)?/(\d+)")


class XConnector(Connector):
    platform = "twitter"
    oauth = OAuthSpec(env_name="X", api_base="https://api.x.com", auth_base="https://x.com",
                      authorize_path="/i/oauth2/authorize", token_path="/2/oauth2/token",
                      scopes=("tweet.read", "tweet.write", "users.read", "offline.access", "media.write"),
                      pkce=True, client_auth="basic")
    # APPEND segments: X takes up to 5 MB each and at most 1,000 of them.
    chunk_size = 4 * 1024 * 1024
    # STATUS polls while X processes a video: at most this long a wait between polls, and this many polls.
    media_poll_max_wait = 10.0
    media_poll_attempts = 60

    # -- plumbing ---------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, what: str, *, ok_missing: bool = False, **kwargs) -> dict:
        headers = {"Authorization": f"Bearer {self.credentials.get('access_token', '')}",
                   **kwargs.pop("headers", {})}
        try:
            with self.client() as client:
                response = client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise network_error("X", exc) from None
        if response.status_code == 404 and ok_missing:
            return {}
        if response.status_code >= 400:
            raise _error(response, what)
        return response.json() if response.content else {}

    def _me(self) -> str:
        if not self.credentials.get("user_id"):
            user = self._call("GET", "/2/users/me", "read the account")["data"]
            self.credentials |= {"user_id": str(user["id"]), "username": user["username"]}
        return self.credentials["user_id"]

    def _post_url(self, tweet_id: str) -> str:
        return f"https://x.com/{self.credentials.get('username') or 'i/web'}/status/{tweet_id}"

    # -- account ----------------------------------------------------------------------------------------

    def connect(self, credentials: dict) -> AccountInfo:
        self.credentials = {key: credentials[key] for key in ("access_token", "refresh_token", "expires_at")
                            if credentials.get(key)}
        user = self._call("GET", "/2/users/me", "verify the credentials",
                          params={"user.fields": "public_metrics"})["data"]
        self.credentials |= {"user_id": str(user["id"]), "username": user["username"]}
        expires_at = self.credentials.get("expires_at")
        return AccountInfo(platform_user_id=str(user["id"]), username=user["username"],
                           url=f"https://x.com/{user['username']}",
                           follower_count=int((user.get("public_metrics") or {}).get("followers_count") or 0),
                           credentials=self.credentials,
                           token_expires_at=datetime.fromisoformat(expires_at) if expires_at else None)

    def refresh(self, credentials: dict) -> dict:
        """Fresh tokens for the stored refresh token; ``AuthExpired`` when X refuses it (reconnect)."""
        app = app_for(self.oauth)
        if app is None:
            raise ConnectorError("X is no longer configured in this deployment.")
        if not credentials.get("refresh_token"):
            raise AuthExpired("X gave this account no refresh token; connect it again.")
        fresh = self.token_grant(app, {"grant_type": "refresh_token", "refresh_token": credentials["refresh_token"]},
                                 "refresh the access token")
        self.credentials = {**credentials, **fresh}
        return self.credentials

    # -- publishing -------------------------------------------------------------------------------------

    def check_text(self, text: str) -> None:
        """Raise ``ValidationFailed`` (400) when ``text`` weighs more than X's 280; sends nothing."""
        length = platform_rules.x_weighted_length(text)
        if length > TEXT_LIMIT:
            raise ValidationFailed(f"X allows {TEXT_LIMIT} weighted characters in a post; this one has {length}. "
                                   "(URLs count 23, emoji and most non-Latin characters 2; the disclosure line "
                                   "counts too.)", details={"length": length, "limit": TEXT_LIMIT})

    def publish(self, request: PublishRequest) -> Published:
        self.check_text(request.text)
        return self._post(request.text, request.media, ai_flag=request.ai_flag)

    def publish_thread(self, texts: list[str], *, media: list[MediaFile] | None = None,
                       ai_flag: bool = True) -> Published:
        """Post ``texts`` as a thread, each a reply to the one before; the first post.

        Every text is checked before anything is sent. ``media`` goes with the
        first post. A retried thread picks up where it stopped: the parts X
        already has come back as they are (see ``publish``).
        """
        if not texts:
            raise ValidationFailed("A thread needs at least one post.")
        for text in texts:
            self.check_text(text)
        first = self._post(texts[0], media or [], ai_flag=ai_flag)
        previous = first.platform_post_id
        for text in texts[1:]:
            previous = self._create({"text": text, "reply": {"in_reply_to_tweet_id": previous}}).platform_post_id
        return first

    def _post(self, text: str, media: list[MediaFile], *, ai_flag: bool) -> Published:
        self._check_media(media)
        body: dict = {"text": text}
        if media:
            body["media"] = {"media_ids": [self._upload(item) for item in media]}
            if ai_flag:
                body["made_with_ai"] = True
        return self._create(body)

    def _create(self, body: dict) -> Published:
        try:
            tweet = self._call("POST", "/2/tweets", "publish the post", json=body)["data"]
        except ConnectorError as exc:
            if "duplicate content" not in str((exc.details or {}).get("platform_detail", "")):
                raise
            tweet = self._already_posted(body["text"], exc)
        return Published(platform_post_id=str(tweet["id"]), url=self._post_url(str(tweet["id"])))

    def _already_posted(self, text: str, refusal: ConnectorError) -> dict:
        # X refused the text as one this account just posted: that post is this one, sent before its answer was lost.
        recent = self._call("GET", f"/2/users/{self._me()}/tweets", "look for the post already made",
                            params={"max_results": 20}).get("data") or []
        for tweet in recent:
            if _comparable(tweet.get("text", "")) == _comparable(text):
                return tweet
        raise refusal

    def _check_media(self, media: list[MediaFile]) -> None:
        moving = [item for item in media if _category(item.mime_type) != "tweet_image"]
        if len(media) > self.max_images or (moving and len(media) > 1):
            raise ValidationFailed(f"An X post carries up to {self.max_images} images or one video or GIF; "
                                   f"this one has {len(media)} media files.", details={"media": len(media)})

    def _upload(self, item: MediaFile) -> str:
        category = _category(item.mime_type)
        if category == "tweet_image":
            data, mime = fit_image(item.data, item.mime_type, platform_rules.rules_for(self.platform).image_max_bytes,
                                   platform="X")
            media = self._call("POST", "/2/media/upload", "upload the image",
                               data={"media_category": category, "media_type": mime},
                               files={"media": ("image", data, mime)})["data"]
        else:
            media = self._upload_chunked(item, category)
        media_id = str(media["id"])
        self._wait_processed(media_id, media.get("processing_info"))
        if item.alt_text:
            self._call("POST", "/2/media/metadata", "set the media's alt text",
                       json={"id": media_id, "metadata": {"alt_text": {"text": item.alt_text[:ALT_TEXT_LIMIT]}}})
        return media_id

    def _upload_chunked(self, item: MediaFile, category: str) -> dict:
        media_id = self._call("POST", "/2/media/upload/initialize", "start the media upload", json={
            "media_type": item.mime_type, "total_bytes": len(item.data), "media_category": category})["data"]["id"]
        # In order, one at a time: X assembles the file from consecutive segments.
        for index, start in enumerate(range(0, len(item.data), self.chunk_size)):
            self._call("POST", f"/2/media/upload/{media_id}/append", "upload a media segment",
                       data={"segment_index": str(index)},
                       files={"media": ("segment", item.data[start:start + self.chunk_size],
                                        "application/octet-stream")})
        return self._call("POST", f"/2/media/upload/{media_id}/finalize", "finish the media upload")["data"]

    def _wait_processed(self, media_id: str, processing: dict | None) -> None:
        attempts = 0
        while processing and processing.get("state") in PROCESSING:
            attempts += 1
            if attempts > self.media_poll_attempts:
                raise ConnectorError("X is still processing the media; try again later.", retryable=True)
            time.sleep(min(float(processing.get("check_after_secs") or 1), self.media_poll_max_wait))
            processing = self._call("GET", "/2/media/upload", "read the media status",
                                    params={"command": "STATUS", "media_id": media_id})["data"].get("processing_info")
        if processing and processing.get("state") == "failed":
            reason = (processing.get("error") or {}).get("message") or "no reason given"
            raise ConnectorError(f"X could not process the media: {reason}.")

    def delete(self, platform_post_id: str) -> None:
        self._call("DELETE", f"/2/tweets/{platform_post_id}", "delete the post", ok_missing=True)

    # -- engagement -------------------------------------------------------------------------------------

    def like(self, target: Target) -> ActionDone:
        tweet_id = _tweet_id(target)
        self._call("POST", f"/2/users/{self._me()}/likes", "like the post", json={"tweet_id": tweet_id})
        # Liking twice is one like on X, so the action's id is the post it names.
        return ActionDone(f"like:{tweet_id}")

    def comment(self, target: Target, text: str) -> ActionDone:
        self.check_text(text)
        reply = self._create({"text": text, "reply": {"in_reply_to_tweet_id": _tweet_id(target)}})
        return ActionDone(reply.platform_post_id)

    def follow(self, target: Target) -> ActionDone:
        user_id = target.id
        if not user_id.isdigit():  # a handle (@name) or a profile URL rather than X's user id
            username = (user_id or target.url.rstrip("/").rsplit("/", 1)[-1]).lstrip("@")
            user_id = str(self._call("GET", f"/2/users/by/username/{username}", "look up the account")["data"]["id"])
        self._call("POST", f"/2/users/{self._me()}/following", "follow the account", json={"target_user_id": user_id})
        return ActionDone(f"follow:{user_id}")

    def fetch_metrics(self) -> AccountMetrics:
        user = self._call("GET", "/2/users/me", "read the account", params={"user.fields": "public_metrics"})["data"]
        counts = user.get("public_metrics") or {}
        return AccountMetrics(followers=int(counts.get("followers_count") or 0),
                              following=counts.get("following_count"), posts=counts.get("tweet_count"))

    def fetch_post_metrics(self, platform_post_id: str) -> PostMetrics:
        body = self._call("GET", f"/2/tweets/{platform_post_id}", "read the post",
                          params={"tweet.fields": "public_metrics"})
        if "data" not in body:  # X answers a missing post with 200 and an errors list
            raise ConnectorError(f"X has no post {platform_post_id} (deleted, or not visible to this account).",
                                 details={"platform_errors": body.get("errors")})
        counts = body["data"].get("public_metrics") or {}
        return PostMetrics(likes=int(counts.get("like_count") or 0), comments=int(counts.get("reply_count") or 0),
                           shares=int(counts.get("retweet_count") or 0) + int(counts.get("quote_count") or 0))

    def fetch_notifications(self, since_cursor: str) -> tuple[list[Notification], str]:
        """Mentions after ``since_cursor`` (a post id); the cursor is the newest mention's id."""
        params: dict = {"max_results": PAGE, "tweet.fields": "created_at,author_id", "expansions": "author_id",
                        "user.fields": "username"}
        if since_cursor:
            params["since_id"] = since_cursor
        found, authors, newest = [], {}, ""
        # Newest first; follow next_token so a busy stretch loses nothing (up to MAX_PAGES pages).
        for _ in range(MAX_PAGES):
            page = self._call("GET", f"/2/users/{self._me()}/mentions", "read mentions", params=params)
            found += page.get("data") or []
            authors |= {user["id"]: user["username"] for user in (page.get("includes") or {}).get("users", [])}
            meta = page.get("meta") or {}
            newest = newest or meta.get("newest_id", "")
            if not meta.get("next_token"):
                break
            params["pagination_token"] = meta["next_token"]
        notifications = [Notification(
            id=str(tweet["id"]), kind="mention", created_at=_time(tweet.get("created_at")), target_type="post",
            target_id=str(tweet["id"]), text=html.unescape(tweet.get("text", "")),
            target_url=f"https://x.com/{authors.get(tweet.get('author_id')) or 'i/web'}/status/{tweet['id']}",
        ) for tweet in found]
        return notifications, str(newest or since_cursor)


def _error(response: httpx.Response, what: str) -> ConnectorError:
    """``error_for``, with what X said (its answers are RFC 7807 problems) and when its rate limit lifts."""
    failure = error_for("X", response, what)
    detail = _problem(response)
    if response.status_code == 429:
        failure.retry_at = _limit_lifts(response) or failure.retry_at
    elif not failure.retryable and not isinstance(failure, AuthExpired) and detail:
        failure = ConnectorError(f"X refused to {what}: {detail}")
    failure.details = {**(failure.details or {}), "platform_status": response.status_code, "platform_detail": detail}
    return failure


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    reasons = [error.get("message") for error in body.get("errors") or [] if isinstance(error, dict)]
    return " ".join(str(part) for part in [body.get("detail") or body.get("title"), *reasons] if part)[:300]


def _limit_lifts(response: httpx.Response) -> datetime | None:
    # The latest reset among the limits used up; X's 24-hour posting limit outlasts the 15-minute window.
    spent = [int(response.headers[reset]) for remaining, reset in LIMIT_HEADERS
             if response.headers.get(remaining) == "0" and response.headers.get(reset, "").isdigit()]
    if not spent and response.headers.get("x-rate-limit-reset", "").isdigit():
        spent = [int(response.headers["x-rate-limit-reset"])]
    return datetime.fromtimestamp(max(spent), UTC) if spent else None


def _category(mime_type: str) -> str:
    if mime_type.startswith("video/"):
        return "tweet_video"
    return "tweet_gif" if mime_type == "image/gif" else "tweet_image"


def _tweet_id(target: Target) -> str:
    if target.id:
        return target.id
    match = STATUS_URL.search(target.url)
    if not match:
        raise ConnectorError("That is not the address of a post on X.")
    return match[1]


def _comparable(text: str) -> str:
    # X answers with URLs as t.co links, &, < and > as entities and a media link at the end.
    text = html.unescape(unicodedata.normalize("NFC", text))
    for start, end in reversed(platform_rules.url_spans(text)):
        text = text[:start] + text[end:]
    return " ".join(text.split())


def _time(value: str | None) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else datetime.now(UTC)
