"""Instagram and Threads connectors against stand-in Meta servers: tokens, the container flow, quota, engagement."""

import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.utils import timezone
from PIL import Image

from config.crypto import decrypt_json
from config.errors import ValidationFailed
from personas import provenance
from personas.connectors import CONNECTORS, AuthExpired, ConnectorError, MediaFile, PublishRequest, Target
from personas.connectors import connector_for as stored_connector
from personas.connectors.instagram import InstagramConnector
from personas.connectors.meta import meta_error
from personas.connectors.threads import ThreadsConnector
from personas.oauth import OAuthApp
from personas.services import accounts, oauth
from tests.personas.meta_standin import instagram_fixture, threads_fixture  # noqa: F401

REDIRECT = "https://stagecraft.example/personas/oauth/instagram/callback"


def marked_png(size=(40, 50)) -> bytes:
    return provenance.encode_marked(Image.new("RGB", size, (200, 80, 40)), image_format="PNG")


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (20, 80, 200)).save(out, "JPEG")
    return out.getvalue()


VIDEO = MediaFile(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64, "video/mp4")


def connector(cls, server, **kwargs):
    """A connected account's connector: a live long-lived token, the ids connect stored, the stand-in as host."""
    return cls(server_url=server.url, media_url_for=server.host, credentials={
        "access_token": server.token(), "user_id": server.user_id, "username": server.username}, **kwargs)


def app_for(server) -> OAuthApp:
    return OAuthApp(client_id=server.app_id, client_secret=server.app_secret, api_base=server.url,
                    auth_base=server.url, token_base=server.url)


def authorization_url(server, cls) -> str:
    scopes = ",".join(cls.oauth.scopes)
    return (f"{server.url}/oauth/authorize?client_id={server.app_id}&redirect_uri={REDIRECT}"
            f"&response_type=code&scope={scopes}&state=s")


def posted(server, path: str) -> list[dict]:
    """The forms POSTed to exactly ``path``, in order."""
    return [seen.form for seen in server.requests if seen.method == "POST" and seen.path == path]


def graph_call(server, method: str, path: str, **fields) -> httpx.Response:
    """A request straight to the stand-in, as a careless client would send it."""
    send = {"data": fields} if method == "POST" else {"params": fields}
    return httpx.request(method, f"{server.url}{path}", **send)


# -- tokens -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wrapped", [True, False])
def test_instagram_swaps_the_code_for_a_long_lived_token(instagram, wrapped):
    instagram.wrapped_token_answer = wrapped
    code = instagram.consent(authorization_url(instagram, InstagramConnector))["code"]

    credentials = InstagramConnector(server_url=instagram.url).exchange_code(
        app_for(instagram), code=code, code_verifier="unused", redirect_uri=REDIRECT)

    assert instagram.paths() == ["POST /oauth/access_token", "GET /access_token"]
    grant, swap = instagram.requests
    assert {name: values[0] for name, values in grant.form.items()} == {
        "client_id": instagram.app_id, "client_secret": instagram.app_secret, "grant_type": "authorization_code",
        "redirect_uri": REDIRECT, "code": code}
    assert swap.query["grant_type"] == ["ig_exchange_token"] and swap.query["client_secret"] == [instagram.app_secret]
    assert swap.query["access_token"][0] in instagram.short_tokens
    assert credentials["access_token"] in instagram.long_tokens and set(credentials) == {"access_token", "expires_at"}
    expires = datetime.fromisoformat(credentials["expires_at"])
    assert timedelta(days=59) < expires - datetime.now(UTC) < timedelta(days=61)


@pytest.mark.parametrize("spoil", ["code", "redirect_uri", "secret"])
def test_a_wrong_code_redirect_or_secret_is_refused_and_nothing_is_swapped(instagram, spoil):
    code = instagram.consent(authorization_url(instagram, InstagramConnector))["code"]
    app = app_for(instagram)
    if spoil == "secret":
        app = OAuthApp(client_id=app.client_id, client_secret="wrong", api_base=app.api_base,
                       auth_base=app.auth_base, token_base=app.token_base)

    with pytest.raises(AuthExpired) as caught:
        InstagramConnector(server_url=instagram.url).exchange_code(
            app, code="AQwrong" if spoil == "code" else code, code_verifier="",
            redirect_uri=REDIRECT + "/elsewhere" if spoil == "redirect_uri" else REDIRECT)

    reason = {"code": "Invalid authorization code", "redirect_uri": "redirect_uri is identical",
              "secret": "Invalid platform app"}[spoil]
    assert reason in caught.value.message and caught.value.message.startswith("Instagram refused to exchange")
    assert instagram.paths() == ["POST /oauth/access_token"] and not instagram.long_tokens


def test_instagram_refreshes_the_long_lived_token_and_keeps_the_account_ids(instagram):
    ig = connector(InstagramConnector, instagram)
    old = dict(ig.credentials)

    fresh = ig.refresh(old)

    seen = instagram.calls("/refresh_access_token")[0]
    assert seen.query == {"grant_type": ["ig_refresh_token"], "access_token": [old["access_token"]]}
    assert fresh["access_token"] in instagram.long_tokens and fresh["access_token"] != old["access_token"]
    assert fresh["user_id"] == instagram.user_id and fresh["expires_at"]


def test_a_refused_refresh_is_auth_expired(instagram):
    ig = connector(InstagramConnector, instagram)
    instagram.revoke()

    with pytest.raises(AuthExpired) as caught:
        ig.refresh(ig.credentials)

    assert "Session has expired" in caught.value.message and not caught.value.retryable


def test_threads_swaps_the_code_and_refreshes_with_its_own_grants(threads):
    code = threads.consent(authorization_url(threads, ThreadsConnector))["code"]
    th = ThreadsConnector(server_url=threads.url)

    credentials = th.exchange_code(app_for(threads), code=code, code_verifier="", redirect_uri=REDIRECT)
    fresh = th.refresh(credentials)

    assert threads.paths() == ["POST /oauth/access_token", "GET /access_token", "GET /refresh_access_token"]
    assert threads.requests[1].query["grant_type"] == ["th_exchange_token"]
    assert threads.requests[2].query["grant_type"] == ["th_refresh_token"]
    assert credentials["access_token"] in threads.long_tokens and fresh["access_token"] in threads.long_tokens


def test_a_missing_or_unknown_token_is_refused_by_meta_and_auth_expired_for_the_connector(instagram):
    answer = graph_call(instagram, "GET", "/v24.0/me", fields="username")
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 104

    ig = InstagramConnector(server_url=instagram.url, credentials={"access_token": "IGAAnot-a-token"})
    with pytest.raises(AuthExpired) as caught:
        ig.fetch_metrics()
    assert caught.value.details["platform_code"] == 190


# -- connecting -------------------------------------------------------------------------------------------------


def test_instagram_connect_reads_the_professional_account(instagram):
    token = instagram.token()

    info = InstagramConnector(server_url=instagram.url).connect({"access_token": token, "expires_at": None})

    assert instagram.requests[0].query["fields"] == ["user_id,username,followers_count"]
    assert (info.platform_user_id, info.username, info.follower_count) == (instagram.user_id, "maya.rivers", 1200)
    assert info.url == "https://www.instagram.com/maya.rivers"
    assert info.credentials == {"access_token": token, "expires_at": None, "user_id": instagram.user_id,
                                "username": "maya.rivers"}


def test_threads_connect_reads_the_profile_and_its_followers(threads):
    info = ThreadsConnector(server_url=threads.url).connect({"access_token": threads.token()})

    assert threads.paths() == ["GET /v1.0/me", f"GET /v1.0/{threads.user_id}/threads_insights"]
    assert (info.platform_user_id, info.username, info.follower_count) == (threads.user_id, "maya.rivers", 1200)
    assert info.url == "https://www.threads.com/@maya.rivers"


@pytest.mark.django_db
def test_the_consent_page_connects_an_instagram_account_that_keeps_working(owner, character, instagram, settings,
                                                                         monkeypatch):
    monkeypatch.setitem(CONNECTORS, "instagram", InstagramConnector)
    for name, value in (("CLIENT_ID", instagram.app_id), ("CLIENT_SECRET", instagram.app_secret),
                        ("API_BASE", instagram.url), ("AUTH_BASE", instagram.url), ("TOKEN_BASE", instagram.url)):
        setattr(settings, f"PERSONAS_INSTAGRAM_{name}", value)

    url = oauth.start_oauth(owner, platform="instagram", character_id=character.pk)
    assert url.startswith(f"{instagram.url}/oauth/authorize?") and "code_challenge" not in url
    back = instagram.consent(url)
    account = oauth.finish_oauth(owner, platform="instagram", state=back["state"], code=back["code"])

    assert (account.platform_user_id, account.account_username, account.server_url) == (
        instagram.user_id, "maya.rivers", "")
    assert account.token_expires_at > timezone.now() + timedelta(days=59)
    assert decrypt_json(account.credentials_encrypted)["access_token"] in instagram.long_tokens
    # Stored without a server URL, the account reaches the API base the deployment names.
    assert stored_connector(account).fetch_metrics().followers == 1200
    assert accounts.refresh_account(account) is True


# -- publishing on Instagram ----------------------------------------------------------------------------------


def test_an_image_goes_as_a_marked_jpeg_container_polled_until_finished_then_published(instagram):
    ig = connector(InstagramConnector, instagram)

    published = ig.publish(PublishRequest(text="Sunrise miles. #trailrunning", idempotency_key="k",
                                          media=[MediaFile(marked_png(), "image/png", "A red square.")]))

    uid = instagram.user_id
    container = next(iter(instagram.containers))
    assert instagram.paths() == [
        f"GET /v24.0/{uid}/media", f"GET /v24.0/{uid}/content_publishing_limit", f"POST /v24.0/{uid}/media",
        f"GET /v24.0/{container}", f"GET /v24.0/{container}", f"POST /v24.0/{uid}/media_publish",
        f"GET /v24.0/{published.platform_post_id}"]
    [create] = posted(instagram, f"/v24.0/{uid}/media")
    hosted, mime = instagram.files[create["image_url"][0]]
    assert mime == "image/jpeg" and hosted[:2] == b"\xff\xd8" and provenance.is_marked_ai_generated(hosted)
    assert create["caption"] == ["Sunrise miles. #trailrunning"] and create["alt_text"] == ["A red square."]
    assert posted(instagram, f"/v24.0/{uid}/media_publish")[0]["creation_id"] == [container]
    post = instagram.posts[published.platform_post_id]
    assert post["media_product_type"] == "FEED" and published.url == post["permalink"]


def test_a_carousel_is_item_containers_gathered_by_a_carousel_container(instagram):
    ig = connector(InstagramConnector, instagram)
    media = [MediaFile(jpeg(), "image/jpeg"), VIDEO, MediaFile(jpeg(), "image/jpeg")]

    published = ig.publish(PublishRequest(text="Three views.", idempotency_key="k", media=media))

    creates = posted(instagram, f"/v24.0/{instagram.user_id}/media")
    items, carousel = creates[:3], creates[3]
    assert all(item["is_carousel_item"] == ["true"] and "caption" not in item for item in items)
    assert items[1]["media_type"] == ["VIDEO"] and "video_url" in items[1]
    children = list(instagram.containers)[:3]
    assert carousel["media_type"] == ["CAROUSEL"] and carousel["children"] == [",".join(children)]
    assert carousel["caption"] == ["Three views."]
    assert instagram.posts[published.platform_post_id]["media_type"] == "CAROUSEL_ALBUM"


def test_a_reel_is_a_reels_container_with_the_video_url(instagram):
    ig = connector(InstagramConnector, instagram)

    published = ig.publish(PublishRequest(text="Downhill.", idempotency_key="k", media=[VIDEO], post_type="reel"))

    [create] = posted(instagram, f"/v24.0/{instagram.user_id}/media")
    assert create["media_type"] == ["REELS"] and create["caption"] == ["Downhill."]
    assert instagram.files[create["video_url"][0]] == (VIDEO.data, "video/mp4")
    assert instagram.posts[published.platform_post_id]["media_product_type"] == "REELS"


def test_a_story_is_a_stories_container_without_a_caption(instagram):
    ig = connector(InstagramConnector, instagram)

    published = ig.publish(PublishRequest(text="Not shown.", idempotency_key="k",
                                        media=[MediaFile(jpeg(), "image/jpeg")], post_type="story"))

    [create] = posted(instagram, f"/v24.0/{instagram.user_id}/media")
    assert create["media_type"] == ["STORIES"] and "image_url" in create and "caption" not in create
    assert instagram.posts[published.platform_post_id]["media_product_type"] == "STORY"


@pytest.mark.parametrize(("post_type", "media", "words"), [
    ("reel", [MediaFile(b"img", "image/jpeg")], "An Instagram reel is one video"),
    ("story", [VIDEO, VIDEO], "An Instagram story is one image or one video"),
    ("post", [], "Instagram posts need an image or a video"),
    ("post", [MediaFile(b"img", "image/jpeg")] * 11, "Instagram carousels take 2 to 10 items; this post has 11"),
])
def test_media_a_post_type_cannot_carry_is_refused_before_any_request(instagram, post_type, media, words):
    ig = connector(InstagramConnector, instagram)

    with pytest.raises(ValidationFailed) as caught:
        ig.publish(PublishRequest(text="x", idempotency_key="k", media=media, post_type=post_type))

    assert words in caught.value.message and instagram.requests == []


def test_publishing_waits_for_finished_and_meta_refuses_a_publish_before_it(instagram):
    instagram.processing_polls = 3
    ig = connector(InstagramConnector, instagram)

    ig.publish(PublishRequest(text="Patience.", idempotency_key="k", media=[MediaFile(jpeg(), "image/jpeg")]))

    container = next(iter(instagram.containers))
    assert instagram.paths().count(f"GET /v24.0/{container}") == 4  # three IN_PROGRESS, then FINISHED
    # Straight to the stand-in: a container still IN_PROGRESS cannot be published.
    token, uid = instagram.token(), instagram.user_id
    early = graph_call(instagram, "POST", f"/v24.0/{uid}/media", access_token=token,
                       image_url=instagram.host(MediaFile(jpeg(), "image/jpeg")))
    refused = graph_call(instagram, "POST", f"/v24.0/{uid}/media_publish", access_token=token,
                         creation_id=early.json()["id"])
    assert refused.status_code == 400
    assert (refused.json()["error"]["code"], refused.json()["error"]["message"]) == (9007, "Media ID is not available")


@pytest.mark.parametrize("count", [1, 11])
def test_meta_refuses_a_carousel_of_one_or_eleven_children(instagram, count):
    token, uid = instagram.token(), instagram.user_id
    children = [graph_call(instagram, "POST", f"/v24.0/{uid}/media", access_token=token, is_carousel_item="true",
                           image_url=instagram.host(MediaFile(jpeg(), "image/jpeg"))).json()["id"]
                for _ in range(count)]

    answer = graph_call(instagram, "POST", f"/v24.0/{uid}/media", access_token=token, media_type="CAROUSEL",
                        children=",".join(children), caption="x")

    assert answer.status_code == 400 and answer.json()["error"]["code"] == 100
    assert f"this one has {count}" in answer.json()["error"]["error_user_msg"]


def test_a_container_in_error_fails_with_metas_reason_and_is_not_published(instagram):
    ig = connector(InstagramConnector, instagram)
    ig.media_url_for = lambda media: f"{instagram.url}/media-files/999"  # nothing there: Meta cannot download it

    with pytest.raises(ConnectorError) as caught:
        ig.publish(PublishRequest(text="x", idempotency_key="k", media=[MediaFile(jpeg(), "image/jpeg")]))

    assert not caught.value.retryable
    assert caught.value.message == ("Instagram could not process the media: ERROR: Media download has failed. The "
                                    "media URI doesn't meet our requirements. (2207052).")
    assert not posted(instagram, f"/v24.0/{instagram.user_id}/media_publish") and not instagram.posts


def test_a_container_still_in_progress_after_the_last_poll_is_retryable(instagram, monkeypatch):
    monkeypatch.setattr(InstagramConnector, "container_poll_attempts", 3)
    instagram.processing_polls = 10
    ig = connector(InstagramConnector, instagram)

    with pytest.raises(ConnectorError) as caught:
        ig.publish(PublishRequest(text="x", idempotency_key="k", media=[MediaFile(jpeg(), "image/jpeg")]))

    assert caught.value.retryable and caught.value.status == 503
    assert instagram.paths().count(f"GET /v24.0/{next(iter(instagram.containers))}") == 3
    assert not posted(instagram, f"/v24.0/{instagram.user_id}/media_publish")


def test_a_spent_quota_defers_the_post_until_the_oldest_of_the_window_ages_out(instagram):
    instagram.quota_usage = instagram.quota_total
    instagram.add_post("Yesterday's run.", at=datetime.now(UTC) - timedelta(hours=23))
    ig = connector(InstagramConnector, instagram)

    with pytest.raises(ConnectorError) as caught:
        ig.publish(PublishRequest(text="Today.", idempotency_key="k", media=[MediaFile(jpeg(), "image/jpeg")]))

    assert caught.value.retryable and caught.value.details == {"quota_usage": 100, "quota_total": 100}
    assert timedelta(minutes=55) < caught.value.retry_at - datetime.now(UTC) < timedelta(minutes=61)
    assert "allows 100 posts through its API in 24 hours" in caught.value.message
    assert not instagram.containers  # nothing was created


def test_meta_refuses_a_publish_past_the_quota_and_the_connector_reads_it_as_retryable(instagram):
    token, uid = instagram.token(), instagram.user_id
    container = graph_call(instagram, "POST", f"/v24.0/{uid}/media", access_token=token,
                           image_url=instagram.host(MediaFile(jpeg(), "image/jpeg"))).json()["id"]
    graph_call(instagram, "GET", f"/v24.0/{container}", access_token=token, fields="status_code")
    graph_call(instagram, "GET", f"/v24.0/{container}", access_token=token, fields="status_code")
    instagram.quota_usage = instagram.quota_total

    answer = graph_call(instagram, "POST", f"/v24.0/{uid}/media_publish", access_token=token, creation_id=container)

    assert (answer.json()["error"]["code"], answer.json()["error"]["error_subcode"]) == (9, 2207042)
    error = meta_error("Instagram", answer, "publish the post")
    assert error.retryable and error.retry_at > datetime.now(UTC) + timedelta(minutes=50)


@pytest.mark.parametrize(("text", "words"), [
    ("x" * 2201, "Instagram allows 2200 characters in a caption; this one has 2201."),
    (" ".join(f"#tag{n}" for n in range(31)), "Instagram allows 30 hashtag(s) per post; this one has 31."),
])
def test_a_caption_over_the_limits_is_refused_before_any_request(instagram, text, words):
    ig = connector(InstagramConnector, instagram)

    with pytest.raises(ValidationFailed) as caught:
        ig.publish(PublishRequest(text=text, idempotency_key="k", media=[MediaFile(jpeg(), "image/jpeg")]))

    assert words in caught.value.message and instagram.requests == []


def test_a_repeated_publish_returns_the_post_already_made(instagram):
    ig = connector(InstagramConnector, instagram)
    request = PublishRequest(text="Only once.", idempotency_key="k", media=[MediaFile(jpeg(), "image/jpeg")])

    first, second = ig.publish(request), ig.publish(request)

    assert first == second and len(instagram.posts) == 1
    assert len(posted(instagram, f"/v24.0/{instagram.user_id}/media_publish")) == 1


def test_without_a_media_url_hook_nothing_is_sent(instagram):
    ig = connector(InstagramConnector, instagram)
    ig.media_url_for = None

    with pytest.raises(ConnectorError) as caught:
        ig.publish(PublishRequest(text="x", idempotency_key="k", media=[MediaFile(jpeg(), "image/jpeg")]))

    assert "public URL" in caught.value.message and instagram.requests == []


# -- Instagram engagement -----------------------------------------------------------------------------------------


def test_instagram_metrics_come_from_the_media_fields_and_its_insights(instagram):
    ig = connector(InstagramConnector, instagram)
    post_id = instagram.add_post("Hello.", at=datetime.now(UTC))
    instagram.posts[post_id].update(like_count=14, comments_count=3, shares=2)

    metrics = ig.fetch_post_metrics(post_id)

    assert (metrics.likes, metrics.comments, metrics.shares) == (14, 3, 2)
    assert instagram.calls(f"/v24.0/{post_id}/insights")[0].query["metric"] == ["shares"]
    assert ig.fetch_metrics().followers == 1200


@pytest.mark.parametrize(("answer", "outcome"), [
    ({"error": {"message": "(#100) The metric shares is not available for this media", "code": 100}}, 0),
    ({"error": {"message": "Error validating access token", "code": 190}}, AuthExpired),
])
def test_missing_share_insights_count_zero_but_a_refused_token_is_not_hidden(instagram, answer, outcome):
    ig = connector(InstagramConnector, instagram)
    post_id = instagram.add_post("Hello.", at=datetime.now(UTC))
    instagram.fail_next(f"/v24.0/{post_id}/insights", 400, answer)

    if outcome is AuthExpired:
        with pytest.raises(AuthExpired):
            ig.fetch_post_metrics(post_id)
    else:
        assert ig.fetch_post_metrics(post_id).shares == outcome


def test_instagram_comments_on_a_post_and_reads_others_comments_as_mentions(instagram):
    ig = connector(InstagramConnector, instagram)
    post_id = instagram.add_post("Hello.", at=datetime.now(UTC) - timedelta(hours=2))
    first = instagram.comment_on(post_id, "Great pace!", at=datetime.now(UTC) - timedelta(minutes=30))

    done = ig.comment(Target(id=post_id), "Thank you!")
    found, cursor = ig.fetch_notifications("")

    assert posted(instagram, f"/v24.0/{post_id}/comments")[0]["message"] == ["Thank you!"]
    assert done.platform_action_id in [c["id"] for c in instagram.posts[post_id]["answers"]]
    # The account's own comment is not a notification; others' are mentions aimed at the post.
    assert [(n.id, n.kind, n.target_id, n.text) for n in found] == [(first, "mention", post_id, "Great pace!")]
    second = instagram.comment_on(post_id, "Which trail?")
    found, later = ig.fetch_notifications(cursor)
    assert second in [n.id for n in found] and later > cursor


@pytest.mark.parametrize(("call", "words"), [
    (lambda ig: ig.like(Target(id="1")), "Instagram's API cannot like posts"),
    (lambda ig: ig.follow(Target(id="1")), "Instagram's API cannot follow accounts"),
    (lambda ig: ig.delete("1"), "Instagram's API cannot delete published posts"),
])
def test_what_instagrams_api_cannot_do_is_said_in_words_without_a_request(instagram, call, words):
    ig = connector(InstagramConnector, instagram)

    with pytest.raises(ConnectorError) as caught:
        call(ig)

    assert caught.value.message.startswith(words) and not caught.value.retryable and instagram.requests == []


# -- Threads ----------------------------------------------------------------------------------------------------


def test_a_threads_text_post_is_a_text_container_then_threads_publish(threads):
    th = connector(ThreadsConnector, threads)

    published = th.publish(PublishRequest(text="Trail day.", idempotency_key="k"))

    uid, container = threads.user_id, next(iter(threads.containers))
    assert threads.paths() == [
        f"GET /v1.0/{uid}/threads", f"GET /v1.0/{uid}/threads_publishing_limit", f"POST /v1.0/{uid}/threads",
        f"GET /v1.0/{container}", f"GET /v1.0/{container}", f"POST /v1.0/{uid}/threads_publish",
        f"GET /v1.0/{published.platform_post_id}"]
    [create] = posted(threads, f"/v1.0/{uid}/threads")
    assert (create["media_type"], create["text"]) == (["TEXT"], ["Trail day."])
    assert published.url == threads.posts[published.platform_post_id]["permalink"]


def test_a_threads_image_keeps_its_png_and_alt_text(threads):
    th = connector(ThreadsConnector, threads)
    image = marked_png()

    th.publish(PublishRequest(text="Look.", idempotency_key="k", media=[MediaFile(image, "image/png", "A map.")]))

    [create] = posted(threads, f"/v1.0/{threads.user_id}/threads")
    assert create["media_type"] == ["IMAGE"] and create["alt_text"] == ["A map."]
    assert threads.files[create["image_url"][0]] == (image, "image/png")


def test_a_threads_carousel_gathers_its_items(threads):
    th = connector(ThreadsConnector, threads)

    published = th.publish(PublishRequest(text="Two.", idempotency_key="k",
                                          media=[MediaFile(jpeg(), "image/jpeg")] * 2))

    creates = posted(threads, f"/v1.0/{threads.user_id}/threads")
    assert [form["is_carousel_item"] for form in creates[:2]] == [["true"], ["true"]]
    assert creates[2]["media_type"] == ["CAROUSEL"] and creates[2]["text"] == ["Two."]
    assert threads.posts[published.platform_post_id]["children"] == list(threads.containers)[:2]


@pytest.mark.parametrize(("text", "media", "words"), [
    ("x" * 501, [], "Threads allows 500 characters in a caption; this one has 501."),
    ("#one #two", [], "Threads allows 1 hashtag(s) per post; this one has 2."),
    ("x", [MediaFile(b"img", "image/jpeg")] * 21, "Threads carousels take 2 to 20 items; this post has 21."),
])
def test_what_threads_would_refuse_is_refused_before_any_request(threads, text, media, words):
    th = connector(ThreadsConnector, threads)

    with pytest.raises(ValidationFailed) as caught:
        th.publish(PublishRequest(text=text, idempotency_key="k", media=media))

    assert words in caught.value.message and threads.requests == []


def test_a_threads_post_is_deleted_and_deleting_it_again_is_no_error(threads):
    th = connector(ThreadsConnector, threads)
    post_id = threads.add_post("Oops.", at=datetime.now(UTC))

    th.delete(post_id)
    th.delete(post_id)

    assert post_id not in threads.posts and threads.paths() == [f"DELETE /v1.0/{post_id}"] * 2


def test_threads_metrics_come_from_insights(threads):
    th = connector(ThreadsConnector, threads)
    post_id = threads.add_post("Hello.", at=datetime.now(UTC))
    threads.posts[post_id].update(likes=9, replies=4, reposts=2, quotes=1)

    metrics = th.fetch_post_metrics(post_id)

    assert (metrics.likes, metrics.comments, metrics.shares) == (9, 4, 2)
    assert threads.calls(f"/v1.0/{post_id}/insights")[0].query["metric"] == ["likes,replies,reposts"]
    assert th.fetch_metrics().followers == 1200


def test_a_threads_comment_is_a_published_reply_and_others_replies_are_mentions(threads):
    th = connector(ThreadsConnector, threads)
    post_id = threads.add_post("Hello.", at=datetime.now(UTC) - timedelta(hours=1))
    theirs = threads.reply_to(post_id, "Nice!")

    done = th.comment(Target(id=theirs), "Thanks!")
    found, _ = th.fetch_notifications("")

    [create] = posted(threads, f"/v1.0/{threads.user_id}/threads")
    assert create["reply_to_id"] == [theirs] and create["media_type"] == ["TEXT"]
    assert threads.posts[done.platform_action_id]["reply_to"] == theirs
    assert [(n.id, n.kind, n.target_id, n.text) for n in found] == [(theirs, "mention", theirs, "Nice!")]


def test_threads_cannot_like_or_follow_through_its_api(threads):
    th = connector(ThreadsConnector, threads)

    for call in (th.like, th.follow):
        with pytest.raises(ConnectorError) as caught:
            call(Target(id="1"))
        assert caught.value.message.startswith("Threads's API cannot") and not caught.value.retryable
    assert threads.requests == []
