"""/api/v1/posts: scheduling, publishing now (once, marked), the documented refusals, delete and sync."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from personas.choices import ContentType, Review
from personas.models import Character, ContentItem, MetricSample, PlatformAccount, Post, ScheduledPost
from tests.personas.factories import CharacterFactory, ContentItemFactory, PostFactory
from tests.personas.standins import bluesky_fixture, connect, error_of, mastodon_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def create(client, character, account, content, **fields):
    body = {"character_id": str(character.pk), "platform_account_id": str(account.pk),
            "content_id": str(content.pk), **fields}
    return client.post("/api/v1/posts", body, format="json")


@pytest.fixture
def masto(owner, character, mastodon) -> PlatformAccount:
    return connect(owner, character, mastodon)


def test_a_post_without_publish_immediately_is_scheduled_for_the_next_run(owner_api, character, masto,
                                                                          approved_image, mastodon):
    response = create(owner_api, character, masto, approved_image, caption="Later.")

    assert response.status_code == 201 and response.json()["message"] == "Post scheduled"
    data = response.json()["data"]
    assert data["status"] == "scheduled" and data["post_id"] is None and data["published_at"] is None
    scheduled = ScheduledPost.objects.get(pk=data["scheduled_post_id"])
    assert scheduled.caption == "Later." and scheduled.scheduled_at <= timezone.now()
    assert not Post.objects.exists()
    assert mastodon.paths() == ["GET /api/v1/accounts/verify_credentials"]  # nothing published in the request


def test_a_post_scheduled_for_later_keeps_its_time(owner_api, character, masto, approved_image):
    when = (timezone.now() + timedelta(days=1)).replace(microsecond=0)

    response = create(owner_api, character, masto, approved_image, publish_immediately=False,
                      scheduled_at=when.isoformat())

    assert response.status_code == 201
    assert ScheduledPost.objects.get().scheduled_at == when
    assert response.json()["data"]["scheduled_at"] == when.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize("immediately", [True, False])
def test_a_post_type_the_platform_does_not_publish_is_refused(owner_api, character, masto, approved_image,
                                                              mastodon, immediately):
    response = create(owner_api, character, masto, approved_image, post_type="reel", publish_immediately=immediately)

    error = error_of(response, 400, "VALIDATION_ERROR")
    assert error["message"].startswith("post_type: ") and list(error["details"]) == ["post_type"]
    assert not Post.objects.exists() and not ScheduledPost.objects.exists()


def test_the_post_type_a_platform_publishes_is_stored_and_published(owner_api, character, masto, approved_image,
                                                                    mastodon):
    response = create(owner_api, character, masto, approved_image, post_type="post", publish_immediately=True)

    assert response.json()["data"]["status"] == "published"
    assert Post.objects.get().post_type == "post" and len(mastodon.calls("/api/v1/statuses")) == 1


def test_mentions_need_an_immediate_publish(owner_api, character, masto, approved_image):
    response = create(owner_api, character, masto, approved_image, mentions=["@coach"])

    error_of(response, 400, "VALIDATION_ERROR")


def test_publishing_now_answers_the_documented_shape(owner_api, character, masto, approved_image, mastodon):
    response = create(owner_api, character, masto, approved_image, caption="Sunrise miles.",
                      hashtags=["sunrise"], mentions=["@coach"], publish_immediately=True)
    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "Post published successfully"
    post = Post.objects.get()
    assert body["data"] == {"post_id": str(post.pk), "status": "published", "platform_post_id": post.platform_post_id,
                            "platform_post_url": post.platform_post_url,
                            "published_at": post.published_at.isoformat().replace("+00:00", "Z")}
    assert mastodon.paths()[1:] == ["POST /api/v2/media", "POST /api/v1/statuses"]
    status = mastodon.calls("/api/v1/statuses")[0]
    assert status.headers["idempotency-key"] == str(post.idempotency_key)
    assert status.form["status"][0].endswith(character.disclosure_line)
    assert "#sunrise @coach" in status.form["status"][0]


def test_a_platform_refusal_answers_201_failed_with_the_reason(owner_api, character, masto, approved_image,
                                                              mastodon):
    mastodon.fail_next("/api/v1/statuses", 422, {"error": "Validation failed: Text character limit of 500"})
    response = create(owner_api, character, masto, approved_image, publish_immediately=True)
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["status"] == "failed" and "character limit" in data["error_message"]
    assert response.json()["message"] == "Post could not be published"


def test_media_the_storage_cannot_read_is_the_documented_storage_error(owner_api, character, masto, approved_image,
                                                                       mastodon, monkeypatch):
    def unreadable(name, mode="rb"):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(default_storage, "open", unreadable)

    response = create(owner_api, character, masto, approved_image, publish_immediately=True)

    body = response.json()
    assert response.status_code == 500 and body["success"] is False
    assert body["error"]["code"] == "STORAGE_ERROR" and "Input/output" not in response.content.decode()
    post = Post.objects.get()
    assert post.status == "failed" and post.error_message  # not left in publishing
    assert mastodon.calls("/api/v1/statuses") == []  # nothing was sent


def test_unapproved_content_is_refused(owner_api, character, masto, approved_image, mastodon):
    for review in (Review.PENDING, Review.REJECTED):
        ContentItem.objects.filter(pk=approved_image.pk).update(review=review)
        error_of(create(owner_api, character, masto, approved_image, publish_immediately=True), 400,
                 "CONTENT_NOT_APPROVED")
    assert not Post.objects.exists() and len(mastodon.requests) == 1


def test_unapproved_additional_content_is_refused(owner_api, character, masto, approved_image):
    pending = ContentItemFactory(character=character, content_type=ContentType.IMAGE)
    response = create(owner_api, character, masto, approved_image, additional_content_ids=[str(pending.pk)],
                      publish_immediately=True)
    error_of(response, 400, "CONTENT_NOT_APPROVED")


def test_another_users_character_account_and_post_are_not_found(owner_api, owner, other_user, character, masto,
                                                               approved_image, mastodon):
    stranger = CharacterFactory(owner=other_user, name="Stranger")
    theirs = connect(other_user, stranger, mastodon)
    error_of(create(owner_api, stranger, masto, approved_image), 404, "CHARACTER_NOT_FOUND")
    error_of(create(owner_api, character, theirs, approved_image), 404, "NOT_FOUND")
    their_post = PostFactory(character=stranger, account=theirs)
    for method, suffix in (("get", ""), ("delete", ""), ("post", "/sync")):
        error_of(getattr(owner_api, method)(f"/api/v1/posts/{their_post.pk}{suffix}"), 404, "NOT_FOUND")


def test_an_account_of_another_character_is_refused(owner_api, owner, character, approved_image, mastodon):
    sister = CharacterFactory(owner=owner, name="Sister")
    account = connect(owner, sister, mastodon)
    error_of(create(owner_api, character, account, approved_image), 400, "VALIDATION_ERROR")


def test_a_disconnected_account_cannot_post(owner_api, character, masto, approved_image):
    PlatformAccount.objects.filter(pk=masto.pk).update(connection_status="disconnected")
    error_of(create(owner_api, character, masto, approved_image, publish_immediately=True), 400,
             "PLATFORM_CONNECTION_FAILED")


def test_a_paused_character_cannot_post(owner_api, character, masto, approved_image):
    Character.objects.filter(pk=character.pk).update(status="paused")
    error_of(create(owner_api, character, masto, approved_image, publish_immediately=True), 400, "VALIDATION_ERROR")


def test_bluesky_text_over_300_graphemes_is_refused_before_anything_is_sent(owner_api, owner, character,
                                                                           approved_image, bluesky):
    account = connect(owner, character, bluesky)
    sent = len(bluesky.requests)
    # The disclosure line counts: a caption that fits alone does not fit with it.
    response = create(owner_api, character, account, approved_image, caption="x" * 280, hashtags=[],
                      publish_immediately=True)
    error = error_of(response, 400, "VALIDATION_ERROR")
    assert error["details"]["platform"] == "bluesky"
    assert error["details"]["problems"][0].startswith("Bluesky allows 300 graphemes in a caption; this one has 3")
    assert len(bluesky.requests) == sent and not Post.objects.exists()


def test_publishing_to_bluesky_uses_the_fixed_record_key(owner_api, owner, character, approved_image, bluesky):
    account = connect(owner, character, bluesky)
    data = create(owner_api, character, account, approved_image, publish_immediately=True).json()["data"]
    assert data["status"] == "published" and data["platform_post_id"].startswith(f"at://{bluesky.did}/")
    assert [p.split(" ")[1].rsplit(".", 1)[-1] for p in bluesky.paths()][-2:] == ["uploadBlob", "createRecord"]
    record = bluesky.posts()[0]["value"]
    assert record["text"].endswith(character.disclosure_line) and record["embed"]["images"][0]["alt"]


def test_the_sixth_publish_in_a_minute_for_one_character_is_rate_limited(owner_api, character, masto,
                                                                         approved_image):
    for _ in range(5):
        assert create(owner_api, character, masto, approved_image).status_code == 201
    response = create(owner_api, character, masto, approved_image)
    error_of(response, 429, "RATE_LIMIT_EXCEEDED")
    assert response["Retry-After"] and ScheduledPost.objects.count() == 5


def test_the_list_filters_and_pages(owner_api, owner, character, masto, approved_image, bluesky):
    sky = connect(owner, character, bluesky)
    first = PostFactory(character=character, account=masto, content=approved_image, caption="a")
    PostFactory(character=character, account=sky, content=approved_image, caption="b", status="published",
                published_at=timezone.now())
    data = owner_api.get("/api/v1/posts", {"limit": 1}).json()["data"]
    assert data["total"] == 2 and data["limit"] == 1 and data["offset"] == 0 and len(data["posts"]) == 1
    drafts = owner_api.get("/api/v1/posts", {"status": "draft", "platform": "mastodon"}).json()["data"]["posts"]
    assert [p["id"] for p in drafts] == [str(first.pk)]
    row = drafts[0]
    assert row["character_name"] == character.name and row["platform"] == "mastodon"
    assert row["content_id"] == str(approved_image.pk) and row["content_url"]
    assert {"likes_count", "comments_count", "shares_count", "hashtags", "published_at", "created_at"} <= set(row)
    assert owner_api.get(f"/api/v1/posts/{first.pk}").json()["data"]["caption"] == "a"
    error_of(owner_api.get("/api/v1/posts", {"status": "lost"}), 400, "VALIDATION_ERROR")


def test_delete_removes_the_post_on_the_platform_first(owner_api, character, masto, approved_image, mastodon):
    post_id = create(owner_api, character, masto, approved_image, publish_immediately=True).json()["data"]["post_id"]
    platform_id = Post.objects.get(pk=post_id).platform_post_id
    response = owner_api.delete(f"/api/v1/posts/{post_id}")
    assert response.status_code == 200 and response.json()["message"] == "Post deleted successfully"
    assert mastodon.paths()[-1] == f"DELETE /api/v1/statuses/{platform_id}" and platform_id not in mastodon.statuses
    assert Post.objects.get(pk=post_id).status == "deleted"


def test_a_failed_platform_delete_keeps_the_post(owner_api, character, masto, approved_image, mastodon):
    post_id = create(owner_api, character, masto, approved_image, publish_immediately=True).json()["data"]["post_id"]
    platform_id = Post.objects.get(pk=post_id).platform_post_id
    mastodon.fail_next(f"/api/v1/statuses/{platform_id}", 503, {"error": "down"})
    error_of(owner_api.delete(f"/api/v1/posts/{post_id}"), 503, "PLATFORM_CONNECTION_FAILED")
    assert Post.objects.get(pk=post_id).status == "published"


def test_sync_reads_live_counts_into_the_post_and_samples(owner_api, character, masto, approved_image, mastodon):
    post_id = create(owner_api, character, masto, approved_image, publish_immediately=True).json()["data"]["post_id"]
    post = Post.objects.get(pk=post_id)
    mastodon.statuses[post.platform_post_id].update(favourites_count=12, replies_count=3, reblogs_count=5)
    data = owner_api.post(f"/api/v1/posts/{post_id}/sync").json()["data"]
    assert (data["likes_count"], data["comments_count"], data["shares_count"]) == (12, 3, 5)
    assert dict(MetricSample.objects.filter(post=post).values_list("metric", "value")) == {
        "likes": 12, "comments": 3, "shares": 5}
    draft = PostFactory(character=character, account=masto)
    error_of(owner_api.post(f"/api/v1/posts/{draft.pk}/sync"), 400, "VALIDATION_ERROR")


def test_scheduling_a_post_type_the_platform_does_not_publish_is_refused(owner_api, character, masto, approved_image):
    body = {"character_id": str(character.pk), "platform_account_id": str(masto.pk),
            "content_id": str(approved_image.pk), "post_type": "story",
            "scheduled_at": (timezone.now() + timedelta(days=1)).isoformat()}

    response = owner_api.post("/api/v1/scheduled-posts", body, format="json")

    assert "post_type" in error_of(response, 400, "VALIDATION_ERROR")["message"]
    assert not ScheduledPost.objects.exists()


def test_media_for_a_platform_that_fetches_by_url_gets_an_absolute_signed_link(client, owner, character,
                                                                            approved_image, settings):
    from personas.connectors import MediaFile
    from personas.services import publishing
    from tests.personas.factories import PlatformAccountFactory, PostFactory

    settings.SITE_URL = "https://stagecraft.example"
    account = PlatformAccountFactory(character=character, platform="instagram")
    post = PostFactory(character=character, account=account, content=approved_image)

    url = publishing.public_media_url(post, MediaFile(b"\xff\xd8jpeg bytes", "image/jpeg"))

    assert url.startswith("https://stagecraft.example/") and "outgoing" not in url  # signed, not the path
    fetched = client.get(url.removeprefix("https://stagecraft.example"))
    assert fetched.status_code == 200 and b"".join(fetched.streaming_content) == b"\xff\xd8jpeg bytes"
