"""Stand-in Google (OAuth and YouTube Data API v3) and LinkedIn (OAuth, OpenID userinfo, versioned REST) servers.

Built on ``standins.StandInServer`` (real local HTTP servers that record every
request), with PUT added for upload sessions. Each keeps state (tokens, upload
sessions, videos, images, posts) and refuses wrong shapes with the platform's
documented error: a token request with the wrong code, redirect URI or PKCE
verifier; a resumable chunk that does not start where the bytes so far end, or
whose Content-Range disagrees with its body; a video without a title; a
LinkedIn ``/rest`` call without ``LinkedIn-Version`` (400) or with a retired one
(426), or without ``X-Restli-Protocol-Version: 2.0.0``; a post naming an image
whose bytes never arrived. Where the real API is looser (Google may answer a
misplaced chunk with a 308 naming what it holds) the stand-in answers 400, so
a client that ignores ``Range`` fails here rather than looping.
"""

import base64
import hashlib
import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.personas.standins import Seen, StandInServer
from tests.personas.standins import _Handler as _BaseHandler

CALLBACK = "https://stagecraft.test/personas/oauth/{platform}/callback"
SCOPE = "https://www.googleapis.com/auth/"
YOUTUBE_SCOPES = {SCOPE + "youtube.upload", SCOPE + "youtube.readonly", SCOPE + "youtube.force-ssl"}
UNIT = 256 * 1024


class _Handler(_BaseHandler):
    def do_PUT(self) -> None:  # noqa: N802 - http.server calls do_<METHOD> by name
        self._answer()


class UploadStandIn(StandInServer):
    """A stand-in that also takes PUT (resumable chunks, presigned uploads)."""

    def __init__(self) -> None:
        super().__init__()
        self._server.RequestHandlerClass = _Handler


def _query(seen: Seen) -> dict[str, str]:
    return {name: values[0] for name, values in seen.query.items()}


def _form(seen: Seen) -> dict[str, str]:
    return {name: values[0] for name, values in seen.form.items()}


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class _Consent:
    """The consent page both platforms run: it checks the app and the redirect URI, then hands out a code."""

    authorize_path = ""
    platform = ""
    client_id = ""
    client_secret = ""

    def _consent_query(self, authorization_url: str) -> dict[str, str]:
        parts = urlsplit(authorization_url)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        assert parts.path == self.authorize_path and query["response_type"] == "code", authorization_url
        assert query["client_id"] == self.client_id and query["redirect_uri"] == self.redirect_uri
        return query

    def consent(self, authorization_url: str, *, approve: bool = True) -> dict[str, str]:
        """What the consent page sends the browser back with once the person approves (code and state)."""
        query = self._consent_query(authorization_url)
        if not approve:
            return {"error": "access_denied", "state": query["state"]}
        code = f"{self.platform}-code-{next(self._codes)}"
        self.grants[code] = query
        return {"code": code, "state": query["state"]}


# -- Google: OAuth 2.0 and the YouTube Data API v3 ---------------------------------------------------------------


def google_error(status: int, reason: str, message: str) -> tuple[int, dict, dict]:
    return status, {"error": {"code": status, "message": message,
                              "errors": [{"message": message, "domain": "youtube", "reason": reason}]}}, {}


class GoogleStandIn(_Consent, UploadStandIn):
    """``oauth2.googleapis.com/token`` and ``www.googleapis.com/youtube/v3`` (with resumable uploads) in one server."""

    platform = "youtube"
    authorize_path = "/o/oauth2/v2/auth"
    client_id = "stagecraft.apps.googleusercontent.com"
    client_secret = "google-client-secret"
    token = "ya29.stand-in-access-token"
    channel_id = "UCava0000000000000000000"
    uploads_playlist = "UUava0000000000000000000"
    routes = [
        ("POST", r"/token", "oauth_token"),
        ("GET", r"/youtube/v3/channels", "channels"),
        ("GET", r"/youtube/v3/playlistItems", "playlist_items"),
        ("GET", r"/youtube/v3/videos", "list_videos"),
        ("DELETE", r"/youtube/v3/videos", "delete_video"),
        ("POST", r"/youtube/v3/videos/rate", "rate_video"),
        ("GET", r"/youtube/v3/commentThreads", "list_threads"),
        ("POST", r"/youtube/v3/commentThreads", "insert_thread"),
        ("POST", r"/youtube/v3/subscriptions", "subscribe"),
        ("POST", r"/upload/youtube/v3/videos", "start_upload"),
        ("PUT", r"/upload/youtube/v3/videos", "upload_chunk"),
    ]
    # Which scope each call needs (any one of them); "youtube" is the full scope.
    needs = {"channels": "readonly", "playlist_items": "readonly", "list_videos": "readonly",
             "list_threads": "readonly", "start_upload": "upload", "upload_chunk": "upload",
             "delete_video": "force-ssl", "rate_video": "force-ssl", "insert_thread": "force-ssl",
             "subscribe": "force-ssl"}

    def __init__(self) -> None:
        super().__init__()
        self.redirect_uri = CALLBACK.format(platform="youtube")
        self.grants: dict[str, dict] = {}
        self.access: dict[str, set[str]] = {self.token: set(YOUTUBE_SCOPES)}
        self.refresh_tokens: dict[str, set[str]] = {}
        self.subscriber_count = 1200
        self.handles = {"@trailfriend": "UCfriend00000000000000000"}
        self.sessions: dict[str, dict] = {}
        self.videos: dict[str, dict] = {}
        self.threads: list[dict] = []
        self.subscriptions: dict[str, str] = {}
        self.ratings: dict[str, str] = {}
        self.other_videos = {"otherVid001"}  # someone else's videos, to like and comment on
        # Scripts: keep only this many bytes of the next chunk (answering 308 with what it holds);
        # answer the next N chunks 503 without keeping them.
        self.keep_of_next_chunk: int | None = None
        self.interrupt_chunks = 0
        self._codes = itertools.count(1)
        self._ids = itertools.count(1)

    def dispatch(self, seen: Seen) -> tuple[int, Any, dict]:
        if seen.path == "/token":
            return super().dispatch(seen)
        scopes = self.access.get(seen.headers.get("authorization", "").removeprefix("Bearer "))
        if scopes is None:
            self.requests.append(seen)
            return google_error(401, "authError", "Request had invalid authentication credentials.")
        name = next((name for method, pattern, name in self.routes
                     if method == seen.method and re.fullmatch(pattern, seen.path)), "")
        if name in self.needs and not scopes & {SCOPE + "youtube." + self.needs[name], SCOPE + "youtube"}:
            self.requests.append(seen)
            return google_error(403, "insufficientPermissions", "Request had insufficient authentication scopes.")
        return super().dispatch(seen)

    # -- OAuth

    def consent(self, authorization_url: str, *, approve: bool = True) -> dict[str, str]:
        query = self._consent_query(authorization_url)
        assert query.get("code_challenge_method") == "S256" and len(query.get("code_challenge", "")) == 43
        assert set(query["scope"].split()) <= YOUTUBE_SCOPES | {SCOPE + "youtube"}
        return super().consent(authorization_url, approve=approve)

    def oauth_token(self, seen: Seen):
        """Google's token endpoint: the app in the body, then the code grant (PKCE S256) or a refresh."""
        form = _form(seen)
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client", "error_description": "The OAuth client was not found."}, {}
        if form.get("grant_type") == "refresh_token":
            scopes = self.refresh_tokens.get(form.get("refresh_token", ""))
            if scopes is None:
                return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, {}
            return 200, self._issue(scopes, refresh=False), {}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type."}, {}
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None:
            return 400, {"error": "invalid_grant", "error_description": "Malformed auth code."}, {}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "redirect_uri_mismatch", "error_description": "Bad Request"}, {}
        if not form.get("code_verifier"):
            return 400, {"error": "invalid_request", "error_description": "code_verifier is missing."}, {}
        if _s256(form["code_verifier"]) != grant["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "Invalid code verifier."}, {}
        return 200, self._issue(set(grant["scope"].split()), refresh=grant.get("access_type") == "offline"), {}

    def _issue(self, scopes: set[str], *, refresh: bool) -> dict:
        token = f"ya29.issued-{next(self._ids)}"
        self.access[token] = scopes
        answer = {"access_token": token, "expires_in": 3599, "scope": " ".join(sorted(scopes)),
                  "token_type": "Bearer"}
        if refresh:
            answer["refresh_token"] = f"1//refresh-{next(self._ids)}"
            self.refresh_tokens[answer["refresh_token"]] = scopes
        return answer

    def revoke(self, refresh_token: str) -> None:
        self.refresh_tokens.pop(refresh_token, None)

    # -- channel and videos

    def channels(self, seen: Seen):
        q = _query(seen)
        if not q.get("part"):
            return google_error(400, "required", "Required parameter: part")
        if q.get("mine") == "true":
            found = [self.channel(q["part"])]
        elif q.get("forHandle"):
            channel_id = self.handles.get(q["forHandle"])
            found = [{"kind": "youtube#channel", "id": channel_id}] if channel_id else []
        else:
            return google_error(400, "missingRequiredParameter", "No filter selected.")
        return 200, {"kind": "youtube#channelListResponse", "items": found}, {}

    def channel(self, part: str) -> dict:
        parts = set(part.split(","))
        resource = {"kind": "youtube#channel", "id": self.channel_id}
        if "snippet" in parts:
            resource["snippet"] = {"title": "Ava Trails", "customUrl": "@avatrails", "description": ""}
        if "statistics" in parts:
            resource["statistics"] = {"viewCount": "5400", "subscriberCount": str(self.subscriber_count),
                                      "hiddenSubscriberCount": False, "videoCount": str(len(self.videos))}
        if "contentDetails" in parts:
            resource["contentDetails"] = {"relatedPlaylists": {"likes": "", "uploads": self.uploads_playlist}}
        return resource

    def playlist_items(self, seen: Seen):
        q = _query(seen)
        if q.get("playlistId") != self.uploads_playlist:
            return google_error(404, "playlistNotFound", "The playlist identified with the request's "
                                                         "playlistId parameter cannot be found.")
        newest = sorted(self.videos.values(), key=lambda video: video["snippet"]["publishedAt"], reverse=True)
        items = [{"kind": "youtube#playlistItem", "contentDetails": {"videoId": video["id"]}}
                 for video in newest[:int(q.get("maxResults", "5"))]]
        return 200, {"kind": "youtube#playlistItemListResponse", "items": items}, {}

    def list_videos(self, seen: Seen):
        q = _query(seen)
        if not q.get("part") or "id" not in q:
            return google_error(400, "required", "Required parameters: part and a filter")
        parts = set(q["part"].split(","))
        items = [{"kind": "youtube#video", "id": video_id,
                  **{part: value for part, value in self.videos[video_id].items() if part in parts}}
                 for video_id in q["id"].split(",") if video_id in self.videos]
        return 200, {"kind": "youtube#videoListResponse", "items": items}, {}

    def delete_video(self, seen: Seen):
        if self.videos.pop(_query(seen).get("id", ""), None) is None:
            return google_error(404, "videoNotFound", "The video that you are trying to delete cannot be found.")
        return 204, None, {}

    def rate_video(self, seen: Seen):
        q = _query(seen)
        if q.get("rating") not in ("like", "dislike", "none"):
            return google_error(400, "invalidRating", "The request contained an unexpected value for the rating.")
        if q.get("id") not in self.videos and q.get("id") not in self.other_videos:
            return google_error(404, "videoNotFound", "The video that you are trying to rate cannot be found.")
        self.ratings[q["id"]] = q["rating"]
        return 204, None, {}

    def comment_from(self, author_channel: str, video_id: str, text: str, *, minutes_ago: float = 0) -> str:
        """Someone comments on one of the channel's videos (newest first, as the API lists them)."""
        thread_id = f"Ugz{next(self._ids):05d}"
        moment = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        self.threads.insert(0, {"kind": "youtube#commentThread", "id": thread_id, "snippet": {
            "channelId": self.channel_id, "videoId": video_id, "topLevelComment": {"id": thread_id, "snippet": {
                "videoId": video_id, "textDisplay": text, "textOriginal": text,
                "authorChannelId": {"value": author_channel}, "publishedAt": _stamp(moment)}}}})
        self.threads.sort(key=lambda item: item["snippet"]["topLevelComment"]["snippet"]["publishedAt"],
                          reverse=True)
        return thread_id

    def list_threads(self, seen: Seen):
        q = _query(seen)
        if q.get("allThreadsRelatedToChannelId") != self.channel_id:
            return google_error(403, "forbidden", "The comment threads cannot be retrieved.")
        size, start = int(q.get("maxResults", "20")), int(q.get("pageToken", "0"))
        page = {"kind": "youtube#commentThreadListResponse", "items": self.threads[start:start + size]}
        if start + size < len(self.threads):
            page["nextPageToken"] = str(start + size)
        return 200, page, {}

    def insert_thread(self, seen: Seen):
        snippet = (seen.json or {}).get("snippet") or {}
        text = ((snippet.get("topLevelComment") or {}).get("snippet") or {}).get("textOriginal", "")
        if snippet.get("videoId") not in self.videos and snippet.get("videoId") not in self.other_videos:
            return google_error(404, "videoNotFound", "The video identified by the videoId parameter cannot be "
                                                      "found.")
        if not text:
            return google_error(400, "commentTextRequired", "The comment resource must contain a textOriginal.")
        thread_id = self.comment_from(self.channel_id, snippet["videoId"], text)
        return 200, self.threads[0] | {"id": thread_id}, {}

    def subscribe(self, seen: Seen):
        resource = (((seen.json or {}).get("snippet") or {}).get("resourceId") or {})
        if resource.get("kind") != "youtube#channel" or not resource.get("channelId"):
            return google_error(400, "subscriptionForbidden", "The subscription resource needs a channel.")
        if resource["channelId"] in self.subscriptions:
            return google_error(400, "subscriptionDuplicate", "The subscription that you are trying to create "
                                                              "already exists.")
        self.subscriptions[resource["channelId"]] = f"sub-{next(self._ids)}"
        return 200, {"kind": "youtube#subscription", "id": self.subscriptions[resource["channelId"]]}, {}

    # -- resumable upload

    def start_upload(self, seen: Seen):
        """Step 1: the video resource as JSON and the file's size and type; the session URI in ``Location``."""
        q = _query(seen)
        if q.get("uploadType") != "resumable":
            return google_error(400, "badRequest", "Use uploadType=resumable.")
        metadata = seen.json or {}
        snippet, status = metadata.get("snippet") or {}, metadata.get("status") or {}
        if set(metadata) - set(q.get("part", "").split(",")):
            return google_error(400, "unexpectedPart", "The request metadata has a part the part parameter "
                                                       "does not name.")
        problem = _metadata_problem(snippet, status)
        if problem:
            return google_error(400, *problem)
        total = seen.headers.get("x-upload-content-length", "")
        kind = seen.headers.get("x-upload-content-type", "")
        if not total.isdigit() or int(total) == 0:
            return google_error(400, "badRequest", "X-Upload-Content-Length must give the file's size.")
        if not (kind.startswith("video/") or kind == "application/octet-stream"):
            return google_error(400, "invalidContentType", "Uploads must be video/* or application/octet-stream.")
        upload_id = f"AUp{next(self._ids):06d}"
        self.sessions[upload_id] = {"metadata": metadata, "total": int(total), "type": kind, "data": bytearray(),
                                    "video_id": None}
        location = f"{self.url}/upload/youtube/v3/videos?uploadType=resumable&part={q['part']}&upload_id={upload_id}"
        return 200, None, {"Location": location}

    def upload_chunk(self, seen: Seen):
        """Steps 3 and 4: a chunk (``bytes a-b/total``) or a status query (``bytes */total``)."""
        session = self.sessions.get(_query(seen).get("upload_id", ""))
        if session is None:
            return google_error(404, "notFound", "The upload session was not found.")
        total, data = session["total"], session["data"]
        if session["video_id"]:
            return 200, self.video_view(session["video_id"]), {}
        header = seen.headers.get("content-range", "")
        query = re.fullmatch(r"bytes \*/(\d+)", header)
        if query and not seen.body:
            return self._incomplete(session)
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", header)
        if not match:
            return google_error(400, "badRequest", f"Malformed Content-Range: {header!r}.")
        first, last, claimed = map(int, match.groups())
        if claimed != total:
            return google_error(400, "badRequest", f"The upload is {total} bytes, not {claimed}.")
        if first != len(data):
            return google_error(400, "badRequest", f"The chunk starts at byte {first}, but {len(data)} bytes "
                                                   f"have arrived.")
        if last - first + 1 != len(seen.body) or last >= total:
            return google_error(400, "badRequest", "Content-Range does not match the chunk's length.")
        if last + 1 < total and len(seen.body) % UNIT:
            return google_error(400, "badRequest", "Every chunk but the last must be a multiple of 256 KiB.")
        if self.interrupt_chunks:
            self.interrupt_chunks -= 1
            return 503, {"error": {"code": 503, "message": "Backend Error"}}, {}
        keep = len(seen.body) if self.keep_of_next_chunk is None else self.keep_of_next_chunk
        self.keep_of_next_chunk = None
        data.extend(seen.body[:keep])
        if len(data) < total:
            return self._incomplete(session)
        return 201, self._publish(session), {}

    def _incomplete(self, session: dict):
        # 308 Resume Incomplete; no Range header at all when nothing has arrived.
        have = len(session["data"])
        return 308, b"", ({"Range": f"bytes=0-{have - 1}"} if have else {})

    def _publish(self, session: dict) -> dict:
        video_id = f"vid{next(self._ids):08d}"[:11]
        snippet = {**session["metadata"]["snippet"], "channelId": self.channel_id,
                   "publishedAt": _stamp(datetime.now(UTC) + timedelta(microseconds=next(self._ids)))}
        self.videos[video_id] = {"kind": "youtube#video", "id": video_id, "snippet": snippet,
                                 "status": {"uploadStatus": "uploaded", **session["metadata"]["status"]},
                                 "statistics": {"viewCount": "0", "likeCount": "0", "commentCount": "0"},
                                 "bytes": bytes(session["data"]), "mime": session["type"]}
        session["video_id"] = video_id
        return self.video_view(video_id)

    def video_view(self, video_id: str) -> dict:
        return {key: value for key, value in self.videos[video_id].items() if key not in ("bytes", "mime")}


def _metadata_problem(snippet: dict, status: dict) -> tuple[str, str] | None:
    """videos.insert's checks of the video resource: ``(reason, message)`` or ``None``."""
    title, description = snippet.get("title"), snippet.get("description", "")
    if not isinstance(title, str) or not title.strip():
        return "invalidTitle", "The request metadata specifies an invalid or empty video title."
    if len(title) > 100 or "<" in title or ">" in title:
        return "invalidTitle", "The request metadata specifies an invalid video title."
    if len(description.encode()) > 5000 or "<" in description or ">" in description:
        return "invalidDescription", "The request metadata specifies an invalid video description."
    if snippet.get("categoryId") not in {str(number) for number in range(1, 45)}:
        return "invalidCategoryId", "The snippet.categoryId property specifies an invalid category ID."
    if len(",".join(snippet.get("tags") or [])) > 500:
        return "invalidTags", "The request metadata specifies invalid video keywords."
    if status.get("privacyStatus", "public") not in ("public", "private", "unlisted"):
        return "invalidVideoMetadata", "The request metadata is invalid: privacyStatus."
    for flag in ("selfDeclaredMadeForKids", "containsSyntheticMedia"):
        if flag in status and not isinstance(status[flag], bool):
            return "invalidVideoMetadata", f"The request metadata is invalid: status.{flag}."
    return None


# -- LinkedIn: OAuth 2.0, OpenID userinfo, Images, Posts, Social Actions ------------------------------------------


def linkedin_error(status: int, code: str, message: str, headers: dict | None = None) -> tuple[int, dict, dict]:
    return status, {"status": status, "code": code, "message": message}, headers or {}


class LinkedInStandIn(_Consent, UploadStandIn):
    """``www.linkedin.com/oauth/v2`` and ``api.linkedin.com`` (``/v2/userinfo``, ``/rest/...``) in one server."""

    platform = "linkedin"
    authorize_path = "/oauth/v2/authorization"
    client_id = "86linkedinclient"
    client_secret = "linkedin-client-secret"
    token = "AQV-stand-in-access-token"
    sub = "782bbtaQ"
    active_versions = {"202609", "202610", "202611"}
    routes = [
        ("POST", r"/oauth/v2/accessToken", "oauth_token"),
        ("GET", r"/v2/userinfo", "userinfo"),
        ("POST", r"/rest/images", "initialize_upload"),
        ("PUT", r"/dms-uploads/(\w+)", "put_image"),
        ("POST", r"/rest/posts", "create_post"),
        ("DELETE", r"/rest/posts/([^/]+)", "delete_post"),
        ("GET", r"/rest/socialActions/([^/]+)", "social_actions"),
        ("POST", r"/rest/socialActions/([^/]+)/likes", "like"),
        ("POST", r"/rest/socialActions/([^/]+)/comments", "comment"),
    ]

    def __init__(self, *, refresh_tokens: bool = False) -> None:
        super().__init__()
        self.redirect_uri = CALLBACK.format(platform="linkedin")
        self.grants: dict[str, dict] = {}
        self.issue_refresh_tokens = refresh_tokens
        self.access: dict[str, set[str]] = {self.token: {"openid", "profile", "w_member_social", "r_member_social"}}
        self.refresh_tokens: dict[str, set[str]] = {}
        self.organizations = {"urn:li:organization:2414183"}  # pages the member administers
        self.images: dict[str, dict] = {}
        self.posts: dict[str, dict] = {}
        self._codes = itertools.count(1)
        self._ids = itertools.count(7_100_000_000_000_000_001)

    @property
    def person_urn(self) -> str:
        return f"urn:li:person:{self.sub}"

    def dispatch(self, seen: Seen) -> tuple[int, Any, dict]:
        if seen.path == "/oauth/v2/accessToken":
            return super().dispatch(seen)
        if seen.headers.get("authorization", "").removeprefix("Bearer ") not in self.access:
            self.requests.append(seen)
            return linkedin_error(401, "INVALID_ACCESS_TOKEN", "Invalid access token")
        if seen.path.startswith("/rest/"):
            version = seen.headers.get("linkedin-version")
            if not version:
                self.requests.append(seen)
                return linkedin_error(400, "VERSION_MISSING", "A version must be present. Please specify a "
                                                              "version by adding the LinkedIn-Version header.")
            if version not in self.active_versions:
                self.requests.append(seen)
                return linkedin_error(426, "NONEXISTENT_VERSION", f"Requested version {version} is not active")
            if seen.headers.get("x-restli-protocol-version") != "2.0.0":
                self.requests.append(seen)
                return linkedin_error(400, "ILLEGAL_ARGUMENT", "This resource takes Rest.li protocol 2.0.0 "
                                                               "(X-Restli-Protocol-Version).")
        return super().dispatch(seen)

    def _scopes(self, seen: Seen) -> set[str]:
        return self.access[seen.headers["authorization"].removeprefix("Bearer ")]

    def _may_act_as(self, urn: str) -> bool:
        return urn == self.person_urn or urn in self.organizations

    # -- OAuth and profile

    def consent(self, authorization_url: str, *, approve: bool = True) -> dict[str, str]:
        query = self._consent_query(authorization_url)
        assert "code_challenge" not in query  # LinkedIn's member flow has no PKCE
        assert set(query["scope"].split()) <= {"openid", "profile", "email", "w_member_social"}, query["scope"]
        return super().consent(authorization_url, approve=approve)

    def oauth_token(self, seen: Seen):
        form = _form(seen)
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client", "error_description": "Client authentication failed"}, {}
        if form.get("grant_type") == "refresh_token":
            scopes = self.refresh_tokens.get(form.get("refresh_token", ""))
            if scopes is None:
                return 400, {"error": "invalid_request", "error_description": "The provided refresh token is "
                                                                              "invalid"}, {}
            return 200, self._issue(scopes, form["refresh_token"]), {}
        grant = self.grants.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None \
                or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_request", "error_description": "Unable to retrieve access token: "
                         "appid/redirect uri/code verifier does not match authorization code. Or authorization "
                         "code expired."}, {}
        refresh = f"AQX-refresh-{next(self._ids)}" if self.issue_refresh_tokens else ""
        if refresh:
            self.refresh_tokens[refresh] = set(grant["scope"].split())
        return 200, self._issue(set(grant["scope"].split()), refresh), {}

    def _issue(self, scopes: set[str], refresh: str) -> dict:
        token = f"AQV-issued-{next(self._ids)}"
        self.access[token] = scopes
        answer = {"access_token": token, "expires_in": 5183999, "scope": ",".join(sorted(scopes)),
                  "token_type": "Bearer"}
        if refresh:
            answer |= {"refresh_token": refresh, "refresh_token_expires_in": 31535999}
        return answer

    def userinfo(self, seen: Seen):
        if not {"openid", "profile"} <= self._scopes(seen):
            return linkedin_error(403, "ACCESS_DENIED", "Not enough permissions to access: userinfo.GET.NO_VERSION")
        return 200, {"sub": self.sub, "name": "Ava Stone", "given_name": "Ava", "family_name": "Stone",
                     "picture": "https://media.licdn.com/ava.jpg", "locale": {"country": "US", "language": "en"}}, {}

    # -- images and posts

    def initialize_upload(self, seen: Seen):
        if _query(seen).get("action") != "initializeUpload":
            return linkedin_error(400, "ILLEGAL_ARGUMENT", "Unknown action.")
        owner = ((seen.json or {}).get("initializeUploadRequest") or {}).get("owner", "")
        if not self._may_act_as(owner):
            return linkedin_error(403, "ACCESS_DENIED", f"Not enough permissions to upload as {owner!r}.")
        number = next(self._ids)
        urn = f"urn:li:image:D4E10AQ{number}"
        self.images[urn] = {"owner": owner, "token": f"up{number}", "data": None, "mime": ""}
        return 200, {"value": {"uploadUrlExpiresAt": int(datetime.now(UTC).timestamp() * 1000) + 86_400_000,
                               "uploadUrl": f"{self.url}/dms-uploads/up{number}", "image": urn}}, {}

    def put_image(self, seen: Seen, token: str):
        image = next((image for image in self.images.values() if image["token"] == token), None)
        if image is None:
            return 404, None, {}
        if not seen.body:
            return 400, {"message": "Empty upload"}, {}
        image["data"], image["mime"] = seen.body, seen.headers.get("content-type", "")
        return 201, None, {}

    def create_post(self, seen: Seen):
        body = seen.json or {}
        distribution = body.get("distribution") or {}
        if not self._may_act_as(body.get("author", "")):
            return linkedin_error(403, "ACCESS_DENIED", "Not enough permissions to post as the author.")
        if body.get("visibility") not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN") \
                or body.get("lifecycleState") != "PUBLISHED" or not isinstance(body.get("commentary"), str) \
                or distribution.get("feedDistribution") not in ("MAIN_FEED", "NONE") \
                or not isinstance(distribution.get("targetEntities"), list) \
                or not isinstance(distribution.get("thirdPartyDistributionChannels"), list):
            return linkedin_error(422, "UNPROCESSABLE_ENTITY", "The post's fields are invalid.")
        content = body.get("content") or {}
        if set(content) - {"media", "multiImage"} or len(content) > 1:
            return linkedin_error(422, "UNPROCESSABLE_ENTITY", "content holds one of media or multiImage.")
        images = [content["media"]] if "media" in content else (content.get("multiImage") or {}).get("images", [])
        if "multiImage" in content and not 2 <= len(images) <= 20:
            return linkedin_error(422, "UNPROCESSABLE_ENTITY", "A multiImage post has 2 to 20 images.")
        for image in images:
            found = self.images.get(image.get("id", ""))
            if found is None or found["data"] is None or found["owner"] != body["author"]:
                return linkedin_error(400, "INVALID_CONTENT", f"Image {image.get('id')!r} was not uploaded by "
                                                              f"the author.")
        urn = f"urn:li:share:{next(self._ids)}"
        self.posts[urn] = {**body, "likes": 0, "comments": []}
        return 201, None, {"x-restli-id": urn}

    def foreign_post(self) -> str:
        """Someone else's post, to like and comment on."""
        urn = f"urn:li:share:{next(self._ids)}"
        self.posts[urn] = {"author": "urn:li:person:someoneelse", "likes": 0, "comments": []}
        return urn

    def _post(self, encoded: str) -> tuple[str, dict | None, tuple | None]:
        """The post a path key names; a raw (unencoded) URN is a Rest.li syntax error."""
        if ":" in encoded:
            return "", None, linkedin_error(400, "ILLEGAL_ARGUMENT", "Syntax exception in path variables")
        urn = unquote(encoded)
        post = self.posts.get(urn)
        return urn, post, None if post else linkedin_error(404, "NOT_FOUND", f"Post {urn} not found")

    def delete_post(self, seen: Seen, encoded: str):
        urn, _, problem = self._post(encoded)
        if problem:
            return problem
        del self.posts[urn]
        return 204, None, {}

    def social_actions(self, seen: Seen, encoded: str):
        urn, post, problem = self._post(encoded)
        if problem:
            return problem
        if "r_member_social" not in self._scopes(seen):
            return linkedin_error(403, "ACCESS_DENIED", "Not enough permissions to access: socialActions.GET")
        comments = len(post["comments"])
        return 200, {"target": urn, "likesSummary": {"totalLikes": post["likes"], "likedByCurrentUser": False},
                     "commentsSummary": {"aggregatedTotalComments": comments, "totalFirstLevelComments": comments}}, {}

    def like(self, seen: Seen, encoded: str):
        urn, post, problem = self._post(encoded)
        body = seen.json or {}
        if problem:
            return problem
        if body.get("object") != urn or not self._may_act_as(body.get("actor", "")):
            return linkedin_error(422, "UNPROCESSABLE_ENTITY", "actor and object must name you and the post.")
        post["likes"] += 1
        return 201, {**body, "$URN": f"urn:li:like:({body['actor']},{urn})"}, {}

    def comment(self, seen: Seen, encoded: str):
        urn, post, problem = self._post(encoded)
        body = seen.json or {}
        if problem:
            return problem
        if body.get("object") != urn or not self._may_act_as(body.get("actor", "")) \
                or not (body.get("message") or {}).get("text"):
            return linkedin_error(422, "UNPROCESSABLE_ENTITY", "A comment needs an actor, the object and text.")
        number = next(self._ids)
        post["comments"].append(body["message"]["text"])
        return 201, {**body, "id": str(number), "$URN": f"urn:li:comment:({urn},{number})"}, {}


@pytest.fixture(name="google")
def google_fixture():
    """A running stand-in Google (token endpoint and YouTube Data API)."""
    server = GoogleStandIn().start()
    yield server
    server.stop()


@pytest.fixture(name="linkedin")
def linkedin_fixture():
    """A running stand-in LinkedIn (OAuth, userinfo and the versioned REST API)."""
    server = LinkedInStandIn().start()
    yield server
    server.stop()
