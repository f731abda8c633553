"""Threads through the Threads API (graph.threads.net).

Documented at developers.facebook.com/docs/threads. Meta maintains no
official Python SDK for it, so this is httpx through the outbound policy; the
container flow, tokens and errors it shares with Instagram are in ``meta``.

A person connects on threads.net's consent page; the code buys a short-lived
token (``/oauth/access_token`` on the API host), swapped at once for a
long-lived one (``th_exchange_token``, 60 days) that refreshes itself
(``th_refresh_token``). No PKCE.

Publishing: text alone (``TEXT``, 500 characters), one image or video, or a
carousel of 2 to 20, each a container polled until ``FINISHED`` and then
published with ``/threads_publish``, within the quota ``/threads_publishing_limit``
reports (250 posts in 24 hours). A comment is a reply: a container with
``reply_to_id``, published the same way. Posts can be deleted. The API cannot
like or follow; those calls say so.
"""

from config.errors import ValidationFailed
from personas.connectors.base import (
    AccountMetrics,
    ActionDone,
    MediaFile,
    PostMetrics,
    Published,
    PublishRequest,
    Target,
)
from personas.connectors.meta import MetaConnector, insight_values
from personas.oauth import OAuthSpec


class ThreadsConnector(MetaConnector):
    platform = "threads"
    label = "Threads"
    max_images = 20
    oauth = OAuthSpec(
        env_name="THREADS", api_base="https://graph.threads.net", auth_base="https://threads.net",
        authorize_path="/oauth/authorize", token_path="/oauth/access_token",
        scopes=("threads_basic", "threads_content_publish", "threads_manage_insights", "threads_manage_replies",
                "threads_read_replies"),
        pkce=False, scope_separator=",")
    graph_version = "v1.0"
    exchange_grant, refresh_grant = "th_exchange_token", "th_refresh_token"
    container_edge, publish_edge, limit_edge = "threads", "threads_publish", "threads_publishing_limit"
    posts_edge, replies_edge, text_field = "threads", "replies", "text"
    status_field, reason_field = "status", "error_message"
    image_types = ("image/jpeg", "image/png")

    def read_profile(self) -> tuple[str, str, int]:
        me = self.graph("GET", "/me", "read the account", params={"fields": "id,username"})
        return str(me["id"]), me["username"], self._followers(str(me["id"]))

    def _followers(self, user_id: str) -> int:
        body = self.graph("GET", f"/{user_id}/threads_insights", "read the account's followers",
                          params={"metric": "followers_count"})
        return insight_values(body).get("followers_count", 0)

    def profile_url(self, username: str) -> str:
        return f"https://www.threads.com/@{username}"

    def publish(self, request: PublishRequest) -> Published:
        self.check_post_type(request.post_type)
        self.check_text(request.text)
        if len(request.media) > self.max_images:
            problem = f"Threads carousels take 2 to {self.max_images} items; this post has {len(request.media)}."
            raise ValidationFailed(problem, details={"media": [problem]})
        return self.publish_container(request, lambda: self._container(request), text=request.text)

    def _container(self, request: PublishRequest) -> str:
        if not request.media:
            return self.create_container({"media_type": "TEXT", "text": request.text})
        items = self.public_urls(request.media)
        if len(items) > 1:
            return self.create_carousel(items, {"text": request.text})
        return self.create_container({**self.media_fields(*items[0]), "text": request.text})

    def media_fields(self, item: MediaFile, url: str) -> dict:
        alt = {"alt_text": item.alt_text} if item.alt_text else {}
        if item.mime_type.startswith("video/"):
            return {"media_type": "VIDEO", "video_url": url, **alt}
        return {"media_type": "IMAGE", "image_url": url, **alt}

    def delete(self, platform_post_id: str) -> None:
        self.graph("DELETE", f"/{platform_post_id}", "delete the post", ok_missing=True)

    def comment(self, target: Target, text: str) -> ActionDone:
        container = self.create_container({"media_type": "TEXT", "text": text,
                                           "reply_to_id": self.post_id_of(target)}, "create the reply")
        self.wait_until_finished(container)
        body = self.graph("POST", f"/{self.user_id()}/{self.publish_edge}", "publish the reply",
                          data={"creation_id": container})
        return ActionDone(str(body["id"]))

    def fetch_metrics(self) -> AccountMetrics:
        return AccountMetrics(followers=self._followers(self.user_id()))

    def fetch_post_metrics(self, platform_post_id: str) -> PostMetrics:
        body = self.graph("GET", f"/{platform_post_id}/insights", "read the post's insights",
                          params={"metric": "likes,replies,reposts"})
        values = insight_values(body)
        return PostMetrics(likes=values.get("likes", 0), comments=values.get("replies", 0),
                           shares=values.get("reposts", 0))
