"""Mastodon through its REST API with the user's OAuth access token on their own instance.

Documented at docs.joinmastodon.org: ``/api/v1/accounts/verify_credentials``,
``/api/v2/media`` (then ``/api/v1/media/:id`` while it processes),
``/api/v1/statuses`` with the ``Idempotency-Key`` header (the instance answers a
repeated key with the status it already created, for an hour), favourites,
follows and ``/api/v1/notifications``. Mastodon has no "synthetic media" flag:
the character's disclosure line in the text is the marker.

A person connects either by pasting an access token or through the instance's
own consent page: StageCraft registers itself as an app on the instance once
(``POST /api/v1/apps``, remembered in ``OAuthRegistration``), then runs the
authorization-code grant with PKCE (``/oauth/authorize``, ``/oauth/token``).
"""

import time
from datetime import datetime
from urllib.parse import quote

import httpx
from django.utils.html import strip_tags

from personas.choices import AuthType
from personas.connectors.base import (
    AccountInfo,
    AccountMetrics,
    ActionDone,
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
from personas.errors import PlatformConnectionFailed
from personas.oauth import OAuthApp, OAuthSpec

NOTIFICATION_TYPES = ("favourite", "reblog", "mention", "follow")
PAGE = 40
MAX_PAGES = 5


class MastodonConnector(Connector):
    platform = "mastodon"
    # Per instance: the app's id and secret come from register_app, not the environment.
    oauth = OAuthSpec(env_name="MASTODON", api_base="", auth_base="", authorize_path="/oauth/authorize",
                      token_path="/oauth/token", scopes=("read", "write"), pkce=True)
    # Seconds between polls of a media attachment the instance is still processing, and how many polls.
    media_poll_interval = 1.0
    media_poll_attempts = 30

    registers_app_per_server = True

    @classmethod
    def credentials_from(cls, auth_data: dict, server_url: str) -> tuple[dict, str]:
        if auth_data.get("auth_type") != AuthType.OAUTH:
            raise PlatformConnectionFailed("Mastodon connects with an OAuth access token (auth_type oauth).")
        require(auth_data, "access_token", "server_url")
        return {"access_token": auth_data["access_token"]}, server_url

    def _call(self, method: str, path: str, what: str, *, ok_missing: bool = False, **kwargs) -> httpx.Response:
        token = self.credentials.get("access_token", "")
        # Without a token (registering the app) no Authorization header at all: "Bearer " alone is malformed.
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **kwargs.pop("headers", {})}
        try:
            with self.client() as client:
                response = client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise network_error("Mastodon", exc) from None
        if response.status_code == 404 and ok_missing:
            return response
        if response.status_code >= 400:
            raise error_for("Mastodon", response, what)
        return response

    def connect(self, credentials: dict) -> AccountInfo:
        self.credentials = {"access_token": credentials["access_token"]}
        account = self._call("GET", "/api/v1/accounts/verify_credentials", "verify the credentials").json()
        return AccountInfo(platform_user_id=str(account["id"]), username=account.get("acct") or account["username"],
                           url=account.get("url", ""), follower_count=int(account.get("followers_count") or 0),
                           credentials=self.credentials)

    def register_app(self, *, redirect_uri: str, website: str) -> OAuthApp:
        """Register StageCraft as an app on this instance (``POST /api/v1/apps``); its id and secret."""
        body = self._call("POST", "/api/v1/apps", "register StageCraft as an app", json={
            "client_name": "StageCraft", "redirect_uris": redirect_uri, "scopes": " ".join(self.oauth.scopes),
            "website": website}).json()
        return OAuthApp(client_id=body["client_id"], client_secret=body["client_secret"],
                        api_base=self.server_url, auth_base=self.server_url)

    def refresh(self, credentials: dict) -> dict:
        # Mastodon access tokens do not expire; "refreshing" is checking the token still works.
        self.credentials = dict(credentials)
        self._call("GET", "/api/v1/accounts/verify_credentials", "verify the credentials")
        return self.credentials

    def publish(self, request: PublishRequest) -> Published:
        media_ids = [self._upload(item.data, item.mime_type, item.alt_text) for item in request.media]
        status = self._call(
            "POST", "/api/v1/statuses", "publish the status",
            data={"status": request.text, "visibility": "public", "media_ids[]": media_ids},
            headers={"Idempotency-Key": request.idempotency_key},
        ).json()
        return Published(platform_post_id=str(status["id"]), url=status.get("url") or status.get("uri", ""))

    def _upload(self, data: bytes, mime_type: str, alt_text: str) -> str:
        response = self._call("POST", "/api/v2/media", "upload the media",
                              files={"file": ("upload", data, mime_type)}, data={"description": alt_text})
        media = response.json()
        # 202: accepted, still processing; the status call would fail until the attachment has a url.
        attempts = 0
        while response.status_code == 202 or not media.get("url"):
            attempts += 1
            if attempts > self.media_poll_attempts:
                raise ConnectorError("Mastodon is still processing the media; try again later.", retryable=True)
            time.sleep(self.media_poll_interval)
            response = self._call("GET", f"/api/v1/media/{media['id']}", "read the media status")
            media = response.json()
            if response.status_code == 206:  # partial content: still processing
                media["url"] = None
        return str(media["id"])

    def delete(self, platform_post_id: str) -> None:
        self._call("DELETE", f"/api/v1/statuses/{platform_post_id}", "delete the status", ok_missing=True)

    def like(self, target: Target) -> ActionDone:
        status_id = self._status_id(target)
        self._call("POST", f"/api/v1/statuses/{status_id}/favourite", "favourite the status")
        # Favouriting twice is one favourite on Mastodon, so the action's id is the status it names.
        return ActionDone(f"favourite:{status_id}")

    def comment(self, target: Target, text: str) -> ActionDone:
        status_id = self._status_id(target)
        reply = self._call("POST", "/api/v1/statuses", "post the reply",
                           data={"status": text, "in_reply_to_id": status_id, "visibility": "public"}).json()
        return ActionDone(str(reply["id"]))

    def follow(self, target: Target) -> ActionDone:
        account_id = target.path_id
        if "@" in target.id:  # an address (user@instance) rather than this instance's account id
            account_id = quote(str(self._call("GET", "/api/v1/accounts/lookup", "look up the account",
                                              params={"acct": target.id.lstrip("@")}).json()["id"]), safe="")
        relationship = self._call("POST", f"/api/v1/accounts/{account_id}/follow", "follow the account").json()
        return ActionDone(f"follow:{relationship.get('id', account_id)}")

    def _status_id(self, target: Target) -> str:
        if target.id:
            return target.path_id
        found = self._call("GET", "/api/v2/search", "resolve the status URL",
                           params={"q": target.url, "resolve": "true", "type": "statuses", "limit": 1}).json()
        statuses = found.get("statuses") or []
        if not statuses:
            raise ConnectorError("Mastodon could not find that post.")
        return str(statuses[0]["id"])

    def fetch_metrics(self) -> AccountMetrics:
        account = self._call("GET", "/api/v1/accounts/verify_credentials", "read the account").json()
        return AccountMetrics(followers=int(account.get("followers_count") or 0),
                              following=account.get("following_count"), posts=account.get("statuses_count"))

    def fetch_post_metrics(self, platform_post_id: str) -> PostMetrics:
        status = self._call("GET", f"/api/v1/statuses/{platform_post_id}", "read the status").json()
        return PostMetrics(likes=int(status.get("favourites_count") or 0),
                           comments=int(status.get("replies_count") or 0),
                           shares=int(status.get("reblogs_count") or 0))

    def fetch_notifications(self, since_cursor: str) -> tuple[list[Notification], str]:
        params: dict = {"limit": PAGE, "types[]": list(NOTIFICATION_TYPES)}
        if since_cursor:
            params["since_id"] = since_cursor
        found: list[dict] = []
        # Newest first: page back with max_id until a short page, so a busy hour loses nothing.
        for _ in range(MAX_PAGES):
            page = self._call("GET", "/api/v1/notifications", "read notifications", params=params).json()
            found.extend(page)
            if len(page) < PAGE:
                break
            params["max_id"] = min((item["id"] for item in page), key=_id_order)
        notifications = [_notification(item) for item in found if item.get("type") in NOTIFICATION_TYPES]
        cursor = max((item["id"] for item in found), key=_id_order, default=since_cursor)
        return notifications, str(cursor)


def _id_order(value) -> tuple[int, str]:
    # Mastodon ids are numeric strings (snowflakes); compare them as numbers.
    text = str(value)
    return (len(text), text) if text.isdigit() else (0, text)


def _notification(item: dict) -> Notification:
    kind = item["type"]
    account = item.get("account") or {}
    status = item.get("status") or {}
    created = datetime.fromisoformat(item["created_at"].replace("Z", "+00:00"))
    if kind == "follow":
        return Notification(id=str(item["id"]), kind=kind, created_at=created, target_type="user",
                            target_id=str(account.get("id", "")), target_url=account.get("url", ""),
                            text=account.get("acct", ""))
    text = strip_tags(status.get("content", "")) if kind == "mention" else ""
    return Notification(id=str(item["id"]), kind=kind, created_at=created, target_type="post",
                        target_id=str(status.get("id", "")), target_url=status.get("url") or "", text=text)



