"""Stand-in Instagram and Threads servers: Meta's Graph APIs as documented, on a real local HTTP server.

One class holds what both APIs share (tokens, media containers, publishing,
the 24-hour quota, insights, replies); ``InstagramStandIn`` and
``ThreadsStandIn`` name their edges and add what only they do. Every request
is recorded and checked, and a wrong one gets Meta's error envelope
(``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``)
with the documented code; the wording of ``error_user_msg`` is the stand-in's:

- no ``access_token``: 400, code 104; an unknown or revoked one: 400, code 190;
- a token exchange with a wrong code, secret or ``redirect_uri``: 400;
- ``media_publish`` / ``threads_publish`` of a container that is not FINISHED:
  400, code 9007 "Media ID is not available";
- a carousel of fewer than 2 or more than the platform's items: 400, code 100;
- a publish once the quota is spent: 400, code 9, subcode 2207042.

Meta fetches media from a public URL: ``host`` keeps bytes and answers their
URL (a test passes it as the connector's ``media_url_for``), ``GET
/media-files/<n>`` serves them, and a container whose URL the stand-in does
not hold ends in ERROR, as one Meta cannot download does. A container answers
IN_PROGRESS to its first ``processing_polls`` status reads, then FINISHED.
"""

import itertools
import re
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from personas.connectors.base import MediaFile
from tests.personas.standins import Seen, StandInServer

V = r"(?:/v\d+\.\d+)?"  # Meta answers versioned and unversioned paths alike
ID = r"(\d+)"
LONG_LIVED_SECONDS = 5_183_944  # what Meta answers for "60 days"


def graph_error(message: str, code: int, *, subcode: int | None = None, user_msg: str = "", status: int = 400,
                kind: str = "OAuthException") -> tuple[int, dict, dict]:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AStandInTrace"}
    if subcode:
        error["error_subcode"] = subcode
    if user_msg:
        error["error_user_msg"] = user_msg
    return status, {"error": error}, {}


def missing(object_id: str) -> tuple[int, dict, dict]:
    return graph_error(f"Unsupported request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
                       "missing permissions, or does not support this operation.", 100, subcode=33,
                       kind="GraphMethodException")


def stamp(moment: datetime) -> str:
    """Meta's timestamps: ``2024-05-01T12:00:00+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def one(values: dict[str, list[str]], name: str) -> str:
    return (values.get(name) or [""])[0]


class MetaStandIn(StandInServer):
    """What Instagram and Threads share; subclasses name the edges and the container rules."""

    label = ""
    user_id = ""
    username = ""
    app_id = ""
    app_secret = ""
    scopes: tuple[str, ...] = ()
    exchange_grant = refresh_grant = ""
    container_edge = publish_edge = limit_edge = posts_edge = ""
    text_field = ""
    status_field = reason_field = ""
    max_children = 10
    quota_total = 100
    metrics: tuple[str, ...] = ()
    public = ("/oauth/access_token", "/access_token", "/refresh_access_token")

    def __init__(self) -> None:
        super().__init__()
        self.grants: dict[str, dict] = {}  # authorization code -> the consent's query
        self.short_tokens: set[str] = set()
        self.long_tokens: set[str] = set()
        self.files: dict[str, tuple[bytes, str]] = {}  # public URL -> (bytes, mime)
        self.containers: dict[str, dict] = {}
        self.posts: dict[str, dict] = {}
        self.followers_count = 1200
        self.processing_polls = 1
        self.quota_usage = 0
        self._ids = itertools.count(17_900_000_000_000_001)

    # -- routing and tokens -------------------------------------------------------------------------------------

    def dispatch(self, seen: Seen) -> tuple[int, Any, dict]:
        if seen.path in self.public or seen.path.startswith("/media-files/"):
            return super().dispatch(seen)
        token = one(seen.query, "access_token") or one(seen.form, "access_token")
        if not token:
            self.requests.append(seen)
            return graph_error("An access token is required to request this resource.", 104)
        if token not in self.short_tokens | self.long_tokens:
            self.requests.append(seen)
            return graph_error("Invalid OAuth access token - Cannot parse access token", 190)
        return super().dispatch(seen)

    def token(self) -> str:
        """A live long-lived token, as a connected account holds."""
        token = f"{self.label[:2].upper()}AA{secrets.token_hex(12)}"
        self.long_tokens.add(token)
        return token

    def revoke(self) -> None:
        """Every token stops working (the person removed the app, or the token expired)."""
        self.short_tokens.clear()
        self.long_tokens.clear()

    def consent(self, authorization_url: str) -> dict[str, str]:
        """What the consent page sends back once the person approves: the callback's ``code`` and ``state``."""
        parts = urlsplit(authorization_url)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        assert parts.path == "/oauth/authorize" and query["response_type"] == "code"
        assert query["client_id"] == self.app_id and "code_challenge" not in query
        assert set(query["scope"].split(",")) <= set(self.scopes), query["scope"]
        code = f"AQ{secrets.token_hex(16)}"
        self.grants[code] = query
        return {"code": code, "state": query.get("state", "")}

    def token_refusal(self, message: str) -> tuple[int, dict, dict]:
        return graph_error(message, 100)

    def oauth_token(self, seen: Seen):
        """``POST /oauth/access_token``: the app, the code (once) and the same redirect_uri buy a short-lived token."""
        form = {name: values[0] for name, values in seen.form.items()}
        if form.get("client_id") != self.app_id or form.get("client_secret") != self.app_secret:
            return self.token_refusal("Invalid platform app")
        grant = self.grants.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return self.token_refusal("Invalid authorization code")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return self.token_refusal("Error validating verification code. Please make sure your redirect_uri is "
                                      "identical to the one you used in the OAuth dialog request")
        token = f"{self.label[:2].upper()}short{secrets.token_hex(8)}"
        self.short_tokens.add(token)
        return 200, self.short_answer(token, grant), {}

    def short_answer(self, token: str, grant: dict) -> dict:
        return {"access_token": token, "user_id": int(self.user_id)}

    def exchange(self, seen: Seen):
        """``GET /access_token``: a live short-lived token and the app secret buy a 60-day token."""
        q = {name: values[0] for name, values in seen.query.items()}
        if q.get("grant_type") != self.exchange_grant:
            return graph_error(f"Unsupported grant_type: {q.get('grant_type')!r}", 100)
        if q.get("client_secret") != self.app_secret:
            return graph_error("Error validating client secret.", 1)
        if q.get("access_token") not in self.short_tokens:
            return graph_error("Invalid OAuth access token - Cannot parse access token", 190)
        return 200, {"access_token": self.token(), "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS}, {}

    def refresh(self, seen: Seen):
        """``GET /refresh_access_token``: a live long-lived token buys a new one."""
        q = {name: values[0] for name, values in seen.query.items()}
        if q.get("grant_type") != self.refresh_grant:
            return graph_error(f"Unsupported grant_type: {q.get('grant_type')!r}", 100)
        if q.get("access_token") not in self.long_tokens:
            return graph_error("Error validating access token: Session has expired.", 190, subcode=463)
        return 200, {"access_token": self.token(), "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS}, {}

    # -- media files ----------------------------------------------------------------------------------------

    def host(self, media: MediaFile) -> str:
        """Keep the bytes at a public URL (what the publishing service's storage does); the URL."""
        url = f"{self.url}/media-files/{len(self.files) + 1}"
        self.files[url] = (media.data, media.mime_type)
        return url

    def media_file(self, seen: Seen, number: str):
        data, mime = self.files.get(f"{self.url}/media-files/{number}", (None, ""))
        return (200, data, {"Content-Type": mime}) if data is not None else (404, b"", {})

    def fetched(self, url: str, *, video: bool) -> str:
        """Why the media at ``url`` cannot be used ("" when it can), as Meta finds when it downloads it."""
        found = self.files.get(url)
        if found is None:
            return "ERROR: Media download has failed. The media URI doesn't meet our requirements. (2207052)"
        data, mime = found
        if video and not mime.startswith("video/"):
            return "ERROR: The video file is not a supported format."
        if not video and not self.image_ok(data):
            return "ERROR: The image format is not supported."
        return ""

    def image_ok(self, data: bytes) -> bool:
        return data[:2] == b"\xff\xd8"

    # -- containers and publishing --------------------------------------------------------------------------

    def check_user(self, user_id: str):
        return None if user_id == self.user_id else missing(user_id)

    def create_container(self, seen: Seen, user_id: str):
        refused = self.check_user(user_id)
        if refused:
            return refused
        form = {name: values[0] for name, values in seen.form.items() if name != "access_token"}
        container = {"id": str(next(self._ids)), "fields": form, "polls_left": self.processing_polls,
                     "state": "IN_PROGRESS", "created": datetime.now(UTC)}
        problem = self.container_problem(form, container)
        if problem:
            return problem
        self.containers[container["id"]] = container
        return 200, {"id": container["id"]}, {}

    def container_problem(self, form: dict, container: dict):
        """The refusal of a container request (an error answer) or None; sets ``container['outcome']``."""
        if form.get("media_type") == "CAROUSEL":
            children = [child for child in form.get("children", "").split(",") if child]
            if not self.max_children >= len(children) >= 2:
                return graph_error("(#100) Invalid parameter", 100, user_msg=(
                    f"A carousel takes 2 to {self.max_children} items; this one has {len(children)}."))
            for child in children:
                item = self.containers.get(child)
                if item is None or item["fields"].get("is_carousel_item") != "true":
                    return graph_error(f"(#100) Param children[{child}] is not a carousel item", 100)
            errors = [self.containers[child]["outcome"] for child in children if self.containers[child]["outcome"]]
            container["outcome"] = errors[0] if errors else ""
            return None
        video = "video_url" in form
        url = form.get("video_url") or form.get("image_url")
        if not url:
            return graph_error("(#100) The parameter image_url is required.", 100)
        container["outcome"] = self.fetched(url, video=video)
        return None

    def container_or_post(self, seen: Seen, object_id: str):
        """``GET /<id>``: a container's status (each read counts), or a post's fields."""
        fields = [name for name in one(seen.query, "fields").split(",") if name]
        container = self.containers.get(object_id)
        if container is not None:
            if container["state"] == "IN_PROGRESS":
                if container["polls_left"] > 0:
                    container["polls_left"] -= 1
                else:
                    container["state"] = "ERROR" if container["outcome"] else "FINISHED"
            view = {self.status_field: container["state"], "id": object_id}
            if container["state"] == "ERROR":
                view[self.reason_field] = container["outcome"]
            return 200, {name: view[name] for name in ["id", *fields] if name in view}, {}
        post = self.posts.get(object_id)
        if post is None:
            return missing(object_id)
        return 200, {name: post[name] for name in ["id", *fields] if name in post}, {}

    def publish(self, seen: Seen, user_id: str):
        """Publish a FINISHED container once, within the quota; anything else is refused."""
        refused = self.check_user(user_id)
        if refused:
            return refused
        creation_id = one(seen.form, "creation_id")
        if not creation_id:
            return graph_error("(#100) The parameter creation_id is required.", 100)
        container = self.containers.get(creation_id)
        if container is None:
            return missing(creation_id)
        if container["state"] != "FINISHED":
            return graph_error("Media ID is not available", 9007, subcode=2207027,
                               user_msg="The media is not ready for publishing, please wait for a moment")
        if container["fields"].get("is_carousel_item") == "true":
            return graph_error("(#100) A carousel item cannot be published on its own.", 100)
        if self.quota_usage >= self.quota_total:
            return graph_error("Application request limit reached", 9, subcode=2207042,
                               user_msg="The account reached its limit of posts published through the API "
                                        "in 24 hours.")
        container["state"] = "PUBLISHED"
        self.quota_usage += 1
        post = self.make_post(container)
        self.posts[post["id"]] = post
        return 200, {"id": post["id"]}, {}

    def make_post(self, container: dict) -> dict:
        fields = container["fields"]
        post_id = str(next(self._ids))
        return {"id": post_id, self.text_field: fields.get(self.text_field, ""),
                "media_type": fields.get("media_type") or "IMAGE", "timestamp": stamp(datetime.now(UTC)),
                "permalink": self.permalink(post_id), "username": self.username,
                "children": [c for c in fields.get("children", "").split(",") if c], "answers": [],
                "container": container["id"], **dict.fromkeys(self.metrics, 0)}

    def permalink(self, post_id: str) -> str:
        raise NotImplementedError

    def add_post(self, text: str, *, at: datetime) -> str:
        """A post the account made earlier (in the app or through the API); its id."""
        post = self.make_post({"id": "", "fields": {self.text_field: text}})
        post["timestamp"] = stamp(at)
        self.posts[post["id"]] = post
        return post["id"]

    def publishing_limit(self, seen: Seen, user_id: str):
        refused = self.check_user(user_id)
        return refused or (200, {"data": [{"quota_usage": self.quota_usage, "config": {
            "quota_total": self.quota_total, "quota_duration": 86400}}]}, {})

    def list_posts(self, seen: Seen, user_id: str):
        refused = self.check_user(user_id)
        if refused:
            return refused
        fields = [name for name in one(seen.query, "fields").split(",") if name] or ["id"]
        limit = int(one(seen.query, "limit") or 25)
        own = [post for post in self.posts.values() if not post.get("reply_to")]
        newest = sorted(own, key=lambda post: post["timestamp"], reverse=True)[:limit]
        return 200, {"data": [{name: post[name] for name in fields if name in post} for post in newest],
                     "paging": {}}, {}

    def insights(self, seen: Seen, post_id: str):
        post = self.posts.get(post_id)
        if post is None:
            return missing(post_id)
        wanted = [name for name in one(seen.query, "metric").split(",") if name]
        unknown = [name for name in wanted if name not in self.metrics]
        if not wanted or unknown:
            return graph_error(f"(#100) metric[0] must be one of the following values: {', '.join(self.metrics)}",
                               100)
        return 200, {"data": [{"name": name, "period": "lifetime", "values": [{"value": post[name]}],
                               "title": name.title(), "id": f"{post_id}/insights/{name}/lifetime"}
                              for name in wanted]}, {}

    def answers_of(self, seen: Seen, post_id: str):
        """``GET /<post-id>/comments`` (Instagram) or ``/replies`` (Threads): what others answered, newest first."""
        post = self.posts.get(post_id)
        if post is None:
            return missing(post_id)
        fields = [name for name in one(seen.query, "fields").split(",") if name]
        answers = sorted(post["answers"], key=lambda answer: answer["timestamp"], reverse=True)
        return 200, {"data": [{name: answer[name] for name in ["id", *fields] if name in answer}
                              for answer in answers]}, {}


class InstagramStandIn(MetaStandIn):
    """Instagram API with Instagram Login: graph.instagram.com, with api.instagram.com's token endpoint."""

    label = "Instagram"
    user_id = "17841400000000042"
    app_scoped_id = "27000000000000042"
    username = "maya.rivers"
    app_id = "990602627938098"
    app_secret = "ig-app-secret"
    scopes = ("instagram_business_basic", "instagram_business_content_publish", "instagram_business_manage_insights",
              "instagram_business_manage_comments", "instagram_business_manage_messages")
    exchange_grant, refresh_grant = "ig_exchange_token", "ig_refresh_token"
    text_field = "caption"
    status_field, reason_field = "status_code", "status"
    max_children = 10
    quota_total = 100
    metrics = ("likes", "comments", "shares", "saved", "reach", "views", "total_interactions")
    routes = [
        ("POST", r"/oauth/access_token", "oauth_token"),
        ("GET", r"/access_token", "exchange"),
        ("GET", r"/refresh_access_token", "refresh"),
        ("GET", r"/media-files/(\d+)", "media_file"),
        ("GET", V + r"/me", "me"),
        ("POST", V + rf"/{ID}/media", "create_container"),
        ("GET", V + rf"/{ID}/media", "list_posts"),
        ("POST", V + rf"/{ID}/media_publish", "publish"),
        ("GET", V + rf"/{ID}/content_publishing_limit", "publishing_limit"),
        ("GET", V + rf"/{ID}/insights", "insights"),
        ("GET", V + rf"/{ID}/comments", "answers_of"),
        ("POST", V + rf"/{ID}/comments", "add_comment"),
        ("GET", V + rf"/{ID}", "container_or_post"),
        ("DELETE", V + rf"/{ID}", "delete"),
    ]

    def __init__(self) -> None:
        super().__init__()
        # Business Login documents the short-lived answer wrapped in "data"; set False for the flat form.
        self.wrapped_token_answer = True

    def token_refusal(self, message: str):
        # api.instagram.com answers its own flat shape, not Graph's envelope.
        return 400, {"error_type": "OAuthException", "code": 400, "error_message": message}, {}

    def short_answer(self, token: str, grant: dict) -> dict:
        answer = {"access_token": token, "user_id": self.user_id, "permissions": grant["scope"]}
        return {"data": [answer]} if self.wrapped_token_answer else answer

    def me(self, seen: Seen):
        fields = [name for name in one(seen.query, "fields").split(",") if name] or ["id", "username"]
        view = {"id": self.app_scoped_id, "user_id": self.user_id, "username": self.username,
                "followers_count": self.followers_count, "follows_count": 12, "media_count": len(self.posts)}
        return 200, {name: view[name] for name in fields if name in view}, {}

    def container_problem(self, form: dict, container: dict):
        media_type = form.get("media_type", "")
        item = form.get("is_carousel_item") == "true"
        if media_type not in {"", "CAROUSEL", "REELS", "STORIES", *(["VIDEO"] if item else [])}:
            # Since 2023 a feed video is a reel; VIDEO is left for carousel items.
            return graph_error(f"(#100) Unsupported media_type {media_type!r}.", 100)
        if media_type == "REELS" and not form.get("video_url"):
            return graph_error("(#100) The parameter video_url is required.", 100)
        caption = form.get("caption", "")
        if len(caption) > 2200 or len(re.findall(r"#\w+", caption)) > 30:
            return graph_error("(#100) Invalid parameter", 100,
                               user_msg="The caption is over 2,200 characters or 30 hashtags.")
        return super().container_problem(form, container)

    def make_post(self, container: dict) -> dict:
        post = super().make_post(container)
        kind = container["fields"].get("media_type", "")
        post["media_product_type"] = {"REELS": "REELS", "STORIES": "STORY"}.get(kind, "FEED")
        post["media_type"] = {"REELS": "VIDEO", "STORIES": "IMAGE", "CAROUSEL": "CAROUSEL_ALBUM"}.get(kind, "IMAGE")
        post["like_count"] = post["comments_count"] = 0
        return post

    def permalink(self, post_id: str) -> str:
        return f"https://www.instagram.com/p/C{int(post_id) % 10**9:09d}/"

    def comment_on(self, post_id: str, text: str, *, username: str = "trail.fan", at: datetime | None = None) -> str:
        """Someone comments on a post; the comment's id."""
        post = self.posts[post_id]
        comment = {"id": str(next(self._ids)), "text": text, "timestamp": stamp(at or datetime.now(UTC)),
                   "username": username, "from": {"id": "178414000999", "username": username}}
        post["answers"].append(comment)
        post["comments_count"] += 1
        return comment["id"]

    def add_comment(self, seen: Seen, post_id: str):
        if post_id not in self.posts:
            return missing(post_id)
        message = one(seen.form, "message")
        if not message:
            return graph_error("(#100) The parameter message is required.", 100)
        return 200, {"id": self.comment_on(post_id, message, username=self.username)}, {}

    def delete(self, seen: Seen, post_id: str):
        # Instagram's API has no media delete.
        return graph_error("Unsupported delete request.", 100, kind="GraphMethodException")


class ThreadsStandIn(MetaStandIn):
    """The Threads API: graph.threads.net, tokens included."""

    label = "Threads"
    user_id = "25000000000000042"
    username = "maya.rivers"
    app_id = "1234567890123456"
    app_secret = "threads-app-secret"
    scopes = ("threads_basic", "threads_content_publish", "threads_manage_insights", "threads_manage_replies",
              "threads_read_replies", "threads_manage_mentions")
    exchange_grant, refresh_grant = "th_exchange_token", "th_refresh_token"
    text_field = "text"
    status_field, reason_field = "status", "error_message"
    max_children = 20
    quota_total = 250
    metrics = ("views", "likes", "replies", "reposts", "quotes", "shares")
    routes = [
        ("POST", r"/oauth/access_token", "oauth_token"),
        ("GET", r"/access_token", "exchange"),
        ("GET", r"/refresh_access_token", "refresh"),
        ("GET", r"/media-files/(\d+)", "media_file"),
        ("GET", V + r"/me", "me"),
        ("POST", V + rf"/{ID}/threads", "create_container"),
        ("GET", V + rf"/{ID}/threads", "list_posts"),
        ("POST", V + rf"/{ID}/threads_publish", "publish"),
        ("GET", V + rf"/{ID}/threads_publishing_limit", "publishing_limit"),
        ("GET", V + rf"/{ID}/threads_insights", "user_insights"),
        ("GET", V + rf"/{ID}/insights", "insights"),
        ("GET", V + rf"/{ID}/replies", "answers_of"),
        ("GET", V + rf"/{ID}", "container_or_post"),
        ("DELETE", V + rf"/{ID}", "delete"),
    ]

    def image_ok(self, data: bytes) -> bool:
        return data[:2] == b"\xff\xd8" or data[:8] == b"\x89PNG\r\n\x1a\n"

    def me(self, seen: Seen):
        fields = [name for name in one(seen.query, "fields").split(",") if name] or ["id"]
        view = {"id": self.user_id, "username": self.username, "threads_biography": "Trail runner."}
        return 200, {name: view[name] for name in ["id", *fields] if name in view}, {}

    def user_insights(self, seen: Seen, user_id: str):
        refused = self.check_user(user_id)
        if refused:
            return refused
        if one(seen.query, "metric") != "followers_count":
            return graph_error("(#100) metric must be one of: views, likes, replies, reposts, quotes, "
                               "followers_count, follower_demographics", 100)
        return 200, {"data": [{"name": "followers_count", "period": "day", "title": "followers_count",
                               "total_value": {"value": self.followers_count},
                               "id": f"{user_id}/insights/followers_count/day"}]}, {}

    def container_problem(self, form: dict, container: dict):
        media_type = form.get("media_type", "")
        if media_type not in ("TEXT", "IMAGE", "VIDEO", "CAROUSEL"):
            return graph_error("(#100) The parameter media_type is required.", 100)
        if len(form.get("text", "")) > 500:
            return graph_error("(#100) Invalid parameter", 100, user_msg="Text is limited to 500 characters.")
        reply_to = form.get("reply_to_id")
        if reply_to and reply_to not in self.posts:
            return missing(reply_to)
        if media_type == "TEXT":
            if not form.get("text"):
                return graph_error("(#100) The parameter text is required.", 100)
            container["outcome"] = ""
            return None
        if media_type == "VIDEO" and not form.get("video_url"):
            return graph_error("(#100) The parameter video_url is required.", 100)
        return super().container_problem(form, container)

    def make_post(self, container: dict) -> dict:
        post = super().make_post(container)
        reply_to = container["fields"].get("reply_to_id")
        if reply_to:  # a reply is a post of its own, listed under its parent
            post["reply_to"] = reply_to
            self.posts[reply_to]["answers"].append(post)
            self.posts[reply_to]["replies"] += 1
        return post

    def permalink(self, post_id: str) -> str:
        return f"https://www.threads.com/@{self.username}/post/D{int(post_id) % 10**9:09d}"

    def reply_to(self, post_id: str, text: str, *, username: str = "trail.fan", at: datetime | None = None) -> str:
        """Someone replies to a post; the reply's id (a post itself, which can be answered in turn)."""
        reply = {**self.make_post({"id": "", "fields": {"text": text}}), "username": username, "reply_to": post_id,
                 "timestamp": stamp(at or datetime.now(UTC))}
        self.posts[reply["id"]] = reply
        self.posts[post_id]["answers"].append(reply)
        self.posts[post_id]["replies"] += 1
        return reply["id"]

    def delete(self, seen: Seen, post_id: str):
        if self.posts.pop(post_id, None) is None:
            return missing(post_id)
        return 200, {"success": True, "deleted_id": post_id}, {}


# -- fixtures (import them into a test module) --------------------------------------------------------------


@pytest.fixture(name="instagram")
def instagram_fixture(monkeypatch):
    """A running stand-in Instagram; container polling does not sleep."""
    from personas.connectors.meta import MetaConnector

    monkeypatch.setattr(MetaConnector, "container_poll_interval", 0)
    server = InstagramStandIn().start()
    yield server
    server.stop()


@pytest.fixture(name="threads")
def threads_fixture(monkeypatch):
    """A running stand-in Threads; container polling does not sleep."""
    from personas.connectors.meta import MetaConnector

    monkeypatch.setattr(MetaConnector, "container_poll_interval", 0)
    server = ThreadsStandIn().start()
    yield server
    server.stop()
