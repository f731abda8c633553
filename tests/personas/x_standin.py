"""A stand-in X API v2: a real local HTTP server with X's documented behaviour and error answers.

It plays both hosts: the consent page (``authorize``: what ``x.com/i/oauth2/authorize``
sends back once the person approves, remembering the PKCE challenge) and
``api.x.com``: the token endpoint (HTTP Basic client auth, the S256 verifier, rotating
refresh tokens), users, posts, likes, follows, the mentions timeline and the v2
media upload (one-shot images; INIT, APPEND in order, FINALIZE, STATUS). Wrong
shapes get X's own answers: OAuth errors as ``{"error", "error_description"}``, API
errors as RFC 7807 problems (``title``, ``detail``, ``type``), invalid parameters as
``Invalid Request`` with an ``errors`` list. Posts are kept as X renders them (URLs
as t.co links, ``&`` as ``&amp;``, a media link at the end).
"""

import base64
import hashlib
import itertools
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import grapheme
import pytest

from tests.personas.standins import Seen, StandInServer

INVALID = "https://api.twitter.com/2/problems/invalid-request"
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
# twitter-text v3 (config/v3.json): weight 1 in these ranges, 2 elsewhere; an emoji 2; a URL 23.
LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
URL = re.compile(r"https?://\S+")


def x_length(text: str) -> int:
    """What X's server counts (scheme URLs only: the tests send no bare domains)."""
    text = unicodedata.normalize("NFC", text)
    total = 23 * len(URL.findall(text))
    text = URL.sub("", text)
    for cluster in grapheme.graphemes(text):
        if any(ord(char) >= 0x1F000 or char in "\ufe0f\u200d" for char in cluster):
            total += 2
        else:
            total += sum(1 if any(low <= ord(char) <= high for low, high in LIGHT) else 2 for char in cluster)
    return total


def invalid(message: str, **parameters) -> tuple[int, dict, dict]:
    return 400, {"errors": [{"parameters": parameters, "message": message}], "title": "Invalid Request",
                 "detail": "One or more parameters to your request was invalid.", "type": INVALID}, {}


def problem(status: int, title: str, detail: str) -> tuple[int, dict, dict]:
    return status, {"title": title, "detail": detail, "type": "about:blank", "status": status}, {}


def refused(description: str) -> tuple[int, dict, dict]:
    """The token endpoint's refusal (RFC 6749 5.2), as X words it."""
    return 400, {"error": "invalid_request", "error_description": description}, {}


def challenge_of(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class XStandIn(StandInServer):
    """api.x.com as documented at docs.x.com, for one app and one signed-in account (``ava``)."""

    client_id = "x-client-id"
    client_secret = "x-client-secret"
    user_id = "1500000000000000001"
    username = "ava_runs"
    routes = [
        ("POST", r"/2/oauth2/token", "token"),
        ("GET", r"/2/users/me", "me"),
        ("GET", r"/2/users/by/username/(\w+)", "user_by_username"),
        ("POST", r"/2/media/upload", "upload"),
        ("POST", r"/2/media/upload/initialize", "initialize"),
        ("POST", r"/2/media/upload/(\d+)/append", "append"),
        ("POST", r"/2/media/upload/(\d+)/finalize", "finalize"),
        ("GET", r"/2/media/upload", "status"),
        ("POST", r"/2/media/metadata", "metadata"),
        ("POST", r"/2/tweets", "create_tweet"),
        ("GET", r"/2/tweets/(\d+)", "get_tweet"),
        ("DELETE", r"/2/tweets/(\d+)", "delete_tweet"),
        ("POST", r"/2/users/(\d+)/likes", "like"),
        ("POST", r"/2/users/(\d+)/following", "follow"),
        ("GET", r"/2/users/(\d+)/mentions", "mentions"),
        ("GET", r"/2/users/(\d+)/tweets", "user_tweets"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.grants: dict[str, dict] = {}  # authorization code -> what the consent page saw
        self.access_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.followers_count = 1200
        self.media: dict[str, dict] = {}
        self.tweets: dict[str, dict] = {}
        self.mentions_list: list[dict] = []
        self.likes: list[str] = []
        self.following: list[str] = []
        self.alt_texts: dict[str, str] = {}
        # Videos answer FINALIZE "pending" and need this many STATUS polls; ``fail_processing`` makes them fail.
        self.processing_polls = 2
        self.fail_processing = False
        self._ids = itertools.count(1_800_000_000_000_000_001)
        self._tokens = itertools.count(1)

    # -- OAuth 2.0 --------------------------------------------------------------------------------------------

    def authorize(self, authorization_url: str) -> dict[str, str]:
        """What the consent page sends back once the person approves: code and state. Records the challenge."""
        parts = urlsplit(authorization_url)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        assert parts.path == "/i/oauth2/authorize" and query["response_type"] == "code"
        assert query["client_id"] == self.client_id and query["code_challenge_method"] == "S256"
        assert {"tweet.write", "users.read", "offline.access", "media.write"} <= set(query["scope"].split())
        code = f"code-{len(self.grants) + 1}"
        self.grants[code] = query
        return {"code": code, "state": query["state"]}

    def issue_tokens(self, *, refresh: bool = True) -> dict:
        number = next(self._tokens)
        tokens = {"token_type": "bearer", "expires_in": 7200, "access_token": f"x-access-{number}",
                  "scope": "tweet.read tweet.write users.read offline.access media.write"}
        self.access_tokens.add(tokens["access_token"])
        if refresh:
            tokens["refresh_token"] = f"x-refresh-{number}"
            self.refresh_tokens.add(tokens["refresh_token"])
        return tokens

    def token(self, seen: Seen):
        """``POST /2/oauth2/token``: a confidential client authenticates with HTTP Basic; PKCE S256 must match."""
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if seen.headers.get("authorization") != f"Basic {expected}":
            return 401, {"error": "unauthorized_client", "error_description": "Missing valid authorization header"}, {}
        if not seen.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return refused("Missing required parameter [grant_type].")
        form = {name: values[0] for name, values in seen.form.items()}
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return refused("Value passed for the token was invalid.")
            self.refresh_tokens.discard(form["refresh_token"])  # X rotates refresh tokens: this one is spent
            return 200, self.issue_tokens(), {}
        if form.get("grant_type") != "authorization_code":
            return refused("Missing required parameter [grant_type].")
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"] \
                or challenge_of(form.get("code_verifier", "")) != grant["code_challenge"]:
            return refused("Value passed for the authorization code was invalid.")
        return 200, self.issue_tokens(refresh="offline.access" in grant["scope"].split()), {}

    # -- the API: every call but the token endpoint carries a user's access token -----------------------------

    def dispatch(self, seen: Seen) -> tuple[int, Any, dict]:
        if seen.path == "/2/oauth2/token":
            return super().dispatch(seen)
        token = seen.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.access_tokens:
            self.requests.append(seen)
            return problem(401, "Unauthorized", "Unauthorized")
        return super().dispatch(seen)

    def _user(self, seen: Seen) -> dict:
        user = {"id": self.user_id, "name": "Ava", "username": self.username}
        if "public_metrics" in (seen.query.get("user.fields") or [""])[0].split(","):
            user["public_metrics"] = {"followers_count": self.followers_count, "following_count": 87,
                                      "tweet_count": len(self.tweets), "listed_count": 3, "like_count": 10}
        return user

    def me(self, seen: Seen):
        return 200, {"data": self._user(seen)}, {}

    def user_by_username(self, seen: Seen, username: str):
        return 200, {"data": {"id": str(abs(hash(username)) % 10**18), "name": username, "username": username}}, {}

    def _mine(self, user_id: str):
        if user_id != self.user_id:
            return problem(403, "Forbidden", "You are not permitted to perform this action.")
        return None

    # -- media ------------------------------------------------------------------------------------------------

    def _new_media(self, **fields) -> str:
        media_id = str(next(self._ids))
        self.media[media_id] = {"id": media_id, "media_key": f"3_{media_id}", **fields}
        return media_id

    def upload(self, seen: Seen):
        """``POST /2/media/upload``: one image in one multipart request (video must be chunked)."""
        category = (seen.form.get("media_category") or [""])[0]
        if category not in ("tweet_image", "dm_image", "subtitles"):
            return invalid(f"media_category {category!r} must be uploaded in chunks.", media_category=[category])
        if "media" not in seen.files:
            return invalid("The media field is required.", media=[""])
        data, _ = seen.files["media"]
        media_id = self._new_media(category=category, data=data, total_bytes=len(data), state="succeeded",
                                   media_type=(seen.form.get("media_type") or [""])[0])
        return 200, {"data": {"id": media_id, "media_key": f"3_{media_id}", "size": len(data),
                              "expires_after_secs": 86400, "image": {"image_type": "image/png", "w": 32, "h": 32}}}, {}

    def initialize(self, seen: Seen):
        """INIT: ``total_bytes``, ``media_type`` and ``media_category`` (JSON)."""
        body = seen.json or {}
        if not isinstance(body.get("total_bytes"), int) or not body.get("media_type"):
            return invalid("total_bytes and media_type are required.", total_bytes=[str(body.get("total_bytes"))])
        media_id = self._new_media(category=body.get("media_category", ""), media_type=body["media_type"],
                                   total_bytes=body["total_bytes"], data=b"", next_segment=0, state="uploading")
        return 200, {"data": {"id": media_id, "media_key": f"3_{media_id}", "expires_after_secs": 86399}}, {}

    def append(self, seen: Seen, media_id: str):
        """APPEND: the next segment, in order (segment_index 0, 1, 2, ...) until the declared total."""
        media = self.media.get(media_id)
        if media is None or media["state"] != "uploading":
            return invalid("The media id is not an upload in progress.", media_id=[media_id])
        index = (seen.form.get("segment_index") or [""])[0]
        if not index.isdigit() or int(index) > 999:
            return invalid("segment_index must be an integer from 0 to 999.", segment_index=[index])
        if int(index) != media["next_segment"]:
            return invalid(f"Segments must be appended in order: expected segment_index {media['next_segment']}.",
                           segment_index=[index])
        if "media" not in seen.files:
            return invalid("The media field is required.", media=[""])
        media["data"] += seen.files["media"][0]
        media["next_segment"] += 1
        if len(media["data"]) > media["total_bytes"]:
            return invalid("Segments add up to more than the declared total_bytes.", segment_index=[index])
        return 200, {"data": {"expires_at": int((datetime.now(UTC) + timedelta(days=1)).timestamp())}}, {}

    def finalize(self, seen: Seen, media_id: str):
        media = self.media.get(media_id)
        if media is None or media["state"] != "uploading":
            return invalid("The media id is not an upload in progress.", media_id=[media_id])
        if len(media["data"]) != media["total_bytes"]:
            return invalid("Segments do not add up to provided total file size.", media_id=[media_id])
        media.update(state="pending" if self.processing_polls else "succeeded", polls_left=self.processing_polls)
        return 200, {"data": self._media_view(media_id)}, {}

    def _media_view(self, media_id: str) -> dict:
        media = self.media[media_id]
        view = {"id": media_id, "media_key": media["media_key"], "size": len(media["data"]),
                "expires_after_secs": 86400}
        if media["category"] != "tweet_image":
            view["processing_info"] = {"state": media["state"], "check_after_secs": 1,
                                       "progress_percent": 100 if media["state"] == "succeeded" else 40}
            if media["state"] == "failed":
                view["processing_info"]["error"] = {"code": 1, "name": "InvalidMedia",
                                                    "message": "Unsupported video format"}
        return view

    def status(self, seen: Seen):
        """STATUS: ``GET /2/media/upload?command=STATUS&media_id=...`` while the video is processed."""
        media_id = (seen.query.get("media_id") or [""])[0]
        media = self.media.get(media_id)
        if (seen.query.get("command") or [""])[0] != "STATUS" or media is None or media["state"] == "uploading":
            return invalid("media_id must name a finalized upload.", media_id=[media_id])
        if media["state"] in ("pending", "in_progress"):
            media["polls_left"] -= 1
            media["state"] = "in_progress" if media["polls_left"] > 0 else (
                "failed" if self.fail_processing else "succeeded")
        return 200, {"data": self._media_view(media_id)}, {}

    def metadata(self, seen: Seen):
        body = seen.json or {}
        if body.get("id") not in self.media:
            return invalid("Your media IDs are invalid.", id=[str(body.get("id"))])
        text = ((body.get("metadata") or {}).get("alt_text") or {}).get("text", "")
        if len(text) > 1000:
            return invalid("alt_text must be at most 1000 characters.", alt_text=[text[:20]])
        self.alt_texts[body["id"]] = text
        return 200, {"data": {"id": body["id"], "associated_metadata": body.get("metadata")}}, {}

    # -- posts ------------------------------------------------------------------------------------------------

    def rendered(self, text: str, tweet_id: str, media: bool) -> str:
        """The text as X answers it: t.co links, HTML entities, a link to the media at the end."""
        text = URL.sub(lambda match: f"https://t.co/{abs(hash(match[0])) % 10**10:010d}", text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"{text} https://t.co/m{tweet_id[-9:]}" if media else text

    def create_tweet(self, seen: Seen):
        """``POST /2/tweets`` (JSON): text within 280 weighted, media X issued and processed, a reply's parent."""
        if seen.json is None:
            return invalid("Requests with bodies must have content-type of application/json.")
        body = seen.json
        text = body.get("text", "")
        media_ids = (body.get("media") or {}).get("media_ids") or []
        if x_length(text) > 280:
            return problem(403, "Forbidden", "Your Tweet text is too long. For more information on how X determines "
                                             "text length see https://github.com/twitter/twitter-text.")
        if not text and not media_ids:
            return invalid("Text or media is required.", text=[""])
        if len(media_ids) > 4 or any(self.media.get(m, {}).get("state") != "succeeded" for m in media_ids):
            return invalid("Your media IDs are invalid.", **{"media.media_ids": media_ids})
        videos = [m for m in media_ids if self.media[m]["category"] != "tweet_image"]
        if videos and len(media_ids) > 1:
            return invalid("Your media IDs are invalid.", **{"media.media_ids": media_ids})
        if "made_with_ai" in body and not isinstance(body["made_with_ai"], bool):
            return invalid("made_with_ai must be a boolean.", made_with_ai=[str(body["made_with_ai"])])
        parent = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if parent is not None and parent not in self.tweets:
            return invalid("The Tweet you are replying to has been deleted or is not visible to you.",
                           **{"reply.in_reply_to_tweet_id": [parent]})
        if any(tweet["sent_text"] == text for tweet in self.tweets.values()):
            return problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        tweet_id = str(next(self._ids))
        self.tweets[tweet_id] = {
            "id": tweet_id, "text": self.rendered(text, tweet_id, bool(media_ids)), "sent_text": text,
            "author_id": self.user_id, "created_at": _stamp(), "media_ids": media_ids, "in_reply_to": parent,
            "made_with_ai": body.get("made_with_ai", False),
            "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0,
                               "bookmark_count": 0, "impression_count": 0}}
        tweet = self.tweets[tweet_id]
        return 201, {"data": {"id": tweet_id, "text": tweet["text"], "edit_history_tweet_ids": [tweet_id]}}, {}

    def get_tweet(self, seen: Seen, tweet_id: str):
        tweet = self.tweets.get(tweet_id)
        if tweet is None:  # X answers a lookup of a missing post with 200 and an errors list
            return 200, {"errors": [{"value": tweet_id, "detail": f"Could not find tweet with id: [{tweet_id}].",
                                     "title": "Not Found Error", "resource_type": "tweet", "parameter": "id",
                                     "resource_id": tweet_id, "type": NOT_FOUND}]}, {}
        view = {"id": tweet_id, "text": tweet["text"], "edit_history_tweet_ids": [tweet_id]}
        if "public_metrics" in (seen.query.get("tweet.fields") or [""])[0].split(","):
            view["public_metrics"] = tweet["public_metrics"]
        return 200, {"data": view}, {}

    def delete_tweet(self, seen: Seen, tweet_id: str):
        if self.tweets.pop(tweet_id, None) is None:
            return 404, {"title": "Not Found Error", "detail": f"Could not find tweet with id: [{tweet_id}].",
                         "type": NOT_FOUND}, {}
        return 200, {"data": {"deleted": True}}, {}

    def like(self, seen: Seen, user_id: str):
        if refused := self._mine(user_id):
            return refused
        tweet_id = (seen.json or {}).get("tweet_id")
        if not tweet_id:
            return invalid("tweet_id is required.", tweet_id=[""])
        self.likes.append(tweet_id)
        return 200, {"data": {"liked": True}}, {}

    def follow(self, seen: Seen, user_id: str):
        if refused := self._mine(user_id):
            return refused
        target = (seen.json or {}).get("target_user_id")
        if not target:
            return invalid("target_user_id is required.", target_user_id=[""])
        self.following.append(target)
        return 200, {"data": {"following": True, "pending_follow": False}}, {}

    def _timeline(self, seen: Seen, tweets: list[dict]):
        q = {name: values[0] for name, values in seen.query.items()}
        size = int(q.get("max_results", "10"))
        if not 5 <= size <= 100:
            return invalid("max_results must be between 5 and 100.", max_results=[str(size)])
        since = int(q.get("since_id", "0"))
        found = sorted((t for t in tweets if int(t["id"]) > since), key=lambda t: int(t["id"]), reverse=True)
        start = int(q.get("pagination_token", "0"))
        page = found[start:start + size]
        if not page:
            return 200, {"meta": {"result_count": 0}}, {}
        meta = {"result_count": len(page), "newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if start + size < len(found):
            meta["next_token"] = str(start + size)
        fields = set(q.get("tweet.fields", "").split(","))
        data = [{"id": t["id"], "text": t["text"], "edit_history_tweet_ids": [t["id"]],
                 **{name: t[name] for name in ("created_at", "author_id") if name in fields}} for t in page]
        body = {"data": data, "meta": meta}
        if q.get("expansions") == "author_id":
            body["includes"] = {"users": [{"id": t["author_id"], "name": t["author"], "username": t["author"]}
                                          for t in page if "author" in t]}
        return 200, body, {}

    def mentions(self, seen: Seen, user_id: str):
        return self._timeline(seen, self.mentions_list if user_id == self.user_id else [])

    def user_tweets(self, seen: Seen, user_id: str):
        return self._timeline(seen, list(self.tweets.values()) if user_id == self.user_id else [])

    def mention(self, text: str, *, author: str = "fan") -> str:
        """Someone mentions the account (ids grow, as X's do)."""
        tweet_id = str(next(self._ids))
        self.mentions_list.append({"id": tweet_id, "text": text, "author_id": str(9000 + len(self.mentions_list)),
                                   "author": author, "created_at": _stamp()})
        return tweet_id


def _stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture(name="x")
def x_fixture(settings, monkeypatch):
    """A running stand-in X API, configured as this deployment's X app; media polling does not sleep."""
    from personas.connectors.x import XConnector

    monkeypatch.setattr(XConnector, "media_poll_max_wait", 0)
    server = XStandIn().start()
    settings.PERSONAS_X_CLIENT_ID = server.client_id
    settings.PERSONAS_X_CLIENT_SECRET = server.client_secret
    settings.PERSONAS_X_API_BASE = server.url
    settings.PERSONAS_X_AUTH_BASE = server.url
    yield server
    server.stop()
