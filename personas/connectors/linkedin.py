"""LinkedIn through its versioned REST API (Posts, Images, Social Actions) with the member's OAuth token.

Documented at learn.microsoft.com/linkedin: ``/v2/userinfo`` (OpenID Connect:
``sub`` and ``name``), ``/rest/images?action=initializeUpload`` then a PUT of
the bytes to the answered ``uploadUrl``, ``/rest/posts`` (201, the post's URN in
the ``x-restli-id`` header) and ``/rest/socialActions``. Every ``/rest`` call
names the API version (``LinkedIn-Version``, YYYYMM; LinkedIn serves each for
about a year and answers 426 after) and ``X-Restli-Protocol-Version: 2.0.0``.
URNs in a path are percent-encoded, as Rest.li 2.0 wants. Tokens come from
``www.linkedin.com/oauth/v2/accessToken`` (``OAuthSpec.token_base``) and last
60 days; LinkedIn issues refresh tokens to approved partners only.

The commentary is LinkedIn's "little text": its reserved characters are
escaped and ``#tag`` becomes the hashtag template, or LinkedIn would cut the
text at the first bracket. LinkedIn has no "synthetic media" flag; the
disclosure line in the text is the marker.

Posting as a company page: a credentials dict holding ``organization_urn``
(``urn:li:organization:<id>``) posts, likes and comments as that page (the app
then also needs ``w_organization_social`` and the member a page admin role).

Limits of the scopes (``openid profile w_member_social``): LinkedIn shows a
member's follower count, post counts and notifications only to approved
partners (``r_member_social``), so ``fetch_metrics`` answers 0 followers,
``fetch_post_metrics`` says in words that LinkedIn refused, and there are no
notifications. There is no follow API. LinkedIn has no idempotency key either:
a post whose creation got no answer (timeout, broken connection) is not
retried automatically, since it may exist; the person checks the profile.
"""

import re
from datetime import datetime
from urllib.parse import quote, unquote

import httpx
from django.conf import settings

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


def rest_headers() -> dict[str, str]:
    """The versioned REST API's headers: ``PERSONAS_LINKEDIN_VERSION`` (YYYYMM; LinkedIn serves each
    monthly version for at least a year) and Rest.li 2.0."""
    return {"LinkedIn-Version": settings.PERSONAS_LINKEDIN_VERSION, "X-Restli-Protocol-Version": "2.0.0"}
# Little text's reserved characters (escaped with a backslash); hashtags use the template instead.
RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")
URN = re.compile(r"urn:li:(?:share|ugcPost|activity|comment):[^/?#\s]+")
ORGANIZATION = re.compile(r"urn:li:organization:\d+")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif")


def little_text(text: str) -> str:
    """``text`` as LinkedIn's little text: reserved characters escaped, ``#tag`` as the hashtag template."""
    parts, position = [], 0
    for match in platform_rules.HASHTAG.finditer(text):
        parts.append(RESERVED.sub(r"\\\1", text[position:match.start()]))
        parts.append("{hashtag|\\#|" + RESERVED.sub(r"\\\1", match.group(0)[1:]) + "}")
        position = match.end()
    parts.append(RESERVED.sub(r"\\\1", text[position:]))
    return "".join(parts)


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}"


def _key(urn: str) -> str:
    return quote(urn, safe="")


class LinkedInConnector(Connector):
    platform = "linkedin"
    max_images = platform_rules.rules_for("linkedin").max_images
    oauth = OAuthSpec(env_name="LINKEDIN", api_base="https://api.linkedin.com", auth_base="https://www.linkedin.com",
                      authorize_path="/oauth/v2/authorization", token_path="/oauth/v2/accessToken",
                      token_base="https://www.linkedin.com", scopes=("openid", "profile", "w_member_social"),
                      pkce=False, client_auth="body")

    # -- plumbing ---------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, what: str, *, ok_missing: bool = False, once: bool = False,
              **kwargs) -> httpx.Response:
        """One request; with ``once``, a request that may have arrived unanswered is final, not retryable."""
        headers = {"Authorization": f"Bearer {self.credentials.get('access_token', '')}",
                   **(rest_headers() if path.startswith("/rest/") else {}), **kwargs.pop("headers", {})}
        try:
            with self.client() as client:
                response = client.request(method, path, headers=headers, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise network_error("LinkedIn", exc) from None  # nothing reached LinkedIn
        except httpx.HTTPError as exc:
            if once:  # LinkedIn has no idempotency key: a retry could make a second one
                raise ConnectorError(f"LinkedIn did not answer while trying to {what}; it may have done it, so "
                                     f"check LinkedIn before trying again.") from None
            raise network_error("LinkedIn", exc) from None
        if response.status_code == 404 and ok_missing:
            return response
        if response.status_code == 426:
            raise ConnectorError(f"LinkedIn no longer serves API version {settings.PERSONAS_LINKEDIN_VERSION}: set "
                                 f"PERSONAS_LINKEDIN_VERSION to a recent month (YYYYMM).",
                                 details={"platform_status": 426})
        if response.status_code >= 400:
            raise error_for("LinkedIn", response, what)
        return response

    @property
    def author(self) -> str:
        """Who posts: the company page named in the credentials, else the member."""
        return self.credentials.get("organization_urn") or self.credentials["person_urn"]

    # -- account ----------------------------------------------------------------------------------------

    def connect(self, credentials: dict) -> AccountInfo:
        if not credentials.get("access_token"):
            raise ConnectorError("LinkedIn connects through its consent page; start it from the connections page.")
        organization = credentials.get("organization_urn", "")
        if organization and not ORGANIZATION.fullmatch(organization):
            raise ConnectorError("A LinkedIn page is named by its URN, urn:li:organization:<number>.")
        self.credentials = {key: credentials[key] for key in ("access_token", "refresh_token", "expires_at")
                            if credentials.get(key)}
        me = self._call("GET", "/v2/userinfo", "read the member's profile").json()
        self.credentials["person_urn"] = f"urn:li:person:{me['sub']}"
        if organization:
            self.credentials["organization_urn"] = organization
        expires_at = self.credentials.get("expires_at")
        # The OpenID profile has no public profile address and no follower count (r_member_social).
        return AccountInfo(platform_user_id=me["sub"], username=me.get("name") or me["sub"], url="",
                           follower_count=0, credentials=self.credentials,
                           token_expires_at=datetime.fromisoformat(expires_at) if expires_at else None)

    def refresh(self, credentials: dict) -> dict:
        self.credentials = dict(credentials)
        if not credentials.get("refresh_token"):
            raise AuthExpired("LinkedIn's 60-day access token is ending and LinkedIn gives this app no refresh "
                              "token; connect the account again.")
        app = app_for(self.oauth)
        if app is None:
            raise ConnectorError("LinkedIn is no longer configured in this deployment; its tokens cannot be "
                                 "refreshed.")
        fresh = self.token_grant(app, {"grant_type": "refresh_token", "refresh_token": credentials["refresh_token"]},
                                 "refresh the access token")
        self.credentials = {**credentials, **fresh}
        return self.credentials

    # -- publishing -------------------------------------------------------------------------------------

    def publish(self, request: PublishRequest) -> Published:
        self.check_text(request.text)
        self._check_media(request.media)
        images = [{"id": self._upload_image(item), "altText": item.alt_text} for item in request.media]
        body = {"author": self.author, "commentary": little_text(request.text), "visibility": "PUBLIC",
                "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                 "thirdPartyDistributionChannels": []},
                "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False}
        if len(images) == 1:
            body["content"] = {"media": images[0]}
        elif images:
            body["content"] = {"multiImage": {"images": images}}
        urn = self._create_post(body)
        return Published(platform_post_id=urn, url=post_url(urn))

    def _check_media(self, media: list[MediaFile]) -> None:
        if any(item.mime_type not in IMAGE_TYPES for item in media):
            raise ConnectorError("LinkedIn posts from StageCraft carry JPEG, PNG or GIF images only; video and "
                                 "other files are not sent.")
        if len(media) > self.max_images:
            raise ConnectorError(f"LinkedIn posts carry at most {self.max_images} images; this one has "
                                 f"{len(media)}.")

    def _upload_image(self, item: MediaFile) -> str:
        """Register an image for the author, PUT its bytes to the answered address; the image's URN."""
        data, mime_type = fit_image(item.data, item.mime_type, platform_rules.rules_for("linkedin").image_max_bytes,
                                    platform="LinkedIn")
        upload = self._call("POST", "/rest/images", "register the image", params={"action": "initializeUpload"},
                            json={"initializeUploadRequest": {"owner": self.author}}).json()["value"]
        self._call("PUT", upload["uploadUrl"], "upload the image", content=data,
                   headers={"Content-Type": mime_type})
        return upload["image"]

    def _create_post(self, body: dict) -> str:
        response = self._call("POST", "/rest/posts", "publish the post", once=True, json=body)
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            raise ConnectorError("LinkedIn accepted the post but did not say its id.")
        return urn

    def delete(self, platform_post_id: str) -> None:
        self._call("DELETE", f"/rest/posts/{_key(platform_post_id)}", "delete the post", ok_missing=True,
                   headers={"X-RestLi-Method": "DELETE"})

    # -- engagement -------------------------------------------------------------------------------------

    def like(self, target: Target) -> ActionDone:
        urn = _post_urn(target)
        self._call("POST", f"/rest/socialActions/{_key(urn)}/likes", "like the post",
                   json={"actor": self.author, "object": urn})
        # Liking twice is one like, so the action's id is the post it names.
        return ActionDone(f"like:{urn}")

    def comment(self, target: Target, text: str) -> ActionDone:
        urn = _post_urn(target)
        response = self._call("POST", f"/rest/socialActions/{_key(urn)}/comments", "post the comment", once=True,
                              json={"actor": self.author, "object": urn, "message": {"text": text}})
        body = response.json() if response.content else {}
        return ActionDone(str(body.get("$URN") or response.headers.get("x-restli-id") or body["id"]))

    def follow(self, target: Target) -> ActionDone:
        raise ConnectorError("LinkedIn's API offers no way to follow a member or a page; follow from LinkedIn "
                             "itself.")

    def fetch_metrics(self) -> AccountMetrics:
        # Follower counts need r_member_social (approved partners only): nothing to read, nothing to guess.
        return AccountMetrics(followers=0)

    def fetch_post_metrics(self, platform_post_id: str) -> PostMetrics:
        try:
            actions = self._call("GET", f"/rest/socialActions/{_key(platform_post_id)}",
                                 "read the post's counts").json()
        except ConnectorError as exc:
            if (exc.details or {}).get("platform_status") == 403:
                raise ConnectorError("LinkedIn shares a post's counts only with apps it approved for "
                                     "r_member_social; this app is not.", details=exc.details) from None
            raise
        # LinkedIn's API has no reshare count here.
        return PostMetrics(likes=int((actions.get("likesSummary") or {}).get("totalLikes") or 0),
                           comments=int((actions.get("commentsSummary") or {}).get("aggregatedTotalComments") or 0),
                           shares=0)

    def fetch_notifications(self, since_cursor: str) -> tuple[list[Notification], str]:
        # LinkedIn has no notifications API for members.
        return [], since_cursor


def _post_urn(target: Target) -> str:
    """The post's URN from the target's id, or from its ``/feed/update/<urn>`` address."""
    match = URN.search(target.id or unquote(target.url))
    if not match:
        raise ConnectorError("That is not a LinkedIn post (urn:li:share:…, urn:li:ugcPost:… or its address).")
    return match.group(0)

