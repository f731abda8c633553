"""Instagram professional accounts through the Instagram API with Instagram Login (graph.instagram.com).

Documented at developers.facebook.com/docs/instagram-platform. Meta maintains
no official Python SDK for it (``meta`` says why ``facebook-business`` is not
one), so this is httpx through the outbound policy; the container flow, tokens
and errors it shares with Threads are in ``meta``.

A person connects through Business Login for Instagram: the consent page on
www.instagram.com, the code exchanged for a short-lived token on
api.instagram.com (``OAuthSpec.token_base``; ``PERSONAS_INSTAGRAM_TOKEN_BASE``
points it elsewhere), then swapped on graph.instagram.com (the API base) for a
long-lived token (``ig_exchange_token``, 60 days) that refreshes itself
(``ig_refresh_token``). No PKCE: Instagram's login does not take it.

Publishing: one image (JPEG only: other images are re-encoded, keeping their
AI marking), a carousel of 2 to 10 images or videos, a reel (one video; feed
videos are reels since 2023) or a story (one image or video; stories take no
caption, so the disclosure line is not shown with them, and Meta's "AI info"
label rests on the marking inside the file). At most the quota
``/content_publishing_limit`` reports (100 API posts in a rolling 24 hours
today) is published; a spent quota defers the post. Captions: 2,200
characters and 30 hashtags. The API cannot like, follow or delete published
media; those calls say so. Comments and reading them need
``instagram_business_manage_comments``, which the scopes therefore ask for.
"""

from dataclasses import replace
from datetime import datetime

from config.errors import ValidationFailed
from personas.connectors.base import (
    AccountMetrics,
    ActionDone,
    AuthExpired,
    ConnectorError,
    MediaFile,
    Notification,
    PostMetrics,
    Published,
    PublishRequest,
    Target,
)
from personas.connectors.meta import MetaConnector, insight_values
from personas.oauth import OAuthSpec


class InstagramConnector(MetaConnector):
    platform = "instagram"
    label = "Instagram"
    max_images = 10  # carousel items, images or videos
    post_types = ("post", "story", "reel")
    oauth = OAuthSpec(
        env_name="INSTAGRAM", api_base="https://graph.instagram.com", auth_base="https://www.instagram.com",
        authorize_path="/oauth/authorize", token_base="https://api.instagram.com", token_path="/oauth/access_token",
        scopes=("instagram_business_basic", "instagram_business_content_publish",
                "instagram_business_manage_insights", "instagram_business_manage_comments"),
        pkce=False, scope_separator=",")
    graph_version = "v24.0"
    exchange_grant, refresh_grant = "ig_exchange_token", "ig_refresh_token"
    container_edge, publish_edge, limit_edge = "media", "media_publish", "content_publishing_limit"
    posts_edge, replies_edge, text_field = "media", "comments", "caption"
    status_field, reason_field = "status_code", "status"
    image_types = ("image/jpeg",)

    def read_profile(self) -> tuple[str, str, int]:
        # user_id is the professional account's id, the one publishing uses; id is app-scoped.
        me = self.graph("GET", "/me", "read the account", params={"fields": "user_id,username,followers_count"})
        return str(me["user_id"]), me["username"], int(me.get("followers_count") or 0)

    def profile_url(self, username: str) -> str:
        return f"https://www.instagram.com/{username}"

    def publish(self, request: PublishRequest) -> Published:
        # PublishRequest has no post_type yet (see the report): a plain post until it does.
        post_type = request.post_type
        self.check_post_type(post_type)
        self.check_text(request.text)
        shape = _shape(request.media, post_type)
        caption = "" if shape == "story" else request.text
        return self.publish_container(request, lambda: self._container(request, shape, caption), text=caption)

    def _container(self, request: PublishRequest, shape: str, caption: str) -> str:
        items = self.public_urls(request.media)
        if shape == "carousel":
            return self.create_carousel(items, {"caption": caption})
        item, url = items[0]
        if shape == "story":
            return self.create_container({"media_type": "STORIES", **_url_field(item, url)})
        if shape == "reel":
            return self.create_container({"media_type": "REELS", "video_url": url, "caption": caption})
        return self.create_container({**self.media_fields(item, url), "caption": caption})

    def media_fields(self, item: MediaFile, url: str) -> dict:
        if _is_video(item):
            return {"media_type": "VIDEO", "video_url": url}  # a carousel item; alone, a video is a reel
        return {"image_url": url, **({"alt_text": item.alt_text} if item.alt_text else {})}

    def delete(self, platform_post_id: str) -> None:
        raise ConnectorError("Instagram's API cannot delete published posts; delete it in the Instagram app.")

    def comment(self, target: Target, text: str) -> ActionDone:
        body = self.graph("POST", f"/{self.post_id_of(target)}/comments", "post the comment", data={"message": text})
        return ActionDone(str(body["id"]))

    def notification(self, post: dict, reply: dict, created: datetime) -> Notification:
        # Aimed at the post, not the comment: an answer goes as a comment on the post (/comments).
        return replace(super().notification(post, reply, created), target_id=str(post["id"]))

    def fetch_metrics(self) -> AccountMetrics:
        me = self.graph("GET", "/me", "read the account",
                        params={"fields": "followers_count,follows_count,media_count"})
        return AccountMetrics(followers=int(me.get("followers_count") or 0), following=me.get("follows_count"),
                              posts=me.get("media_count"))

    def fetch_post_metrics(self, platform_post_id: str) -> PostMetrics:
        media = self.graph("GET", f"/{platform_post_id}", "read the post",
                           params={"fields": "like_count,comments_count"})
        return PostMetrics(likes=int(media.get("like_count") or 0), comments=int(media.get("comments_count") or 0),
                           shares=self._shares(platform_post_id))

    def _shares(self, media_id: str) -> int:
        try:
            body = self.graph("GET", f"/{media_id}/insights", "read the post's insights", params={"metric": "shares"})
        except ConnectorError as exc:
            if exc.retryable or isinstance(exc, AuthExpired):
                raise
            return 0  # not every kind of media has the metric (and older media may have none)
        return insight_values(body).get("shares", 0)


def _is_video(item: MediaFile) -> bool:
    return item.mime_type.startswith("video/")


def _url_field(item: MediaFile, url: str) -> dict:
    return {"video_url": url} if _is_video(item) else {"image_url": url}


def _shape(media: list[MediaFile], post_type: str) -> str:
    """image, carousel, reel or story; ``ValidationFailed`` for media the post type cannot carry (sends nothing)."""
    videos = sum(_is_video(item) for item in media)
    if post_type in ("reel", "story"):
        wanted = "one video" if post_type == "reel" else "one image or one video"
        if len(media) != 1 or (post_type == "reel" and not videos):
            problem = (f"An Instagram {post_type} is {wanted}; this one has {len(media) - videos} image(s) and "
                       f"{videos} video(s).")
            raise ValidationFailed(problem, details={"media": [problem]})
        return post_type
    if not media:
        problem = "Instagram posts need an image or a video; this one has none."
        raise ValidationFailed(problem, details={"media": [problem]})
    if len(media) > InstagramConnector.max_images:
        problem = f"Instagram carousels take 2 to {InstagramConnector.max_images} items; this post has {len(media)}."
        raise ValidationFailed(problem, details={"media": [problem]})
    if len(media) > 1:
        return "carousel"
    return "reel" if videos else "image"
