"""Scheduled posts: the API, and the minute sweep that publishes what is due.

Publishing goes through the real ``services.publishing.publish`` and the real
Mastodon connector to the stand-in Mastodon server, which dedupes by
``Idempotency-Key`` as the platform does. Only the interleaving test wraps
``publish`` (to run a second worker inside the first), and the crash test wraps
the connector's ``publish`` (to kill the worker after the platform accepted).
"""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from config.crypto import encrypt_json
from personas.choices import CharacterStatus, ContentType, PostStatus, Review, ScheduleStatus
from personas.connectors.mastodon import MastodonConnector
from personas.models import Character, ContentItem, PersonaEvent, PlatformAccount, ScheduledPost
from personas.recurrence import anchor_rule
from personas.services import publishing, scheduling
from tests.personas.factories import CharacterFactory, ContentItemFactory, PlatformAccountFactory, ScheduledPostFactory
from tests.personas.standins import MastodonStandIn

pytestmark = pytest.mark.django_db

URL = "/api/v1/scheduled-posts"
STATUSES = "/api/v1/statuses"


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def mastodon():
    server = MastodonStandIn().start()
    yield server
    server.stop()


def mastodon_account(character: Character, server_url: str = "https://mastodon.example") -> PlatformAccount:
    return PlatformAccountFactory(
        character=character, platform="mastodon", auth_type="oauth", server_url=server_url,
        account_username="ava", platform_user_id="109000000000000001",
        credentials_encrypted=encrypt_json({"access_token": MastodonStandIn.token}))


@pytest.fixture
def account(character, mastodon) -> PlatformAccount:
    return mastodon_account(character, mastodon.url)


@pytest.fixture
def stranger(other_user):
    """Another user's character, account and approved content."""
    character = CharacterFactory(owner=other_user, name="Someone Else")
    account = mastodon_account(character)
    content = ContentItemFactory(character=character, content_type=ContentType.TEXT, caption="theirs",
                                 review=Review.APPROVED)
    return character, account, content


def due_post(character, account, content, at: datetime, **fields) -> ScheduledPost:
    """A row as the API would have stored it, already due at ``at``."""
    return ScheduledPostFactory(character=character, account=account, content=content, scheduled_at=at,
                                caption=fields.pop("caption", "Scheduled run"), **fields)


def body(character, account, content, **fields) -> dict:
    return {"character_id": str(character.pk), "platform_account_id": str(account.pk),
            "content_id": str(content.pk), "scheduled_at": "2030-01-16T09:00:00", "timezone": "America/New_York",
            **fields}


def error_of(response) -> str:
    return response.json()["error"]["code"]


# -- POST /scheduled-posts -------------------------------------------------------------------------------------


def test_scheduling_stores_utc_and_answers_the_local_time(persona_api, character, account, approved_image):
    response = persona_api.post(URL, body(character, account, approved_image), format="json")

    assert response.status_code == 201
    data = response.json()["data"]
    assert data["scheduled_at"] == "2030-01-16T14:00:00Z"
    assert data["scheduled_at_local"] == "2030-01-16T09:00:00-05:00"
    assert data["status"] == "scheduled"
    assert data["platform"] == "mastodon"
    assert data["character_name"] == character.name
    assert data["caption"] == approved_image.caption  # left out: the content's own caption
    assert ScheduledPost.objects.get(pk=data["id"]).scheduled_at == utc(2030, 1, 16, 14, 0)


def test_a_time_with_an_offset_keeps_its_instant(persona_api, character, account, approved_image):
    response = persona_api.post(URL, body(character, account, approved_image, scheduled_at="2030-07-01T09:00:00+02:00",
                                          caption="Own caption", hashtags=["run"]), format="json")

    data = response.json()["data"]
    assert data["scheduled_at"] == "2030-07-01T07:00:00Z"
    assert data["scheduled_at_local"] == "2030-07-01T03:00:00-04:00"
    assert (data["caption"], data["hashtags"]) == ("Own caption", ["run"])


def test_a_recurrence_is_pinned_to_the_first_local_time(persona_api, character, account, approved_image):
    response = persona_api.post(URL, body(character, account, approved_image, recurrence="FREQ=DAILY"), format="json")

    assert response.json()["data"]["recurrence"] == "DTSTART:20300116T090000\nRRULE:FREQ=DAILY"


def test_without_a_timezone_the_characters_zone_applies(persona_api, character, account, approved_image):
    response = persona_api.post(URL, body(character, account, approved_image, timezone=""), format="json")

    data = response.json()["data"]
    assert data["timezone"] == "America/Los_Angeles"
    assert data["scheduled_at"] == "2030-01-16T17:00:00Z"


def test_pending_content_cannot_be_scheduled(persona_api, character, account, approved_image):
    ContentItem.objects.filter(pk=approved_image.pk).update(review=Review.PENDING)

    response = persona_api.post(URL, body(character, account, approved_image), format="json")

    assert response.status_code == 400
    assert error_of(response) == "CONTENT_NOT_APPROVED"


@pytest.mark.parametrize(("fields", "message"), [
    ({"scheduled_at": "2020-01-01T09:00:00Z"}, "in the future"),
    ({"scheduled_at": "next tuesday"}, "ISO 8601"),
    ({"timezone": "Mars/Base"}, "Unknown time zone"),
    ({"recurrence": "sometimes"}, "5-field cron"),
    ({"content_id": None}, "content_id"),
])
def test_bad_input_is_a_validation_error(persona_api, character, account, approved_image, fields, message):
    response = persona_api.post(URL, body(character, account, approved_image, **fields), format="json")

    assert response.status_code == 400
    assert error_of(response) == "VALIDATION_ERROR"
    assert message in response.json()["error"]["message"]


def test_an_account_of_another_character_is_refused(persona_api, owner, character, approved_image):
    sibling = CharacterFactory(owner=owner, name="Sibling")

    response = persona_api.post(URL, body(character, mastodon_account(sibling), approved_image), format="json")

    assert response.status_code == 400
    assert "another character" in response.json()["error"]["message"]


def test_another_users_character_is_character_not_found(persona_api, account, approved_image, stranger):
    their_character, _, _ = stranger

    response = persona_api.post(URL, body(their_character, account, approved_image), format="json")

    assert response.status_code == 404
    assert error_of(response) == "CHARACTER_NOT_FOUND"


def test_another_users_account_or_content_is_not_found(persona_api, character, account, approved_image, stranger):
    _, their_account, their_content = stranger

    for fields in ({"platform_account_id": str(their_account.pk)}, {"content_id": str(their_content.pk)}):
        response = persona_api.post(URL, body(character, account, approved_image, **fields), format="json")
        assert response.status_code == 404
        assert error_of(response) == "NOT_FOUND"


def test_scheduling_needs_a_signed_in_user(api, character, account, approved_image):
    response = api.post(URL, body(character, account, approved_image), format="json")

    assert response.status_code == 401
    assert error_of(response) == "UNAUTHORIZED"


# -- GET /scheduled-posts --------------------------------------------------------------------------------------


def test_the_list_filters_and_pages(persona_api, owner, character, account, approved_image, stranger):
    sibling = CharacterFactory(owner=owner, name="Sibling")
    for day in (10, 11, 12):
        due_post(character, account, approved_image, utc(2030, 3, day, 12, 0))
    due_post(character, account, approved_image, utc(2030, 3, 13, 12, 0), status=ScheduleStatus.CANCELLED)
    due_post(sibling, mastodon_account(sibling), None, utc(2030, 3, 10, 12, 0))
    their_character, their_account, their_content = stranger
    due_post(their_character, their_account, their_content, utc(2030, 3, 10, 12, 0))

    everything = persona_api.get(URL).json()["data"]
    assert everything["total"] == 5 and (everything["limit"], everything["offset"]) == (20, 0)
    mine = persona_api.get(URL, {"character_id": str(character.pk), "status": "scheduled", "limit": 2}).json()["data"]
    assert mine["total"] == 3 and len(mine["scheduled_posts"]) == 2
    assert [row["scheduled_at"] for row in mine["scheduled_posts"]] == ["2030-03-10T12:00:00Z", "2030-03-11T12:00:00Z"]
    window = persona_api.get(URL, {"character_id": str(character.pk), "from_date": "2030-03-11",
                                   "to_date": "2030-03-12"}).json()["data"]
    assert [row["scheduled_at"][:10] for row in window["scheduled_posts"]] == ["2030-03-11", "2030-03-12"]


def test_listing_another_users_character_is_character_not_found(persona_api, stranger):
    response = persona_api.get(URL, {"character_id": str(stranger[0].pk)})

    assert response.status_code == 404
    assert error_of(response) == "CHARACTER_NOT_FOUND"


def test_an_unknown_status_filter_is_a_validation_error(persona_api):
    response = persona_api.get(URL, {"status": "someday"})

    assert response.status_code == 400
    assert error_of(response) == "VALIDATION_ERROR"


# -- PUT / DELETE /scheduled-posts/{id} ------------------------------------------------------------------------


def test_put_changes_only_what_is_sent(persona_api, character, account, approved_image):
    scheduled = due_post(character, account, approved_image, utc(2030, 1, 16, 14, 0), timezone="America/New_York")

    response = persona_api.put(f"{URL}/{scheduled.pk}", {"caption": "New words"}, format="json")

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["caption"], data["scheduled_at"]) == ("New words", "2030-01-16T14:00:00Z")
    moved = persona_api.put(f"{URL}/{scheduled.pk}", {"scheduled_at": "2030-02-01T08:30:00"}, format="json")
    assert moved.json()["data"]["scheduled_at"] == "2030-02-01T13:30:00Z"


def test_put_refuses_a_post_that_is_no_longer_scheduled(persona_api, character, account, approved_image):
    scheduled = due_post(character, account, approved_image, utc(2030, 1, 16, 14, 0),
                         status=ScheduleStatus.PUBLISHING)

    response = persona_api.put(f"{URL}/{scheduled.pk}", {"caption": "Too late"}, format="json")

    assert response.status_code == 400
    assert error_of(response) == "VALIDATION_ERROR"


def test_delete_cancels(persona_api, character, account, approved_image):
    scheduled = due_post(character, account, approved_image, utc(2030, 1, 16, 14, 0))

    response = persona_api.delete(f"{URL}/{scheduled.pk}")

    assert response.status_code == 200
    assert response.json()["data"]["status"] == "cancelled"
    scheduled.refresh_from_db()
    assert scheduled.status == ScheduleStatus.CANCELLED
    assert scheduling.publish_due(now=utc(2030, 1, 17)) == 0


def test_a_published_post_cannot_be_cancelled(persona_api, character, account, approved_image):
    scheduled = due_post(character, account, approved_image, utc(2030, 1, 16, 14, 0), status=ScheduleStatus.PUBLISHED)

    response = persona_api.delete(f"{URL}/{scheduled.pk}")

    assert response.status_code == 400
    assert error_of(response) == "VALIDATION_ERROR"


def test_another_users_scheduled_post_is_not_found(persona_api, stranger):
    their_character, their_account, their_content = stranger
    theirs = due_post(their_character, their_account, their_content, utc(2030, 1, 16, 14, 0))

    for response in (persona_api.put(f"{URL}/{theirs.pk}", {"caption": "x"}, format="json"),
                     persona_api.delete(f"{URL}/{theirs.pk}"), persona_api.delete(f"{URL}/not-a-uuid")):
        assert response.status_code == 404
        assert error_of(response) == "NOT_FOUND"
    theirs.refresh_from_db()
    assert theirs.status == ScheduleStatus.SCHEDULED


# -- publish_due -----------------------------------------------------------------------------------------------


def test_a_due_post_is_published_with_its_occurrence_key(character, account, approved_image, mastodon):
    at = timezone.now() - timedelta(minutes=1)
    scheduled = due_post(character, account, approved_image, at)

    assert scheduling.publish_due() == 1

    scheduled.refresh_from_db()
    assert scheduled.status == ScheduleStatus.PUBLISHED
    assert scheduled.scheduled_at == at
    assert scheduled.post.status == PostStatus.PUBLISHED
    assert scheduled.post.idempotency_key == uuid.uuid5(scheduled.pk, at.isoformat())
    assert mastodon.calls(STATUSES)[0].headers["idempotency-key"] == str(scheduled.post.idempotency_key)
    assert scheduling.publish_due() == 0


def test_a_second_worker_cannot_claim_a_post_the_first_is_publishing(character, account, approved_image, mastodon,
                                                                      monkeypatch):
    due_post(character, account, approved_image, timezone.now() - timedelta(minutes=1))
    real_publish, second_worker = publishing.publish, []

    def publish_while_another_worker_sweeps(post, **options):
        second_worker.append(scheduling.publish_due())
        return real_publish(post, **options)

    monkeypatch.setattr(publishing, "publish", publish_while_another_worker_sweeps)

    assert scheduling.publish_due() == 1
    assert second_worker == [0]
    assert len(mastodon.calls(STATUSES)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_publish_a_due_post_once(character, account, approved_image, mastodon):
    due_post(character, account, approved_image, timezone.now() - timedelta(minutes=1))
    start, claimed = threading.Barrier(2), []

    def worker():
        try:
            start.wait()
            claimed.append(scheduling.publish_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(claimed) == [0, 1]
    assert len(mastodon.statuses) == 1


def test_media_the_storage_cannot_read_is_retried_later(character, account, approved_image, mastodon, monkeypatch):
    now = timezone.now()
    scheduled = due_post(character, account, approved_image, now)

    def unreadable(name, mode="rb"):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(default_storage, "open", unreadable)
    scheduling.publish_due(now=now)

    scheduled.refresh_from_db()
    assert scheduled.status == ScheduleStatus.SCHEDULED and scheduled.attempts == 1
    assert scheduled.scheduled_at == now + timedelta(minutes=1)
    assert scheduled.last_error == "The post's media could not be read from storage; nothing was sent."
    assert mastodon.calls(STATUSES) == []

    monkeypatch.undo()
    scheduling.publish_due(now=scheduled.scheduled_at)

    scheduled.refresh_from_db()
    assert scheduled.status == ScheduleStatus.PUBLISHED and len(mastodon.calls(STATUSES)) == 1


def test_a_transient_failure_backs_off_then_fails_after_five_retries(character, account, approved_image, mastodon):
    now = timezone.now()
    scheduled = due_post(character, account, approved_image, now)
    waits = []
    for _ in range(6):
        mastodon.fail_next(STATUSES, 503, {"error": "Service Unavailable"})
        scheduling.publish_due(now=now)
        scheduled.refresh_from_db()
        if scheduled.status == ScheduleStatus.SCHEDULED:
            waits.append(round((scheduled.scheduled_at - now).total_seconds() / 60))
            now = scheduled.scheduled_at

    assert waits == [1, 2, 4, 8, 16]
    assert scheduled.status == ScheduleStatus.FAILED
    assert scheduled.attempts == 6
    assert "HTTP 503" in scheduled.last_error
    keys = {seen.headers["idempotency-key"] for seen in mastodon.calls(STATUSES)}
    assert keys == {str(scheduled.post.idempotency_key)}  # every retry sent the same key
    event = PersonaEvent.objects.filter(type="error_occurred", data__scheduled_post_id=str(scheduled.pk)).get()
    assert event.data["status"] == "failed"


def test_a_platform_limit_defers_without_dropping(character, account, approved_image, mastodon):
    now = timezone.now()
    scheduled = due_post(character, account, approved_image, now)
    for _ in range(8):  # more than the retry budget: limits are not attempts
        resets = now + timedelta(hours=1)
        mastodon.fail_next(STATUSES, 429, {"error": "Too many requests"}, {"X-RateLimit-Reset": resets.isoformat()})
        scheduling.publish_due(now=now)
        scheduled.refresh_from_db()
        assert scheduled.status == ScheduleStatus.SCHEDULED
        assert scheduled.attempts == 0
        assert "rate limit" in scheduled.last_error
        assert scheduled.scheduled_at == resets
        assert scheduling.publish_due(now=resets - timedelta(seconds=1)) == 0
        now = resets

    assert scheduling.publish_due(now=now) == 1
    scheduled.refresh_from_db()
    assert scheduled.status == ScheduleStatus.PUBLISHED
    assert len(mastodon.statuses) == 1


def test_a_refused_post_fails_at_once(character, account, approved_image, mastodon):
    scheduled = due_post(character, account, approved_image, timezone.now())
    mastodon.fail_next(STATUSES, 422, {"error": "Validation failed: Text character limit of 500 exceeded"})

    scheduling.publish_due()

    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.attempts) == (ScheduleStatus.FAILED, 1)
    assert "character limit" in scheduled.last_error


def test_a_recurring_post_advances_to_its_next_local_occurrence(character, account, approved_image, mastodon):
    scheduled = due_post(character, account, approved_image, utc(2026, 3, 7, 14, 0), timezone="America/New_York",
                         recurrence=anchor_rule("FREQ=DAILY", datetime(2026, 3, 7, 9, 0)))

    scheduling.publish_due(now=utc(2026, 3, 7, 14, 0, 5))
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.scheduled_at) == (ScheduleStatus.SCHEDULED, utc(2026, 3, 8, 13, 0))
    assert scheduled.post is None

    scheduling.publish_due(now=utc(2026, 3, 8, 13, 0, 5))
    scheduled.refresh_from_db()
    assert scheduled.scheduled_at == utc(2026, 3, 9, 13, 0)  # 09:00 EDT
    keys = [seen.headers["idempotency-key"] for seen in mastodon.calls(STATUSES)]
    assert keys == [str(uuid.uuid5(scheduled.pk, utc(2026, 3, 7, 14, 0).isoformat())),
                    str(uuid.uuid5(scheduled.pk, utc(2026, 3, 8, 13, 0).isoformat()))]
    assert len(mastodon.statuses) == 2


class WorkerKilled(BaseException):
    """The worker process dies: nothing after this line of the task runs."""


def test_a_post_stuck_after_a_crash_is_published_exactly_once(character, account, approved_image, mastodon,
                                                                monkeypatch):
    now = timezone.now()
    scheduled = due_post(character, account, approved_image, now - timedelta(minutes=1))
    real_publish = MastodonConnector.publish

    def accepted_then_killed(self, request):
        real_publish(self, request)
        raise WorkerKilled

    monkeypatch.setattr(MastodonConnector, "publish", accepted_then_killed)
    with pytest.raises(WorkerKilled):
        scheduling.publish_due(now=now)
    monkeypatch.setattr(MastodonConnector, "publish", real_publish)
    scheduled.refresh_from_db()
    post = scheduled.post
    assert (scheduled.status, post.status) == (ScheduleStatus.PUBLISHING, PostStatus.PUBLISHING)

    assert scheduling.publish_due(now=now + timedelta(minutes=5)) == 0  # the claim may still be alive
    assert scheduling.publish_due(now=now + timedelta(minutes=11)) == 1

    scheduled.refresh_from_db()
    post.refresh_from_db()
    keys = [seen.headers["idempotency-key"] for seen in mastodon.calls(STATUSES)]
    assert keys == [str(post.idempotency_key)] * 2
    assert len(mastodon.statuses) == 1  # the platform answered the repeated key with the first status
    assert (scheduled.status, post.status) == (ScheduleStatus.PUBLISHED, PostStatus.PUBLISHED)
    assert post.platform_post_id == next(iter(mastodon.statuses))


def test_a_paused_characters_posts_wait(character, account, approved_image, mastodon):
    scheduled = due_post(character, account, approved_image, timezone.now() - timedelta(minutes=1))
    Character.objects.filter(pk=character.pk).update(status=CharacterStatus.PAUSED)

    assert scheduling.publish_due() == 0

    scheduled.refresh_from_db()
    assert scheduled.status == ScheduleStatus.SCHEDULED
    assert mastodon.requests == []


def test_the_minute_task_runs_the_sweep(character, account, approved_image, mastodon):
    from personas import tasks

    due_post(character, account, approved_image, timezone.now() - timedelta(minutes=1))

    assert tasks.publish_due_posts() == 1
    assert len(mastodon.statuses) == 1


def test_an_occurrence_whose_post_was_deleted_is_skipped_not_sent(character, account, approved_image, mastodon):
    now = timezone.now()
    scheduled = due_post(character, account, approved_image, now)
    mastodon.fail_next(STATUSES, 503, {"error": "Service Unavailable"})
    scheduling.publish_due(now=now)
    scheduled.refresh_from_db()
    scheduled.post.status = PostStatus.DELETED  # the operator removed the failed attempt's post
    scheduled.post.save(update_fields=["status"])

    scheduling.publish_due(now=scheduled.scheduled_at)

    scheduled.refresh_from_db()
    assert scheduled.status == ScheduleStatus.CANCELLED
    assert "deleted" in scheduled.last_error
    assert mastodon.statuses == {}
