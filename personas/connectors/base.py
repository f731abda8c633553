"""The small interface every platform connector implements, and its errors.

A connector speaks one platform's official API for one account. It holds the
account's server and decrypted credentials, never touches the database, and
turns every failure into a ``ConnectorError``: ``retryable`` says whether the
same call may succeed later (network trouble, 5xx, a platform rate limit, whose
``retry_at`` says when), otherwise the request or the credentials are wrong.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import httpx

from config import net
from config.errors import ValidationFailed
from personas import platform_rules
from personas.errors import PlatformConnectionFailed
from personas.oauth import OAuthApp, OAuthSpec, app_for

# Every call to a platform has a deadline; a hung server must not hold a worker or a request.
TIMEOUT = httpx.Timeout(20.0, connect=5.0)


# How a post type reads in "Instagram publishes only posts and stories and reels".
POST_TYPE_PLURALS = {"story": "stories"}


class ConnectorError(PlatformConnectionFailed):
    """A platform call failed. 503 when it may succeed later, 400 otherwise."""

    def __init__(self, message: str, *, retryable: bool = False, retry_at: datetime | None = None,
                 details=None) -> None:
        self.retryable = retryable
        self.retry_at = retry_at
        super().__init__(message, details=details, status=503 if retryable else 400)


class AuthExpired(ConnectorError):
    """The platform refused the stored credentials: the account must be refreshed or reconnected."""

    def __init__(self, message: str = "The platform refused the account's credentials.", **kwargs) -> None:
        super().__init__(message, retryable=False, **kwargs)


@dataclass(frozen=True)
class AccountInfo:
    """Who the credentials belong to, and the credentials to store (tokens, never passwords)."""

    platform_user_id: str
    username: str
    url: str
    follower_count: int
    credentials: dict
    token_expires_at: datetime | None = None


@dataclass(frozen=True)
class MediaFile:
    data: bytes
    mime_type: str
    alt_text: str = ""


@dataclass(frozen=True)
class PublishRequest:
    """One post. ``idempotency_key`` is the post's fixed key: the platform must not post it twice."""

    text: str
    idempotency_key: str
    media: list[MediaFile] = field(default_factory=list)
    # Set the platform's "synthetic media" flag where the platform has one.
    ai_flag: bool = True
    # Seed 003's post_type (post, story, reel): Instagram publishes each through its own container.
    post_type: str = "post"


@dataclass(frozen=True)
class Published:
    platform_post_id: str
    url: str


@dataclass(frozen=True)
class Target:
    """What an engagement action is aimed at: a platform post or user id, or its public URL."""

    id: str
    url: str = ""

    @property
    def path_id(self) -> str:
        """``id`` as one URL path segment: escaped, since a person typed it."""
        return quote(self.id, safe="")


@dataclass(frozen=True)
class ActionDone:
    """The platform's id of what the action created (a favourite, a reply, a follow)."""

    platform_action_id: str


@dataclass(frozen=True)
class AccountMetrics:
    followers: int
    following: int | None = None
    posts: int | None = None


@dataclass(frozen=True)
class PostMetrics:
    likes: int
    comments: int
    shares: int


@dataclass(frozen=True)
class Notification:
    """Engagement received. ``kind`` is one of favourite, reblog, mention, follow."""

    id: str
    kind: str
    created_at: datetime
    target_type: str
    target_id: str
    target_url: str = ""
    text: str = ""


class Connector(ABC):
    """One account on one platform, reached through the platform's official API."""

    platform: str = ""
    max_images: int = 4
    # The kinds of post the platform's API publishes (seed 003's post_type: post, story, reel, ...).
    post_types: tuple[str, ...] = ("post",)
    # Set by a platform a person connects through its OAuth consent page (personas/oauth.py).
    oauth: OAuthSpec | None = None
    # No central app: StageCraft registers its own on each server at first use (Mastodon's instances).
    registers_app_per_server: bool = False
    # Told the fraction uploaded as a long upload advances, by platforms whose upload reports it.
    on_progress: Callable[[float], None] | None = None

    def __init__(self, *, server_url: str = "", credentials: dict | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        if not server_url and self.oauth is not None and self.oauth.api_base:
            # Accounts connected by consent page store no server: the platform's API, or where
            # PERSONAS_<PLATFORM>_API_BASE points (a gateway, a stand-in).
            app = app_for(self.oauth)
            server_url = app.api_base if app else self.oauth.api_base
        self.server_url = server_url.rstrip("/")
        self.credentials = dict(credentials or {})
        self._transport = transport

    def client(self) -> httpx.Client:
        # The server URL is the user's: every connection goes through the outbound policy (config/net.py).
        return httpx.Client(base_url=self.server_url, timeout=TIMEOUT, transport=self._transport or net.transport(),
                            follow_redirects=False)

    def register_app(self, *, redirect_uri: str, website: str) -> OAuthApp:
        """Register StageCraft as an app on this server: only platforms that ``registers_app_per_server``."""
        raise NotImplementedError(f"{self.platform} has one app, configured in this deployment's settings.")

    @classmethod
    def credentials_from(cls, auth_data: dict, server_url: str) -> tuple[dict, str]:
        """``(credentials, server_url)`` from a connection request's ``auth_data`` (its ``auth_type`` already
        one of oauth or api_key), or ``PlatformConnectionFailed``/``ValidationFailed``. Platforms that take
        no credentials this way answer none, and their connection is refused as not configured here."""
        return {}, server_url

    @classmethod
    def check_post_type(cls, post_type: str) -> None:
        """Raise ``ValidationFailed`` (400) when the platform cannot publish ``post_type``.

        The details name the field as a serializer's field errors do (``{"post_type": [message]}``).
        """
        if post_type not in cls.post_types:
            kinds = " and ".join(POST_TYPE_PLURALS.get(kind, f"{kind}s") for kind in cls.post_types)
            problem = f"{cls.platform.title()} publishes only {kinds}, not {post_type!r}."
            raise ValidationFailed(f"post_type: {problem}", details={"post_type": [problem]})

    def check_text(self, text: str) -> None:
        """Raise ``ValidationFailed`` (400) when ``text`` is over the platform's limit (``platform_rules``).

        Sends nothing. A platform with a further rule (Bluesky's bytes) adds it.
        """
        problem = platform_rules.text_problem(self.platform, text)
        if problem:
            limit = platform_rules.rules_for(self.platform).text_limit
            raise ValidationFailed(f"{problem} (The disclosure line counts too.)", details={
                "length": platform_rules.text_length(self.platform, text), "limit": limit})

    @abstractmethod
    def connect(self, credentials: dict) -> AccountInfo:
        """Verify ``credentials`` live and return the account they belong to."""

    def exchange_code(self, app: OAuthApp, *, code: str, code_verifier: str, redirect_uri: str) -> dict:
        """The credentials an authorization code buys (RFC 6749 4.1.3), ready for ``connect``.

        The standard grant on ``oauth.token_path``; a platform with extra steps
        (Instagram's long-lived token) overrides it.
        """
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if self.oauth and self.oauth.pkce:
            data["code_verifier"] = code_verifier
        return self.token_grant(app, data, "exchange the authorization code")

    def token_grant(self, app: OAuthApp, data: dict, what: str) -> dict:
        """POST a grant to the token endpoint; ``{access_token, refresh_token, expires_at}`` (ISO or None).

        A refused grant (400/401: wrong code, verifier or refresh token) is ``AuthExpired``.
        """
        auth = None
        if self.oauth.client_auth == "basic":
            auth = httpx.BasicAuth(app.client_id, app.client_secret)
        else:
            data = {**data, "client_id": app.client_id, "client_secret": app.client_secret}
        try:
            with httpx.Client(base_url=app.token_url_base, timeout=TIMEOUT,
                              transport=self._transport or net.transport(),
                              follow_redirects=False) as client:
                response = client.post(self.oauth.token_path, data=data, auth=auth,
                                       headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise network_error(self.platform.title(), exc) from exc
        if response.status_code in (400, 401):
            raise AuthExpired(f"{self.platform.title()} refused to {what} ({_reason(response)}).",
                              details={"platform_status": response.status_code})
        if not response.is_success:
            raise error_for(self.platform.title(), response, what)
        return tokens_from(response.json())

    @abstractmethod
    def refresh(self, credentials: dict) -> dict:
        """Exchange the stored credentials for fresh ones (``expires_at`` ISO when known)."""

    @abstractmethod
    def publish(self, request: PublishRequest) -> Published:
        """Post once: a repeated call with the same idempotency key returns the same post."""

    @abstractmethod
    def delete(self, platform_post_id: str) -> None:
        """Remove a post; a post already gone is not an error."""

    @abstractmethod
    def like(self, target: Target) -> ActionDone: ...

    @abstractmethod
    def comment(self, target: Target, text: str) -> ActionDone: ...

    @abstractmethod
    def follow(self, target: Target) -> ActionDone: ...

    @abstractmethod
    def fetch_metrics(self) -> AccountMetrics: ...

    @abstractmethod
    def fetch_post_metrics(self, platform_post_id: str) -> PostMetrics: ...

    @abstractmethod
    def fetch_notifications(self, since_cursor: str) -> tuple[list[Notification], str]:
        """Engagement received after ``since_cursor`` ("" for the first read), and the next cursor."""


def tokens_from(body: dict, now: datetime | None = None) -> dict:
    """A token endpoint's answer as stored credentials: the tokens, and when the access token expires."""
    if not isinstance(body, dict) or not body.get("access_token"):
        raise ConnectorError("The platform's token answer had no access_token.")
    expires_in = body.get("expires_in")
    expires_at = (now or datetime.now(UTC)) + timedelta(seconds=int(expires_in)) if expires_in else None
    credentials = {"access_token": body["access_token"], "expires_at": expires_at.isoformat() if expires_at else None}
    if body.get("refresh_token"):
        credentials["refresh_token"] = body["refresh_token"]
    return credentials


def network_error(platform: str, exc: httpx.HTTPError) -> ConnectorError:
    """A transport failure (refused, timed out, reset): the platform may answer later.

    A URL the outbound policy refuses is final, and says why.
    """
    if isinstance(exc, net.OutboundRefused):
        return ConnectorError(refusal_in_words(exc))
    return ConnectorError(f"{platform} could not be reached: {_in_words(exc)}.", retryable=True)


def refusal_in_words(exc: net.OutboundRefused) -> str:
    """The outbound policy's refusal for the person who typed the URL: its first sentence, which says why.

    What follows it is the operator's hint, naming settings, which user pages never show.
    """
    first, _, _ = str(exc).partition(". ")
    return first if first.endswith(".") else f"{first}."


def _in_words(exc: httpx.HTTPError) -> str:
    """What went wrong on the network, for the person reading the account's status (never a class name)."""
    if isinstance(exc, httpx.TimeoutException):
        return "the server did not answer in time"
    if isinstance(exc, httpx.ConnectError):
        return "no connection could be made (the server may be down, or its address wrong)"
    if isinstance(exc, httpx.TooManyRedirects):
        return "the server kept redirecting"
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        return "the connection broke off"
    return "the request failed on the way"


def retry_at_from(response: httpx.Response) -> datetime:
    """When a platform's rate limit lifts, from its headers (ISO time, epoch seconds, or Retry-After)."""
    now = datetime.now(UTC)
    for name in ("X-RateLimit-Reset", "RateLimit-Reset"):
        value = response.headers.get(name)
        if not value:
            continue
        if value.isdigit():
            stamp = int(value)
            # Epoch seconds, or (IETF draft) seconds from now.
            return datetime.fromtimestamp(stamp, UTC) if stamp > 1_000_000_000 else now + timedelta(seconds=stamp)
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            continue
    retry_after = response.headers.get("Retry-After", "")
    if retry_after.isdigit():
        return now + timedelta(seconds=int(retry_after))
    if retry_after:
        try:
            return parsedate_to_datetime(retry_after)
        except (TypeError, ValueError):
            pass
    return now + timedelta(minutes=5)


def error_for(platform: str, response: httpx.Response, what: str) -> ConnectorError:
    """The ``ConnectorError`` for a non-2xx answer: 401 expired, 429 limited, 5xx retryable, else final."""
    detail = _reason(response)
    if response.status_code == 401:
        return AuthExpired(f"{platform} refused the account's credentials ({detail}).")
    if response.status_code == 429:
        return ConnectorError(f"{platform} rate limit reached while trying to {what}.", retryable=True,
                              retry_at=retry_at_from(response))
    if response.status_code >= 500:
        return ConnectorError(f"{platform} failed to {what} (HTTP {response.status_code}).", retryable=True)
    return ConnectorError(f"{platform} refused to {what}: {detail}.",
                          details={"platform_status": response.status_code})


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error_description") or body.get("error")
                   or f"HTTP {response.status_code}")[:300]
    return f"HTTP {response.status_code}"


def require(auth_data: dict, *names: str) -> None:
    """``ValidationFailed`` naming the ``auth_data`` fields that are missing or blank."""
    missing = [name for name in names if not str(auth_data.get(name) or "").strip()]
    if missing:
        raise ValidationFailed(f"auth_data needs {', '.join(missing)}.", details={"missing": missing})
