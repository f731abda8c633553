"""Connectors against stand-in Mastodon and Bluesky servers; publishing exactly once; token refresh."""

import io
import random
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from PIL import Image

from config.errors import ValidationFailed
from personas.choices import CharacterStatus, ConnectionStatus, PostStatus
from personas.connectors import AuthExpired, ConnectorError, MediaFile, PublishRequest, connector_for
from personas.connectors.base import network_error
from personas.connectors.bluesky import BlueskyConnector, record_key
from personas.connectors.mastodon import MastodonConnector
from personas.models import ContentItem, MetricSample, PersonaEvent, Post
from personas.post_text import compose_text
from personas.services import accounts, engagement, publishing
from tests.personas.standins import bluesky_fixture, connect, mastodon_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def png(size=(32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def noise_png(size: tuple[int, int], seed: int = 3) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# -- Mastodon -----------------------------------------------------------------------------------------------


def test_mastodon_uploads_media_before_the_status_with_the_idempotency_key(mastodon):
    connector = MastodonConnector(server_url=mastodon.url, credentials={"access_token": mastodon.token})
    published = connector.publish(PublishRequest(text="Hello", idempotency_key="key-1",
                                                 media=[MediaFile(png(), "image/png", "A red square.")]))
    assert mastodon.paths() == ["POST /api/v2/media", "POST /api/v1/statuses"]
    upload, status = mastodon.requests
    assert all(seen.headers["authorization"] == f"Bearer {mastodon.token}" for seen in mastodon.requests)
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert upload.files["file"][1] == "image/png" and upload.form["description"] == ["A red square."]
    media_id = next(iter(mastodon.media))
    assert status.form["media_ids[]"] == [media_id] and status.form["status"] == ["Hello"]
    assert status.headers["idempotency-key"] == "key-1"
    assert published.platform_post_id in mastodon.statuses
    assert published.url == mastodon.statuses[published.platform_post_id]["url"]


def test_mastodon_waits_for_media_that_is_still_processing(mastodon):
    mastodon.processing_polls = 2
    connector = MastodonConnector(server_url=mastodon.url, credentials={"access_token": mastodon.token})
    connector.publish(PublishRequest(text="Hi", idempotency_key="k", media=[MediaFile(png(), "image/png")]))
    media_id = next(iter(mastodon.media))
    assert mastodon.paths() == ["POST /api/v2/media", f"GET /api/v1/media/{media_id}",
                                f"GET /api/v1/media/{media_id}", "POST /api/v1/statuses"]


def test_a_repeated_mastodon_publish_with_the_same_key_makes_one_status(mastodon):
    connector = MastodonConnector(server_url=mastodon.url, credentials={"access_token": mastodon.token})
    first = connector.publish(PublishRequest(text="Once", idempotency_key="same"))
    second = connector.publish(PublishRequest(text="Once", idempotency_key="same"))
    assert first == second and len(mastodon.statuses) == 1


def test_a_mastodon_rate_limit_is_retryable_with_the_reset_time(mastodon):
    mastodon.fail_next("/api/v1/statuses", 429, {"error": "Too many requests"},
                       {"X-RateLimit-Reset": "2031-01-02T03:04:05.000Z"})
    connector = MastodonConnector(server_url=mastodon.url, credentials={"access_token": mastodon.token})
    with pytest.raises(ConnectorError) as caught:
        connector.publish(PublishRequest(text="x", idempotency_key="k"))
    assert caught.value.retryable and caught.value.retry_at.isoformat() == "2031-01-02T03:04:05+00:00"
    assert caught.value.status == 503


def test_a_refused_mastodon_token_is_auth_expired(mastodon):
    connector = MastodonConnector(server_url=mastodon.url, credentials={"access_token": "wrong"})
    with pytest.raises(AuthExpired) as caught:
        connector.fetch_metrics()
    assert not caught.value.retryable and caught.value.status == 400


def test_an_unreachable_platform_is_retryable():
    connector = MastodonConnector(server_url="http://127.0.0.1:9", credentials={"access_token": "t"})
    with pytest.raises(ConnectorError) as caught:
        connector.fetch_metrics()
    assert caught.value.retryable and caught.value.status == 503
    # Shown on the connections page: in words, never an exception's class name.
    assert caught.value.message == ("Mastodon could not be reached: no connection could be made (the server may be "
                                    "down, or its address wrong).")


@pytest.mark.parametrize(("error", "words"), [
    (httpx.ConnectTimeout("timed out"), "the server did not answer in time"),
    (httpx.ReadError("reset"), "the connection broke off"),
    (httpx.RemoteProtocolError("bad"), "the connection broke off"),
])
def test_network_failures_are_said_in_words(error, words):
    message = network_error("Bluesky", error).message

    assert message == f"Bluesky could not be reached: {words}." and type(error).__name__ not in message


def test_mastodon_notifications_are_read_after_the_cursor(mastodon):
    connector = MastodonConnector(server_url=mastodon.url, credentials={"access_token": mastodon.token})
    first = mastodon.notify("favourite", status_id="5")
    found, cursor = connector.fetch_notifications("")
    assert [n.id for n in found] == [first] and cursor == first
    second = mastodon.notify("follow", account_id="77")
    found, cursor = connector.fetch_notifications(cursor)
    assert [(n.id, n.kind, n.target_type, n.target_id) for n in found] == [(second, "follow", "user", "77")]
    assert mastodon.requests[-1].query["since_id"] == [first]
    assert set(mastodon.requests[-1].query["types[]"]) == {"favourite", "reblog", "mention", "follow"}


# -- Bluesky ------------------------------------------------------------------------------------------------


def bluesky_connector(server) -> BlueskyConnector:
    connector = BlueskyConnector(server_url=server.url)
    connector.connect({"identifier": server.handle, "app_password": server.app_password})
    return connector


def test_bluesky_signs_in_then_uploads_then_creates_the_record_under_a_fixed_key(bluesky):
    connector = bluesky_connector(bluesky)
    published = connector.publish(PublishRequest(text="Morning run #trailrunning", idempotency_key="post-key",
                                                 media=[MediaFile(png(), "image/png", "A red square.")]))
    assert bluesky.paths() == ["POST /xrpc/com.atproto.server.createSession", "GET /xrpc/app.bsky.actor.getProfile",
                               "POST /xrpc/com.atproto.repo.uploadBlob", "POST /xrpc/com.atproto.repo.createRecord"]
    session, _, upload, create = bluesky.requests
    assert session.json == {"identifier": bluesky.handle, "password": bluesky.app_password}
    assert upload.headers["content-type"] == "image/png" and upload.body == png()
    assert upload.headers["authorization"] == f"Bearer {bluesky.access_jwt}"
    rkey = record_key("post-key")
    assert create.json["rkey"] == rkey and create.json["collection"] == "app.bsky.feed.post"
    record = create.json["record"]
    assert record["embed"]["$type"] == "app.bsky.embed.images"
    assert record["embed"]["images"][0]["alt"] == "A red square."
    assert record["facets"][0]["features"][0] == {"$type": "app.bsky.richtext.facet#tag", "tag": "trailrunning"}
    assert published.platform_post_id == f"at://{bluesky.did}/app.bsky.feed.post/{rkey}"
    assert published.url == f"https://bsky.app/profile/{bluesky.handle}/post/{rkey}"


@pytest.mark.parametrize("taken", [(500, {"error": "InternalServerError", "message": "Internal Server Error"}),
                                   (400, {"error": "InvalidSwap", "message": "Record already exists"})])
def test_a_retried_bluesky_publish_cannot_post_twice(bluesky, taken):
    bluesky.taken_answer = taken
    connector = bluesky_connector(bluesky)
    request = PublishRequest(text="Only once", idempotency_key="retry-key")
    first, second = connector.publish(request), connector.publish(request)
    assert first == second and len(bluesky.posts()) == 1
    creates = bluesky.calls("/xrpc/com.atproto.repo.createRecord")
    assert [seen.json["rkey"] for seen in creates] == [record_key("retry-key")] * 2


def test_record_keys_are_valid_tids_fixed_by_the_idempotency_key():
    assert record_key("a") == record_key("a") != record_key("b")
    assert len(record_key("a")) == 13 and record_key("a")[0] in "234567abcdefghij"


def test_text_over_300_graphemes_is_refused_before_anything_is_sent(bluesky):
    connector = bluesky_connector(bluesky)
    sent = len(bluesky.requests)
    accented = "e\u0301"  # one grapheme, two code points
    connector.check_text(accented * 300)
    with pytest.raises(ValidationFailed) as caught:
        connector.publish(PublishRequest(text="x" * 301, idempotency_key="k",
                                         media=[MediaFile(png(), "image/png")]))
    assert caught.value.code == "VALIDATION_ERROR" and caught.value.details["length"] == 301
    assert len(bluesky.requests) == sent


def test_a_large_image_is_reencoded_under_the_blob_limit(bluesky):
    connector = bluesky_connector(bluesky)
    big = noise_png((700, 700))
    assert len(big) > 1_000_000
    connector.publish(PublishRequest(text="big", idempotency_key="k", media=[MediaFile(big, "image/png")]))
    upload = bluesky.calls("/xrpc/com.atproto.repo.uploadBlob")[0]
    assert upload.headers["content-type"] == "image/jpeg" and len(upload.body) <= 1_000_000


def test_an_image_that_cannot_fit_the_blob_limit_is_a_final_error(bluesky, monkeypatch):
    from personas.connectors import images

    monkeypatch.setattr(images, "ATTEMPTS", ((None, 95),))
    connector = bluesky_connector(bluesky)
    with pytest.raises(ConnectorError) as caught:
        connector.publish(PublishRequest(text="big", idempotency_key="k",
                                         media=[MediaFile(noise_png((1200, 1200)), "image/png")]))
    assert not caught.value.retryable and "1,000,000" in caught.value.message
    assert not bluesky.calls("/xrpc/com.atproto.repo.uploadBlob")


def test_bluesky_refresh_uses_the_refresh_token_and_rotates_it(bluesky):
    connector = bluesky_connector(bluesky)
    old = dict(connector.credentials)
    fresh = connector.refresh(old)
    seen = bluesky.calls("/xrpc/com.atproto.server.refreshSession")[0]
    assert seen.headers["authorization"] == f"Bearer {old['refresh_jwt']}" and not seen.body
    assert fresh["refresh_jwt"] == bluesky.refresh_jwt != old["refresh_jwt"] and fresh["expires_at"]
    with pytest.raises(AuthExpired):
        connector.refresh(old)


# -- services: accounts, publishing exactly once, refresh, sync ----------------------------------------------


def test_stored_credentials_are_encrypted_and_hold_no_app_password(owner, character, bluesky):
    account = connect(owner, character, bluesky)
    stored = type(account).objects.values_list("credentials_encrypted", flat=True).get(pk=account.pk)
    # The JSON's keys are not readable either (a Fernet token is URL-safe base64: it never holds a quote).
    assert bluesky.access_jwt not in stored and bluesky.app_password not in stored and '"access_jwt"' not in stored
    assert set(connector_for(account).credentials) == {"did", "handle", "access_jwt", "refresh_jwt", "expires_at"}
    assert account.token_expires_at > timezone.now() + timedelta(minutes=100)


def make_post(character, account, content: ContentItem, **fields) -> Post:
    return publishing.create_post(character.owner, character_id=character.pk, platform_account_id=account.pk,
                                  content_id=content.pk, **fields)


def test_publish_sends_the_disclosure_line_and_counts_the_content_use(owner, character, approved_image, mastodon):
    account = connect(owner, character, mastodon)
    post = publishing.publish(make_post(character, account, approved_image, caption="Sunrise miles."))
    assert post.status == PostStatus.PUBLISHED and post.platform_post_id in mastodon.statuses
    text = mastodon.calls("/api/v1/statuses")[0].form["status"][0]
    assert text == f"Sunrise miles.\n\n#trailrunning\n\n{character.disclosure_line}"
    assert mastodon.calls("/api/v2/media")[0].form["description"] == ["A blue square."]
    approved_image.refresh_from_db()
    assert approved_image.times_used == 1
    assert PersonaEvent.objects.filter(owner=owner, type="post_published").count() == 1
    assert publishing.publish(post) == post and len(mastodon.calls("/api/v1/statuses")) == 1


def test_a_post_is_published_once_across_a_worker_that_died_after_sending(owner, character, approved_image,
                                                                          bluesky):
    account = connect(owner, character, bluesky)
    post = make_post(character, account, approved_image)
    # The first worker sent the post, then died before recording it: the row still says publishing.
    connector_for(account).publish(PublishRequest(text=compose_text(post),
                                                  idempotency_key=str(post.idempotency_key)))
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHING)
    assert publishing.publish(post).status == PostStatus.PUBLISHING  # a live claim is left alone
    post = publishing.publish(post, resume=True)
    assert post.status == PostStatus.PUBLISHED and len(bluesky.posts()) == 1
    assert post.platform_post_id.endswith(record_key(str(post.idempotency_key)))


def test_a_retryable_failure_is_raised_for_backoff_and_the_retry_reuses_the_key(owner, character, approved_image,
                                                                               mastodon):
    account = connect(owner, character, mastodon)
    post = make_post(character, account, approved_image)
    mastodon.fail_next("/api/v1/statuses", 503, {"error": "Service unavailable"})
    with pytest.raises(ConnectorError):
        publishing.publish(post, retry_later=True)
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED and "failed" in post.error_message
    post = publishing.publish(post, retry_later=True)
    keys = [seen.headers["idempotency-key"] for seen in mastodon.calls("/api/v1/statuses")]
    assert keys == [str(post.idempotency_key)] * 2 and post.status == PostStatus.PUBLISHED
    assert post.attempts == 2 and len(mastodon.statuses) == 1


def test_expiring_tokens_are_refreshed(owner, character, bluesky):
    account = connect(owner, character, bluesky)
    type(account).objects.filter(pk=account.pk).update(token_expires_at=timezone.now() + timedelta(minutes=10))
    assert accounts.refresh_expiring_tokens() == 1
    account.refresh_from_db()
    assert account.token_expires_at > timezone.now() + timedelta(hours=1)
    assert connector_for(account).credentials["access_jwt"] == bluesky.access_jwt


def test_a_failed_refresh_puts_the_account_and_character_in_error(owner, character, bluesky):
    account = connect(owner, character, bluesky)
    type(account).objects.filter(pk=account.pk).update(token_expires_at=timezone.now() + timedelta(minutes=5))
    bluesky.refresh_jwt = "revoked"
    assert accounts.refresh_expiring_tokens() == 0
    account.refresh_from_db()
    character.refresh_from_db()
    assert account.connection_status == ConnectionStatus.ERROR and "Token refresh failed" in account.status_detail
    assert character.status == CharacterStatus.ERROR and "Token refresh failed" in character.status_reason
    event = PersonaEvent.objects.get(owner=owner, type="error_occurred")
    assert event.data["account_id"] == str(account.pk)


def test_a_sync_stores_followers_and_new_notifications_once(owner, character, approved_image, mastodon):
    account = connect(owner, character, mastodon)
    post = publishing.publish(make_post(character, account, approved_image))
    mastodon.statuses[post.platform_post_id].update(favourites_count=4, replies_count=1, reblogs_count=2)
    mastodon.notify("favourite", status_id=post.platform_post_id)
    mastodon.notify("mention", status_id="9", text="@ava nice run!")
    result = engagement.sync_account(account)
    assert result == {"followers": 42, "new_actions": 2, "posts_synced": 1}
    mastodon.notify("follow", account_id="31")
    assert engagement.sync_account(account)["new_actions"] == 1
    inbound = account.engagement.filter(direction="inbound")
    assert sorted(inbound.values_list("action_type", flat=True)) == ["favourite", "followed", "mention"]
    assert inbound.get(action_type="mention").comment_text == "@ava nice run!"
    assert list(MetricSample.objects.filter(metric="followers").values_list("value", flat=True)) == [42, 42]
    post.refresh_from_db()
    assert (post.likes_count, post.comments_count, post.shares_count) == (4, 1, 2)
    assert engagement.sync_all_accounts() == 1


def test_nothing_is_published_for_a_paused_character(owner, character, approved_image, mastodon):
    account = connect(owner, character, mastodon)
    post = make_post(character, account, approved_image)
    type(character).objects.filter(pk=character.pk).update(status=CharacterStatus.PAUSED)
    post = publishing.publish(Post.objects.get(pk=post.pk))
    assert post.status == PostStatus.FAILED and "paused" in post.error_message
    assert not mastodon.calls("/api/v1/statuses")
