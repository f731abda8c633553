"""Stand-in Mastodon and Bluesky servers: real local HTTP servers with the platforms' documented behaviour.

Each keeps state (statuses, records, sessions) so a test sees what the real
platform would: an ``Idempotency-Key`` Mastodon has seen returns the status it
already made, a Bluesky record key that is taken cannot be written twice. Every
request is recorded, and each handler checks the documented request shape
(paths, ``Authorization``, multipart media, form fields, XRPC JSON bodies) and
answers a documented error when it is wrong. ``fail_next`` scripts failures.
"""

import base64
import email
import hashlib
import html
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import grapheme
import pytest


@dataclass
class Seen:
    """One request as received; header names lower-case, ``query`` and ``form`` as lists per name."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    json: Any = None
    form: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)


class StandInServer:
    """Routes ``(method, path)`` to handler methods ``METHOD_path_with_underscores`` or regex routes."""

    routes: list[tuple[str, str, str]] = []

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self._failures: list[tuple[str, int, Any, dict]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.stand_in = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> "StandInServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, path: str, status: int, body: Any = None, headers: dict | None = None) -> None:
        """Answer the next request to ``path`` with this failure instead of handling it."""
        self._failures.append((path, status, body, headers or {}))

    def calls(self, path_prefix: str = "") -> list[Seen]:
        return [seen for seen in self.requests if seen.path.startswith(path_prefix)]

    def paths(self) -> list[str]:
        return [f"{seen.method} {seen.path}" for seen in self.requests]

    def dispatch(self, seen: Seen) -> tuple[int, Any, dict]:
        with self._lock:
            self.requests.append(seen)
            for index, (path, status, body, headers) in enumerate(self._failures):
                if path == seen.path:
                    del self._failures[index]
                    return status, body, headers
            for method, pattern, name in self.routes:
                match = re.fullmatch(pattern, seen.path)
                if method == seen.method and match:
                    return getattr(self, name)(seen, *match.groups())
        return 404, {"error": "Not Found"}, {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_DELETE(self) -> None:
        self._answer()

    def _answer(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        parts = urlsplit(self.path)
        seen = Seen(self.command, parts.path, parse_qs(parts.query), headers, raw)
        kind = headers.get("content-type", "")
        if kind.startswith("application/json") and raw:
            seen.json = json.loads(raw)
        elif kind.startswith("application/x-www-form-urlencoded"):
            seen.form = parse_qs(raw.decode(), keep_blank_values=True)
        elif kind.startswith("multipart/form-data"):
            seen.form, seen.files = _multipart(kind, raw)
        status, body, extra = self.server.stand_in.dispatch(seen)
        payload = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode())
        self.send_response(status)
        extra = {"Content-Type": "application/json", **extra}  # a handler may answer HTML (a consent page)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _multipart(content_type: str, raw: bytes) -> tuple[dict, dict]:
    message = email.message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    form, files = {}, {}
    for part in message.get_payload():
        name = part.get_param("name", header="content-disposition")
        if part.get_param("filename", header="content-disposition") is not None:
            files[name] = (part.get_payload(decode=True), part.get_content_type())
        else:
            form.setdefault(name, []).append(part.get_payload(decode=True).decode())
    return form, files


# -- Mastodon ---------------------------------------------------------------------------------------------------


class MastodonStandIn(StandInServer):
    """docs.joinmastodon.org: verify_credentials, v2 media, statuses with Idempotency-Key, notifications."""

    token = "mastodon-access-token"
    routes = [
        ("GET", r"/api/v1/accounts/verify_credentials", "verify_credentials"),
        ("POST", r"/api/v2/media", "upload_media"),
        ("GET", r"/api/v1/media/(\w+)", "get_media"),
        ("POST", r"/api/v1/statuses", "create_status"),
        ("GET", r"/api/v1/statuses/(\w+)", "get_status"),
        ("DELETE", r"/api/v1/statuses/(\w+)", "delete_status"),
        ("POST", r"/api/v1/statuses/(\w+)/favourite", "favourite"),
        ("POST", r"/api/v1/accounts/(\w+)/follow", "follow"),
        ("GET", r"/api/v1/notifications", "notifications"),
        ("POST", r"/api/v1/apps", "create_app"),
        ("POST", r"/oauth/token", "oauth_token"),
        ("GET", r"/oauth/authorize", "authorize_page"),
    ]
    # Reached without a user's token: the app registration, the consent page and the token endpoint.
    public = {"/api/v1/apps", "/oauth/token", "/oauth/authorize"}

    def __init__(self) -> None:
        super().__init__()
        self.apps: dict[str, dict] = {}  # client_id -> the registration
        self.grants: dict[str, dict] = {}  # authorization code -> what the consent page saw
        self.followers_count = 42
        self.statuses: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.idempotency: dict[str, str] = {}
        self.notifications_list: list[dict] = []
        # Media answers 202 and needs this many polls (206) before it has a url.
        self.processing_polls = 0
        self._ids = itertools.count(110_000_000_000_000_001)

    def _authorized(self, seen: Seen) -> bool:
        return seen.headers.get("authorization") == f"Bearer {self.token}"

    def dispatch(self, seen: Seen) -> tuple[int, Any, dict]:
        if seen.path in self.public:
            return super().dispatch(seen)
        if not seen.headers.get("authorization", "").startswith("Bearer "):
            self.requests.append(seen)
            return 401, {"error": "The access token is invalid"}, {}
        if not self._authorized(seen):
            self.requests.append(seen)
            return 401, {"error": "The access token is invalid"}, {}
        return super().dispatch(seen)

    def create_app(self, seen: Seen):
        """``POST /api/v1/apps``: client_name and redirect_uris are required (422 otherwise)."""
        body = seen.json if seen.json is not None else {k: v[0] for k, v in seen.form.items()}
        if not body.get("client_name") or not body.get("redirect_uris"):
            return 422, {"error": "Validation failed: Name can't be blank, Redirect URI can't be blank"}, {}
        client_id = f"client-{len(self.apps) + 1}"
        self.apps[client_id] = {"client_secret": f"secret-{client_id}", "redirect_uri": body["redirect_uris"],
                                "scopes": body.get("scopes", "read").split()}
        return 200, {"id": str(len(self.apps)), "name": body["client_name"], "website": body.get("website"),
                     "redirect_uri": body["redirect_uris"], "client_id": client_id,
                     "client_secret": f"secret-{client_id}"}, {}

    def consent(self, authorization_url: str, *, approve: bool = True) -> dict[str, str]:
        """What ``/oauth/authorize`` does once the person approves: the callback's query (code and state)."""
        parts = urlsplit(authorization_url)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        assert parts.path == "/oauth/authorize" and query["response_type"] == "code"
        app = self.apps[query["client_id"]]
        assert query["redirect_uri"] == app["redirect_uri"] and set(query["scope"].split()) <= set(app["scopes"])
        if not approve:
            return {"error": "access_denied", "error_description": "The resource owner denied the request.",
                    "state": query["state"]}
        code = f"code-{len(self.grants) + 1}"
        self.grants[code] = {**query}
        return {"code": code, "state": query["state"]}

    def authorize_page(self, seen: Seen):
        """``GET /oauth/authorize``: the consent page a person sees, with the one button that grants access."""
        back = self.consent(f"{self.url}{seen.path}?{urlencode({k: v[0] for k, v in seen.query.items()})}")
        query = {k: v[0] for k, v in seen.query.items()}
        target = html.escape(f"{query['redirect_uri']}?{urlencode(back)}")
        page = (f"<!doctype html><html lang=en><title>Authorize</title><h1>Authorize StageCraft?</h1>"
                f"<p>It asks to {html.escape(query['scope'])}.</p><a href=\"{target}\">Authorize</a></html>")
        return 200, page.encode(), {"Content-Type": "text/html; charset=utf-8"}

    def oauth_token(self, seen: Seen):
        """``POST /oauth/token`` (authorization_code): the app, the redirect URI and the PKCE verifier must match."""
        form = {k: v[0] for k, v in seen.form.items()}
        app = self.apps.get(form.get("client_id", ""))
        if app is None or form.get("client_secret") != app["client_secret"]:
            return 401, {"error": "invalid_client", "error_description": "Client authentication failed."}, {}
        grant = self.grants.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None \
                or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "The provided authorization grant is "
                                                                        "invalid, expired or revoked."}, {}
        if grant.get("code_challenge"):
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "The code verifier is invalid."}, {}
        return 200, {"access_token": self.token, "token_type": "Bearer", "scope": grant["scope"],
                     "created_at": int(time.time())}, {}

    def account(self) -> dict:
        return {"id": "109000000000000001", "username": "ava", "acct": "ava",
                "url": f"{self.url}/@ava", "followers_count": self.followers_count, "following_count": 3,
                "statuses_count": len(self.statuses)}

    def verify_credentials(self, seen: Seen):
        return 200, self.account(), {}

    def upload_media(self, seen: Seen):
        if "file" not in seen.files:
            return 422, {"error": "Validation failed: File can't be blank"}, {}
        data, mime = seen.files["file"]
        media_id = str(next(self._ids))
        processing = self.processing_polls > 0
        self.media[media_id] = {"id": media_id, "type": "image", "mime": mime, "size": len(data),
                                "description": (seen.form.get("description") or [None])[0],
                                "url": None if processing else f"{self.url}/media/{media_id}.jpg",
                                "polls_left": self.processing_polls}
        return (202 if processing else 200), self._media_view(media_id), {}

    def _media_view(self, media_id: str) -> dict:
        media = self.media[media_id]
        return {"id": media_id, "type": "image", "url": media["url"], "description": media["description"]}

    def get_media(self, seen: Seen, media_id: str):
        media = self.media.get(media_id)
        if media is None:
            return 404, {"error": "Record not found"}, {}
        if media["polls_left"] > 0:
            media["polls_left"] -= 1
            if media["polls_left"] == 0:
                media["url"] = f"{self.url}/media/{media_id}.jpg"
                return 200, self._media_view(media_id), {}
            return 206, self._media_view(media_id), {}
        return 200, self._media_view(media_id), {}

    def create_status(self, seen: Seen):
        key = seen.headers.get("idempotency-key")
        if key and key in self.idempotency:
            return 200, self.statuses[self.idempotency[key]], {}
        text = (seen.form.get("status") or [""])[0]
        media_ids = seen.form.get("media_ids[]", [])
        for media_id in media_ids:
            if media_id not in self.media or self.media[media_id]["url"] is None:
                return 422, {"error": "Validation failed: media is still being processed"}, {}
        if not text and not media_ids:
            return 422, {"error": "Validation failed: Text can't be blank"}, {}
        status_id = str(next(self._ids))
        self.statuses[status_id] = {
            "id": status_id, "uri": f"{self.url}/users/ava/statuses/{status_id}",
            "url": f"{self.url}/@ava/{status_id}", "content": f"<p>{text}</p>", "text": text,
            "in_reply_to_id": (seen.form.get("in_reply_to_id") or [None])[0],
            "media_attachments": [self._media_view(media_id) for media_id in media_ids],
            "favourites_count": 0, "reblogs_count": 0, "replies_count": 0,
        }
        if key:
            self.idempotency[key] = status_id
        return 200, self.statuses[status_id], {}

    def get_status(self, seen: Seen, status_id: str):
        status = self.statuses.get(status_id)
        return (200, status, {}) if status else (404, {"error": "Record not found"}, {})

    def delete_status(self, seen: Seen, status_id: str):
        status = self.statuses.pop(status_id, None)
        return (200, status, {}) if status else (404, {"error": "Record not found"}, {})

    def favourite(self, seen: Seen, status_id: str):
        status = self.statuses.get(status_id) or {"id": status_id, "favourites_count": 0}
        status["favourited"] = True
        return 200, status, {}

    def follow(self, seen: Seen, account_id: str):
        return 200, {"id": account_id, "following": True, "requested": False}, {}

    def notify(self, kind: str, *, status_id: str = "", account_id: str = "200", text: str = "") -> str:
        """Add a notification the way the instance would (ids grow)."""
        notification_id = str(next(self._ids))
        item = {"id": notification_id, "type": kind, "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "account": {"id": account_id, "acct": f"fan{account_id}@example.social",
                            "url": f"https://example.social/@fan{account_id}"}}
        if kind != "follow":
            item["status"] = {"id": status_id, "url": f"{self.url}/@ava/{status_id}", "content": f"<p>{text}</p>"}
        self.notifications_list.append(item)
        return notification_id

    def notifications(self, seen: Seen):
        since = int((seen.query.get("since_id") or ["0"])[0])
        max_id = int((seen.query.get("max_id") or [str(10**30)])[0])
        limit = int((seen.query.get("limit") or ["40"])[0])
        types = seen.query.get("types[]") or []
        found = [item for item in self.notifications_list
                 if since < int(item["id"]) < max_id and (not types or item["type"] in types)]
        return 200, sorted(found, key=lambda item: int(item["id"]), reverse=True)[:limit], {}


# -- Bluesky ----------------------------------------------------------------------------------------------------

TID = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")


def fake_jwt(subject: str, lifetime: timedelta, scope: str) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    exp = int((datetime.now(UTC) + lifetime).timestamp())
    claims = {"sub": subject, "scope": scope, "exp": exp, "jti": time.time_ns()}
    return f"{part({'alg': 'ES256K', 'typ': 'at+jwt'})}.{part(claims)}.c2ln"


class BlueskyStandIn(StandInServer):
    """AT Protocol XRPC as a PDS answers it: sessions, blobs, records, profile, posts, notifications."""

    did = "did:plc:ava4testxxxxxxxxxxxxxxxx"
    handle = "ava.test"
    app_password = "abcd-efgh-ijkl-mnop"
    routes = [
        ("POST", r"/xrpc/com\.atproto\.server\.createSession", "create_session"),
        ("POST", r"/xrpc/com\.atproto\.server\.refreshSession", "refresh_session"),
        ("POST", r"/xrpc/com\.atproto\.repo\.uploadBlob", "upload_blob"),
        ("POST", r"/xrpc/com\.atproto\.repo\.createRecord", "create_record"),
        ("GET", r"/xrpc/com\.atproto\.repo\.getRecord", "get_record"),
        ("POST", r"/xrpc/com\.atproto\.repo\.deleteRecord", "delete_record"),
        ("GET", r"/xrpc/app\.bsky\.actor\.getProfile", "get_profile"),
        ("GET", r"/xrpc/app\.bsky\.feed\.getPosts", "get_posts"),
        ("GET", r"/xrpc/app\.bsky\.notification\.listNotifications", "list_notifications"),
        ("GET", r"/xrpc/com\.atproto\.identity\.resolveHandle", "resolve_handle"),
    ]

    def __init__(self, *, access_lifetime: timedelta = timedelta(hours=2)) -> None:
        super().__init__()
        self.access_lifetime = access_lifetime
        self.access_jwt = ""
        self.refresh_jwt = ""
        self.followers_count = 7
        self.records: dict[tuple[str, str], dict] = {}
        self.blobs: dict[str, dict] = {}
        self.counts: dict[str, dict] = {}
        self.notifications: list[dict] = []
        # What a create answers when the record key is taken: the PDS has answered 500 for it, newer ones 400.
        self.taken_answer: tuple[int, dict] = (500, {"error": "InternalServerError",
                                                     "message": "Internal Server Error"})
        self._cids = itertools.count(1)

    def dispatch(self, seen: Seen) -> tuple[int, Any, dict]:
        if seen.path.endswith(("createSession", "refreshSession")):
            return super().dispatch(seen)
        if seen.headers.get("authorization") != f"Bearer {self.access_jwt}" or not self.access_jwt:
            self.requests.append(seen)
            return 401, {"error": "AuthenticationRequired", "message": "Invalid token"}, {}
        return super().dispatch(seen)

    def _session(self) -> dict:
        self.access_jwt = fake_jwt(self.did, self.access_lifetime, "com.atproto.appPass")
        self.refresh_jwt = fake_jwt(self.did, timedelta(days=60), "com.atproto.refresh")
        return {"did": self.did, "handle": self.handle, "accessJwt": self.access_jwt,
                "refreshJwt": self.refresh_jwt, "active": True}

    def create_session(self, seen: Seen):
        body = seen.json or {}
        if set(body) - {"identifier", "password", "authFactorToken"} or "identifier" not in body:
            return 400, {"error": "InvalidRequest", "message": "Input must have the property \"identifier\""}, {}
        if body.get("identifier") not in (self.handle, self.did) or body.get("password") != self.app_password:
            return 401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, {}
        return 200, self._session(), {}

    def refresh_session(self, seen: Seen):
        if seen.body:
            return 400, {"error": "InvalidRequest", "message": "refreshSession takes no input"}, {}
        if not self.refresh_jwt or seen.headers.get("authorization") != f"Bearer {self.refresh_jwt}":
            return 400, {"error": "ExpiredToken", "message": "Token has been revoked"}, {}
        return 200, self._session(), {}

    def upload_blob(self, seen: Seen):
        mime = seen.headers.get("content-type", "")
        if len(seen.body) > 1_000_000:
            return 400, {"error": "BlobTooLarge", "message": "This file is too large"}, {}
        link = f"bafkreistandin{next(self._cids):06d}"
        self.blobs[link] = {"$type": "blob", "ref": {"$link": link}, "mimeType": mime, "size": len(seen.body)}
        return 200, {"blob": self.blobs[link]}, {}

    def create_record(self, seen: Seen):
        body = seen.json or {}
        if body.get("repo") != self.did:
            return 401, {"error": "AuthenticationRequired", "message": "Repo does not match the session"}, {}
        collection, record = body.get("collection", ""), body.get("record") or {}
        if record.get("$type") != collection or "createdAt" not in record:
            return 400, {"error": "InvalidRequest", "message": "Invalid record"}, {}
        rkey = body.get("rkey") or self._tid()
        if collection == "app.bsky.feed.post":
            if not TID.fullmatch(rkey):
                return 400, {"error": "InvalidRequest", "message": "Invalid record key: must be a TID"}, {}
            if grapheme.length(record.get("text", "")) > 300:
                return 400, {"error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record: "
                                                                   "text must not be longer than 300 graphemes"}, {}
            for image in (record.get("embed") or {}).get("images", []):
                if image["image"]["ref"]["$link"] not in self.blobs or "alt" not in image:
                    return 400, {"error": "InvalidRequest", "message": "Invalid image embed"}, {}
        if (collection, rkey) in self.records:
            status, answer = self.taken_answer
            return status, answer, {}
        uri = f"at://{self.did}/{collection}/{rkey}"
        cid = f"bafyreistandin{next(self._cids):06d}"
        self.records[(collection, rkey)] = {"uri": uri, "cid": cid, "value": record}
        return 200, {"uri": uri, "cid": cid, "commit": {"cid": "bafyreicommit", "rev": rkey}}, {}

    def _tid(self) -> str:
        number, chars = time.time_ns() // 1000 << 10, []
        for _ in range(13):
            chars.append("234567abcdefghijklmnopqrstuvwxyz"[number & 31])
            number >>= 5
        return "".join(reversed(chars))

    def get_record(self, seen: Seen):
        q = {name: values[0] for name, values in seen.query.items()}
        if q.get("repo") in (self.did, self.handle) and (q.get("collection"), q.get("rkey")) in self.records:
            return 200, self.records[(q["collection"], q["rkey"])], {}
        return 400, {"error": "RecordNotFound", "message": "Could not locate record"}, {}

    def delete_record(self, seen: Seen):
        body = seen.json or {}
        self.records.pop((body.get("collection"), body.get("rkey")), None)
        return 200, {"commit": {"cid": "bafyreicommit", "rev": "x"}}, {}

    def posts(self) -> list[dict]:
        return [record for (collection, _), record in self.records.items() if collection == "app.bsky.feed.post"]

    def get_profile(self, seen: Seen):
        return 200, {"did": self.did, "handle": self.handle, "followersCount": self.followers_count,
                     "followsCount": 2, "postsCount": len(self.posts())}, {}

    def get_posts(self, seen: Seen):
        found = []
        for uri in seen.query.get("uris", []):
            rkey = uri.rsplit("/", 1)[-1]
            record = self.records.get(("app.bsky.feed.post", rkey))
            if record:
                counts = self.counts.get(uri, {})
                found.append({"uri": uri, "cid": record["cid"], "record": record["value"],
                              "likeCount": counts.get("likes", 0), "replyCount": counts.get("replies", 0),
                              "repostCount": counts.get("reposts", 0), "quoteCount": counts.get("quotes", 0)})
        return 200, {"posts": found}, {}

    def notify(self, reason: str, *, subject: str = "", text: str = "") -> str:
        uri = f"at://did:plc:fan{len(self.notifications)}/app.bsky.feed.like/{self._tid()}"
        self.notifications.insert(0, {
            "uri": uri, "cid": "bafyreinote", "author": {"did": f"did:plc:fan{len(self.notifications)}",
                                                         "handle": "fan.test"},
            "reason": reason, "reasonSubject": subject, "record": {"text": text}, "isRead": False,
            "indexedAt": datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")})
        return uri

    def list_notifications(self, seen: Seen):
        return 200, {"notifications": self.notifications[: int(seen.query.get("limit", ["50"])[0])]}, {}

    def resolve_handle(self, seen: Seen):
        return 200, {"did": "did:plc:resolved" + seen.query["handle"][0].split(".")[0]}, {}


# -- fixtures and helpers the personas platform tests share (import the fixtures into a test module) -----------


@pytest.fixture(name="mastodon")
def mastodon_fixture(monkeypatch):
    """A running stand-in Mastodon instance; media polling does not sleep."""
    from personas.connectors.mastodon import MastodonConnector

    monkeypatch.setattr(MastodonConnector, "media_poll_interval", 0)
    server = MastodonStandIn().start()
    yield server
    server.stop()


@pytest.fixture(name="bluesky")
def bluesky_fixture():
    """A running stand-in Bluesky PDS."""
    server = BlueskyStandIn().start()
    yield server
    server.stop()


def mastodon_auth(server: MastodonStandIn) -> dict:
    return {"auth_type": "oauth", "server_url": server.url, "access_token": server.token}


def bluesky_auth(server: BlueskyStandIn) -> dict:
    return {"auth_type": "api_key", "server_url": server.url, "identifier": server.handle,
            "app_password": server.app_password}


def connect(owner, character, server):
    """Connect ``character`` to the stand-in through the accounts service."""
    from personas.services import accounts

    platform, auth = (("mastodon", mastodon_auth(server)) if isinstance(server, MastodonStandIn)
                      else ("bluesky", bluesky_auth(server)))
    return accounts.connect_account(owner, platform=platform, character_id=character.pk, auth_data=auth)


def error_of(response, status: int, code: str) -> dict:
    """The personas error envelope of ``response``, checked for its status and code."""
    body = response.json()
    assert response.status_code == status, body
    assert body["success"] is False and set(body) == {"success", "error", "timestamp"}
    assert body["error"]["code"] == code, body
    return body["error"]
