"""/api/v1/engagement (live actions, 20 a minute per character) and /api/v1/analytics (stored rows only)."""

from datetime import UTC, datetime, timedelta

import pytest

from personas.connectors import PublishRequest, connector_for
from personas.models import EngagementAction, PersonaEvent, PlatformAccount
from tests.personas.factories import (
    CharacterFactory,
    EngagementActionFactory,
    MetricSampleFactory,
    PlatformAccountFactory,
    PostFactory,
)
from tests.personas.standins import bluesky_fixture, connect, error_of, mastodon_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def masto(owner, character, mastodon) -> PlatformAccount:
    return connect(owner, character, mastodon)


def act(client, kind, character, account, **fields):
    body = {"character_id": str(character.pk), "platform_account_id": str(account.pk), **fields}
    return client.post(f"/api/v1/engagement/{kind}", body, format="json")


# -- engagement ---------------------------------------------------------------------------------------------


def test_a_like_is_made_live_and_recorded(owner_api, owner, character, masto, mastodon):
    response = act(owner_api, "like", character, masto, target_type="post", target_id="9001",
                   target_url="https://example.social/@x/9001")
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["status"] == "completed" and data["action_type"] == "like" and data["direction"] == "outbound"
    assert mastodon.paths()[-1] == "POST /api/v1/statuses/9001/favourite"
    assert mastodon.requests[-1].headers["authorization"] == f"Bearer {mastodon.token}"
    assert PersonaEvent.objects.filter(owner=owner, type="engagement_action_completed").count() == 1
    again = act(owner_api, "like", character, masto, target_id="9001").json()["data"]
    assert again["id"] == data["id"] and EngagementAction.objects.count() == 1


def test_a_comment_replies_to_the_post(owner_api, character, masto, mastodon):
    data = act(owner_api, "comment", character, masto, target_id="9001", comment_text="Great post!").json()["data"]
    reply = mastodon.calls("/api/v1/statuses")[-1]
    assert reply.form["in_reply_to_id"] == ["9001"] and reply.form["status"] == ["Great post!"]
    assert data["platform_action_id"] in mastodon.statuses and data["comment_text"] == "Great post!"
    error_of(act(owner_api, "comment", character, masto, target_id="9001"), 400, "VALIDATION_ERROR")


def test_a_follow_follows_the_account(owner_api, character, masto, mastodon):
    data = act(owner_api, "follow", character, masto, target_type="user", target_id="4242").json()["data"]
    assert mastodon.paths()[-1] == "POST /api/v1/accounts/4242/follow" and data["target_type"] == "user"


@pytest.mark.parametrize("target_id", ["12/../../admin", "7\r\nHost: evil", "9 9"])
def test_a_typed_id_stays_one_path_segment(owner_api, character, masto, mastodon, target_id):
    # Found by Schemathesis: a carriage return in target_id reached httpx's URL parser as a 500.
    response = act(owner_api, "follow", character, masto, target_type="user", target_id=target_id)
    assert response.status_code != 500
    assert all(path.startswith("POST /api/v1/accounts/") and path.count("/") == 5 and "\r" not in path
               for path in mastodon.paths() if path.endswith("/follow"))


def test_bluesky_likes_name_the_post_by_uri_and_cid(owner_api, owner, character, bluesky):
    account = connect(owner, character, bluesky)
    target = connector_for(account).publish(PublishRequest(text="a post", idempotency_key="k")).platform_post_id
    data = act(owner_api, "like", character, account, target_id=target).json()["data"]
    like = bluesky.calls("/xrpc/com.atproto.repo.createRecord")[-1].json
    record = bluesky.records[("app.bsky.feed.post", target.rsplit("/", 1)[-1])]
    assert like["collection"] == "app.bsky.feed.like" and like["repo"] == bluesky.did
    assert like["record"]["subject"] == {"uri": target, "cid": record["cid"]}
    assert data["platform_action_id"].startswith(f"at://{bluesky.did}/app.bsky.feed.like/")
    act(owner_api, "follow", character, account, target_id="friend.test")
    follow = bluesky.calls("/xrpc/com.atproto.repo.createRecord")[-1].json
    assert follow["collection"] == "app.bsky.graph.follow" and follow["record"]["subject"].startswith("did:")


def test_a_refused_action_is_recorded_failed(owner_api, character, masto, mastodon):
    mastodon.fail_next("/api/v1/statuses/404/favourite", 404, {"error": "Record not found"})
    response = act(owner_api, "like", character, masto, target_id="404")
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["status"] == "failed" and "Record not found" in data["error_message"]


def test_the_21st_action_in_a_minute_for_one_character_is_rate_limited(owner_api, character, masto):
    for number in range(20):
        assert act(owner_api, "like", character, masto, target_id=str(number)).status_code == 201
    error_of(act(owner_api, "like", character, masto, target_id="21"), 429, "RATE_LIMIT_EXCEEDED")


def test_another_users_character_or_account_is_not_found(owner_api, other_user, character, masto, mastodon):
    stranger = CharacterFactory(owner=other_user, name="Stranger")
    theirs = connect(other_user, stranger, mastodon)
    error_of(act(owner_api, "like", stranger, masto, target_id="1"), 404, "CHARACTER_NOT_FOUND")
    error_of(act(owner_api, "like", character, theirs, target_id="1"), 404, "NOT_FOUND")


def test_the_action_list_filters(owner_api, owner, other_user, character, masto, mastodon):
    act(owner_api, "like", character, masto, target_id="1")
    act(owner_api, "follow", character, masto, target_id="2")
    mastodon.notify("favourite", status_id="1")
    owner_api.post(f"/api/v1/platforms/accounts/{masto.pk}/sync")
    stranger = CharacterFactory(owner=other_user, name="Stranger")
    EngagementActionFactory(character=stranger, account=connect(other_user, stranger, mastodon),
                            action_type="like")
    data = owner_api.get("/api/v1/engagement/actions").json()["data"]
    assert data["total"] == 3 and {"limit", "offset", "actions"} <= set(data)
    likes = owner_api.get("/api/v1/engagement/actions", {"action_type": "like"}).json()["data"]["actions"]
    assert [a["target_id"] for a in likes] == ["1"] and likes[0]["platform"] == "mastodon"
    inbound = owner_api.get("/api/v1/engagement/actions", {"direction": "inbound"}).json()["data"]["actions"]
    assert [a["action_type"] for a in inbound] == ["favourite"]
    assert owner_api.get("/api/v1/engagement/actions", {"status": "failed"}).json()["data"]["total"] == 0


# -- analytics ----------------------------------------------------------------------------------------------


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def seeded(owner, character):
    """Two accounts, three published posts, a draft, follower and post samples over three days."""
    masto = PlatformAccountFactory(character=character, platform="mastodon", auth_type="oauth",
                                   account_username="ava")
    sky = PlatformAccountFactory(character=character, platform="bluesky", auth_type="api_key",
                                 account_username="ava.test")
    posts = [
        PostFactory(character=character, account=masto, status="published", published_at=at(1),
                    likes_count=10, comments_count=2, shares_count=1),
        PostFactory(character=character, account=masto, status="published", published_at=at(2),
                    likes_count=30, comments_count=5, shares_count=4),
        PostFactory(character=character, account=sky, status="published", published_at=at(3),
                    likes_count=7, comments_count=0, shares_count=3),
    ]
    PostFactory(character=character, account=masto, status="draft", likes_count=999)
    for account, values in ((masto, (100, 110, 130)), (sky, (50, 55, 60))):
        for day, value in zip((1, 2, 3), values, strict=True):
            MetricSampleFactory(account=account, metric="followers", value=value, sampled_at=at(day))
    for metric, values in (("likes", (5, 10)), ("comments", (1, 2)), ("shares", (0, 1))):
        for day, value in zip((1, 2), values, strict=True):
            MetricSampleFactory(account=masto, post=posts[0], metric=metric, value=value,
                                sampled_at=at(day, 18))
    return {"masto": masto, "sky": sky, "posts": posts}


def test_the_overview_equals_the_sums_of_stored_rows(owner_api, seeded):
    response = owner_api.get("/api/v1/analytics/overview")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["total_posts"] == 3
    assert data["total_engagement"] == 13 + 39 + 10
    assert data["total_followers"] == 130 + 60
    assert data["follower_growth"] == (130 - 100) + (60 - 50)
    assert data["engagement_rate"] == round(62 / (3 * 190), 4)
    assert data["platform_breakdown"] == {"mastodon": {"posts": 2, "engagement": 52},
                                          "bluesky": {"posts": 1, "engagement": 10}}
    assert [p["id"] for p in data["top_performing_posts"]] == [str(p.pk) for p in
                                                               (seeded["posts"][1], seeded["posts"][0],
                                                                seeded["posts"][2])]
    assert data["trends"]["follower_growth"] == [150, 165, 190]
    assert data["trends"]["engagement"] == [6, 13]
    assert data["trends"]["follower_dates"] == ["2026-03-01", "2026-03-02", "2026-03-03"]


def test_the_overview_filters_by_platform_and_dates(owner_api, seeded):
    sky = owner_api.get("/api/v1/analytics/overview", {"platform": "bluesky"}).json()["data"]
    assert (sky["total_posts"], sky["total_engagement"], sky["total_followers"]) == (1, 10, 60)
    window = owner_api.get("/api/v1/analytics/overview", {"from_date": "2026-03-02",
                                                           "to_date": "2026-03-02"}).json()["data"]
    assert window["total_posts"] == 1 and window["total_followers"] == 110 + 55
    assert window["follower_growth"] == 0 and window["trends"]["follower_growth"] == [165]
    error_of(owner_api.get("/api/v1/analytics/overview", {"from_date": "yesterday"}), 400, "VALIDATION_ERROR")
    # Year 1 moved into UTC falls off the calendar: refused, not a 500.
    error_of(owner_api.get("/api/v1/analytics/overview", {"from_date": "0001-01-01T00:00:00+23:59"}), 400,
             "VALIDATION_ERROR")
    assert owner_api.get("/api/v1/analytics/overview", {"to_date": "9999-12-31"}).status_code == 200


def test_without_samples_nothing_is_invented(owner_api, character):
    data = owner_api.get("/api/v1/analytics/overview", {"character_id": str(character.pk)}).json()["data"]
    assert data["total_posts"] == 0 and data["total_engagement"] == 0
    assert data["total_followers"] is None and data["follower_growth"] is None and data["engagement_rate"] is None
    assert data["trends"]["follower_growth"] == [] and data["trends"]["engagement"] == []
    assert data["top_performing_posts"] == [] and data["platform_breakdown"] == {}


def test_character_analytics_lists_each_accounts_latest_followers(owner_api, character, seeded):
    data = owner_api.get(f"/api/v1/analytics/characters/{character.pk}").json()["data"]
    assert data["character_id"] == str(character.pk) and data["total_posts"] == 3
    assert sorted((a["platform"], a["follower_count"], a["posts"]) for a in data["accounts"]) == [
        ("bluesky", 60, 1), ("mastodon", 130, 2)]


def test_post_analytics_come_from_the_posts_samples(owner_api, seeded):
    post = seeded["posts"][0]
    data = owner_api.get(f"/api/v1/analytics/posts/{post.pk}").json()["data"]
    assert data["engagement"] == 13 and data["follower_count"] == 130
    assert data["engagement_rate"] == round(13 / 130, 4)
    assert [point["value"] for point in data["history"]["likes"]] == [5, 10]


def test_another_users_analytics_are_not_found(owner_api, other_user):
    stranger = CharacterFactory(owner=other_user, name="Stranger")
    account = PlatformAccountFactory(character=stranger, platform="mastodon", auth_type="oauth")
    post = PostFactory(character=stranger, account=account, status="published")
    error_of(owner_api.get(f"/api/v1/analytics/characters/{stranger.pk}"), 404, "CHARACTER_NOT_FOUND")
    error_of(owner_api.get("/api/v1/analytics/overview", {"character_id": str(stranger.pk)}), 404,
             "CHARACTER_NOT_FOUND")
    error_of(owner_api.get(f"/api/v1/analytics/posts/{post.pk}"), 404, "NOT_FOUND")


def test_the_overview_ignores_other_users_rows(owner_api, other_user, seeded):
    stranger = CharacterFactory(owner=other_user, name="Stranger")
    account = PlatformAccountFactory(character=stranger, platform="mastodon", auth_type="oauth")
    PostFactory(character=stranger, account=account, status="published", published_at=at(2),
                likes_count=1000)
    MetricSampleFactory(account=account, metric="followers", value=5000, sampled_at=at(2) + timedelta(1))
    data = owner_api.get("/api/v1/analytics/overview").json()["data"]
    assert data["total_posts"] == 3 and data["total_followers"] == 190
