"""Bluesky through AT Protocol XRPC on the account's PDS (``https://bsky.social`` unless told otherwise).

Two ways in. AT Protocol OAuth (``personas/connectors/atproto_oauth.py``): the person consents
on Bluesky's page and the tokens are DPoP-bound, so every call carries
``Authorization: DPoP`` and a proof signed with the account's own key. Or an
*app password*: a revocable credential Bluesky issues for
third-party clients (Settings > Privacy and security > App passwords), never
the account password. ``createSession`` turns it into short-lived access and
refresh JWTs; only those are stored. Posts are ``app.bsky.feed.post`` records
written with ``createRecord`` under a fixed record key derived from the post's
idempotency key, so a retry cannot create a second post: the repository
already holds that key. Bluesky has no "synthetic media" flag; the disclosure
line in the text is the marker.
"""

import base64
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

import httpx

from config.errors import ValidationFailed
from personas.choices import AuthType
from personas.connectors import atproto_oauth
from personas.connectors.base import (
    AccountInfo,
    AccountMetrics,
    ActionDone,
    AuthExpired,
    Connector,
    ConnectorError,
    Notification,
    PostMetrics,
    Published,
    PublishRequest,
    Target,
    error_for,
    network_error,
    require,
)
from personas.connectors.images import fit_image, image_size
from personas.errors import PlatformConnectionFailed

DEFAULT_SERVER = "https://bsky.social"
POST = "app.bsky.feed.post"
MAX_TEXT_BYTES = 3000
BLOB_LIMIT = 1_000_000  # app.bsky.embed.images: maxSize of each image blob
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TOKEN_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AccountTakedown"}
# Shown on the connections page, so said in words; the platform's code stays in the error's details.
TOKEN_ERROR_WORDS = {
    "ExpiredToken": "Bluesky's session has expired.",
    "InvalidToken": "Bluesky no longer accepts this session; connect the account again.",
    "AuthenticationRequired": "Bluesky asked to sign in again; connect the account again.",
    "AccountTakedown": "Bluesky has taken this account down; it cannot post.",
}
EXISTS_ERRORS = {"InvalidSwap", "RecordAlreadyExists", "AlreadyExists", "Conflict"}
NOTIFICATION_KINDS = {"like": "favourite", "repost": "reblog", "mention": "mention", "reply": "mention",
                      "quote": "mention", "follow": "follow"}
MAX_PAGES = 5
HASHTAG = re.compile(r"(?<![\w#])#([^\s#.,!?;:()\[\]]*[^\d\s#.,!?;:()\[\]][^\s#.,!?;:()\[\]]*)")
LINK = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")


def record_key(idempotency_key: str) -> str:
    """A TID-shaped record key (13 base32-sortable characters) fixed by the idempotency key.

    ``app.bsky.feed.post`` keys are TIDs. Hashing the key (63 bits) rather than
    reading the clock makes the key the same on every retry of the same post.
    """
    number = int.from_bytes(hashlib.sha256(str(idempotency_key).encode()).digest()[:8], "big") >> 1
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def token_expiry(jwt: str) -> datetime | None:
    """The ``exp`` claim of a JWT (read, not verified: the PDS verifies it)."""
    try:
        payload = jwt.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (IndexError, KeyError, ValueError, TypeError):
        return None


def _stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _byte_index(text: str, start: int, end: int) -> dict:
    return {"byteStart": len(text[:start].encode()), "byteEnd": len(text[:end].encode())}


def facets_for(text: str) -> list[dict]:
    """Rich-text facets for hashtags and links: Bluesky shows plain text otherwise."""
    facets = [{"index": _byte_index(text, m.start(), m.end()),
               "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": m.group(1)}]}
              for m in HASHTAG.finditer(text) if m.group(1)]
    facets += [{"index": _byte_index(text, m.start(), m.end()),
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": m.group(0)}]}
               for m in LINK.finditer(text)]
    return facets


class BlueskyConnector(Connector):
    platform = "bluesky"

    @classmethod
    def credentials_from(cls, auth_data: dict, server_url: str) -> tuple[dict, str]:
        if auth_data.get("auth_type") != AuthType.API_KEY:
            raise PlatformConnectionFailed(
                "Bluesky takes an app password here (auth_type api_key); to connect through Bluesky's consent "
                "page instead, send no auth_data.")
        require(auth_data, "identifier", "app_password")
        return {"identifier": auth_data["identifier"], "app_password": auth_data["app_password"]}, \
            server_url or DEFAULT_SERVER

    def __init__(self, *, server_url: str = "", **kwargs) -> None:
        super().__init__(server_url=server_url or DEFAULT_SERVER, **kwargs)

    # -- plumbing ---------------------------------------------------------------------------------------

    @property
    def oauth_session(self) -> bool:
        """Whether the stored credentials came from AT Protocol OAuth (DPoP-bound), not an app password."""
        return self.credentials.get("auth") == "atproto_oauth"

    def _call(self, method: str, nsid: str, what: str, *, token: str | None = None, **kwargs) -> dict:
        if self.oauth_session and token is None:
            response = self._send_dpop(method, nsid, **kwargs)
        else:
            response = self._send_bearer(method, nsid, token, **kwargs)
        if response.status_code < 400:
            return response.json() if response.content else {}
        error = _xrpc_error(response)
        if response.status_code == 400 and error in TOKEN_ERRORS:
            raise AuthExpired(TOKEN_ERROR_WORDS.get(error, "Bluesky refused the session."),
                              details={"platform_error": error})
        failure = error_for("Bluesky", response, what)
        failure.details = {"platform_status": response.status_code, "platform_error": error}
        raise failure

    def _send_bearer(self, method: str, nsid: str, token: str | None, **kwargs) -> httpx.Response:
        bearer = token if token is not None else self.credentials.get("access_jwt", "")
        headers = dict(kwargs.pop("headers", {}))
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        try:
            with self.client() as client:
                return client.request(method, f"/xrpc/{nsid}", headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise network_error("Bluesky", exc) from None

    def _send_dpop(self, method: str, nsid: str, **kwargs) -> httpx.Response:
        # Authorization: DPoP <token> plus a proof with ath; the PDS's nonce is kept for the next call.
        key = atproto_oauth.DPoPKey.from_pem(self.credentials["dpop_key"])
        response, nonce = atproto_oauth.dpop_request(
            method, f"{self.server_url}/xrpc/{nsid}", key, self.credentials.get("dpop_pds_nonce", ""),
            access_token=self.credentials["access_token"], transport=self._transport, **kwargs)
        self.credentials["dpop_pds_nonce"] = nonce
        return response

    def _session(self, body: dict) -> dict:
        return {"did": body["did"], "handle": body["handle"], "access_jwt": body["accessJwt"],
                "refresh_jwt": body["refreshJwt"], "expires_at": _iso(token_expiry(body["accessJwt"]))}

    @property
    def did(self) -> str:
        return self.credentials["did"]

    # -- account ----------------------------------------------------------------------------------------

    def connect(self, credentials: dict) -> AccountInfo:
        if credentials.get("auth") == "atproto_oauth":
            return self._connect_oauth(credentials)
        body = self._call("POST", "com.atproto.server.createSession", "sign in with the app password", token="",
                          json={"identifier": credentials["identifier"], "password": credentials["app_password"]})
        self.credentials = self._session(body)
        profile = self._profile()
        return AccountInfo(platform_user_id=body["did"], username=body["handle"],
                           url=f"https://bsky.app/profile/{body['handle']}",
                           follower_count=int(profile.get("followersCount") or 0), credentials=self.credentials,
                           token_expires_at=datetime.fromisoformat(self.credentials["expires_at"]))

    def _connect_oauth(self, credentials: dict) -> AccountInfo:
        """Verify OAuth tokens live on the PDS (``describeRepo`` of the token's DID) and read the profile."""
        self.credentials = dict(credentials)
        repo = self._call("GET", "com.atproto.repo.describeRepo", "read the account",
                          params={"repo": self.did})
        if repo.get("did") != self.did:
            raise ConnectorError("Bluesky's PDS answered for another account than the one that consented.")
        self.credentials["handle"] = repo["handle"]
        profile = self._profile()
        return AccountInfo(platform_user_id=self.did, username=repo["handle"],
                           url=f"https://bsky.app/profile/{repo['handle']}",
                           follower_count=int(profile.get("followersCount") or 0), credentials=self.credentials,
                           token_expires_at=datetime.fromisoformat(self.credentials["expires_at"]))

    def _refresh_oauth(self, credentials: dict) -> dict:
        """The refresh-token grant at the token endpoint, DPoP-bound to the account's key."""
        key = atproto_oauth.DPoPKey.from_pem(credentials["dpop_key"])
        try:
            body, nonce = atproto_oauth.token_request(
                credentials["token_endpoint"], key, credentials.get("dpop_auth_nonce", ""),
                {"grant_type": "refresh_token", "refresh_token": credentials.get("refresh_token", "")},
                "refresh the session", transport=self._transport)
        except ConnectorError:
            raise
        except PlatformConnectionFailed as exc:  # a refused refresh token: the account must consent again
            raise AuthExpired(exc.message, details=exc.details) from None
        if body["sub"] != credentials["did"]:
            raise AuthExpired("Bluesky refreshed the session for another account; connect the account again.")
        fresh = atproto_oauth.credentials_from(body, key=key, issuer=credentials["issuer"],
                                               token_endpoint=credentials["token_endpoint"], nonce=nonce)
        self.credentials = {**fresh, "handle": credentials.get("handle", ""),
                            "dpop_pds_nonce": credentials.get("dpop_pds_nonce", "")}
        return self.credentials

    def refresh(self, credentials: dict) -> dict:
        if credentials.get("auth") == "atproto_oauth":
            return self._refresh_oauth(credentials)
        body = self._call("POST", "com.atproto.server.refreshSession", "refresh the session",
                          token=credentials.get("refresh_jwt", ""))
        self.credentials = self._session(body)
        return self.credentials

    def _profile(self) -> dict:
        return self._call("GET", "app.bsky.actor.getProfile", "read the profile", params={"actor": self.did})

    # -- publishing -------------------------------------------------------------------------------------

    def check_text(self, text: str) -> None:
        super().check_text(text)
        if len(text.encode()) > MAX_TEXT_BYTES:
            raise ValidationFailed(f"Bluesky posts are limited to {MAX_TEXT_BYTES} bytes of text.",
                                   details={"bytes": len(text.encode()), "limit": MAX_TEXT_BYTES})

    def publish(self, request: PublishRequest) -> Published:
        self.check_text(request.text)
        images = [self._upload(item.data, item.mime_type, item.alt_text) for item in request.media]
        record = {"$type": POST, "text": request.text, "createdAt": _stamp()}
        if facets := facets_for(request.text):
            record["facets"] = facets
        if images:
            record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
        rkey = record_key(request.idempotency_key)
        try:
            uri = self._call("POST", "com.atproto.repo.createRecord", "create the post",
                             json={"repo": self.did, "collection": POST, "rkey": rkey, "record": record})["uri"]
        except ConnectorError as exc:
            uri = self._already_posted(exc, rkey, request.text)
        return Published(platform_post_id=uri, url=self._post_url(rkey))

    def _upload(self, data: bytes, mime_type: str, alt_text: str) -> dict:
        if not mime_type.startswith("image/"):
            raise ConnectorError("Bluesky posts from StageCraft carry images only.")
        data, mime_type = fit_image(data, mime_type, BLOB_LIMIT, platform="Bluesky")
        blob = self._call("POST", "com.atproto.repo.uploadBlob", "upload the image", content=data,
                          headers={"Content-Type": mime_type})["blob"]
        entry = {"alt": alt_text, "image": blob}
        if size := image_size(data):
            entry["aspectRatio"] = {"width": size[0], "height": size[1]}
        return entry

    def _already_posted(self, exc: ConnectorError, rkey: str, text: str) -> str:
        """The post's uri when ``exc`` says (or may hide) that our record key is taken by this very post."""
        details = exc.details or {}
        # PDS versions answer a taken key with InvalidSwap, an "already exists" error, 409, or even a 500.
        taken = (details.get("platform_error") in EXISTS_ERRORS or details.get("platform_status") == 409
                 or "already exists" in exc.message.lower() or (exc.retryable and exc.retry_at is None))
        if not taken:
            raise exc
        existing = self._record(self.did, POST, rkey)
        if existing is None:
            raise exc
        if existing.get("value", {}).get("text") != text:
            raise ConnectorError("Another post already uses this post's record key; it was not published.")
        return existing["uri"]

    def _record(self, repo: str, collection: str, rkey: str) -> dict | None:
        try:
            return self._call("GET", "com.atproto.repo.getRecord", "read the record",
                              params={"repo": repo, "collection": collection, "rkey": rkey})
        except ConnectorError as exc:
            if (exc.details or {}).get("platform_error") == "RecordNotFound" or \
                    (exc.details or {}).get("platform_status") == 404:
                return None
            raise

    def _post_url(self, rkey: str) -> str:
        return f"https://bsky.app/profile/{self.credentials.get('handle') or self.did}/post/{rkey}"

    def delete(self, platform_post_id: str) -> None:
        repo, collection, rkey = _split_uri(platform_post_id)
        # deleteRecord succeeds when the record is already gone.
        self._call("POST", "com.atproto.repo.deleteRecord", "delete the post",
                   json={"repo": repo, "collection": collection, "rkey": rkey})

    # -- engagement -------------------------------------------------------------------------------------

    def _post_ref(self, target: Target) -> dict:
        if target.id.startswith("at://"):
            repo, collection, rkey = _split_uri(target.id)
        else:
            match = re.match(r"https://bsky\.app/profile/([^/]+)/post/([^/?#]+)", target.url or target.id)
            if not match:
                raise ValidationFailed("A Bluesky target is an at:// post URI or a bsky.app post URL.")
            repo, collection, rkey = match.group(1), POST, match.group(2)
        found = self._record(repo, collection, rkey)
        if found is None:
            raise ConnectorError("Bluesky could not find that post.")
        return found

    def _create(self, collection: str, record: dict, what: str) -> ActionDone:
        record = {"$type": collection, "createdAt": _stamp(), **record}
        created = self._call("POST", "com.atproto.repo.createRecord", what,
                             json={"repo": self.did, "collection": collection, "record": record})
        return ActionDone(created["uri"])

    def like(self, target: Target) -> ActionDone:
        ref = self._post_ref(target)
        return self._create("app.bsky.feed.like", {"subject": {"uri": ref["uri"], "cid": ref["cid"]}}, "like")

    def comment(self, target: Target, text: str) -> ActionDone:
        self.check_text(text)
        ref = self._post_ref(target)
        parent = {"uri": ref["uri"], "cid": ref["cid"]}
        root = (ref.get("value", {}).get("reply") or {}).get("root") or parent
        record = {"text": text, "reply": {"root": root, "parent": parent}}
        if facets := facets_for(text):
            record["facets"] = facets
        return self._create(POST, record, "post the reply")

    def follow(self, target: Target) -> ActionDone:
        did = target.id
        if not did.startswith("did:"):
            did = self._call("GET", "com.atproto.identity.resolveHandle", "resolve the handle",
                             params={"handle": did.lstrip("@")})["did"]
        return self._create("app.bsky.graph.follow", {"subject": did}, "follow")

    # -- reading back -----------------------------------------------------------------------------------

    def fetch_metrics(self) -> AccountMetrics:
        profile = self._profile()
        return AccountMetrics(followers=int(profile.get("followersCount") or 0),
                              following=profile.get("followsCount"), posts=profile.get("postsCount"))

    def fetch_post_metrics(self, platform_post_id: str) -> PostMetrics:
        posts = self._call("GET", "app.bsky.feed.getPosts", "read the post",
                           params={"uris": [platform_post_id]}).get("posts") or []
        if not posts:
            raise ConnectorError("Bluesky no longer has this post.")
        post = posts[0]
        return PostMetrics(likes=int(post.get("likeCount") or 0), comments=int(post.get("replyCount") or 0),
                           shares=int(post.get("repostCount") or 0) + int(post.get("quoteCount") or 0))

    def fetch_notifications(self, since_cursor: str) -> tuple[list[Notification], str]:
        params: dict = {"limit": 50}
        found: list[dict] = []
        # Newest first; page back until we reach what the last sync saw (indexedAt <= cursor).
        for _ in range(MAX_PAGES):
            page = self._call("GET", "app.bsky.notification.listNotifications", "read notifications", params=params)
            items = page.get("notifications") or []
            fresh = [item for item in items if not since_cursor or item["indexedAt"] > since_cursor]
            found.extend(fresh)
            if len(fresh) < len(items) or not page.get("cursor") or not items:
                break
            params["cursor"] = page["cursor"]
        notifications = [_notification(item) for item in found if item.get("reason") in NOTIFICATION_KINDS]
        cursor = max((item["indexedAt"] for item in found), default=since_cursor)
        return notifications, cursor


def _xrpc_error(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error") or "")
    except (ValueError, AttributeError):
        return ""


def _split_uri(uri: str) -> tuple[str, str, str]:
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3:
        raise ValidationFailed("Not an at:// record URI.")
    return parts[0], parts[1], parts[2]


def _iso(moment: datetime | None) -> str | None:
    # Bluesky access JWTs last about two hours; without a readable exp, assume the shorter side.
    moment = moment or datetime.now(UTC) + timedelta(hours=1)
    return moment.isoformat()


def _notification(item: dict) -> Notification:
    kind = NOTIFICATION_KINDS[item["reason"]]
    created = datetime.fromisoformat(item["indexedAt"].replace("Z", "+00:00"))
    author = item.get("author") or {}
    if kind == "follow":
        return Notification(id=item["uri"], kind=kind, created_at=created, target_type="user",
                            target_id=author.get("did", ""), text=author.get("handle", ""))
    if kind == "mention":
        return Notification(id=item["uri"], kind=kind, created_at=created, target_type="post",
                            target_id=item["uri"], text=(item.get("record") or {}).get("text", ""))
    return Notification(id=item["uri"], kind=kind, created_at=created, target_type="post",
                        target_id=item.get("reasonSubject", ""))
