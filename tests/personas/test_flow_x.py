"""One platform connected by its consent page, end to end through the API: X.

Connect (consent page → callback), compose, schedule, the scheduler publishing
exactly once however often it runs, engagement read back, the token refreshed
before it lapses, and a revoked grant putting the account and character in error.
The connector-level details (chunked media, weighted counts, ...) are in
test_connector_x.py; this follows what a person does.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from personas.choices import CharacterStatus, ConnectionStatus, PostStatus
from personas.models import PlatformAccount, Post
from personas.services import scheduling
from tests.personas.x_standin import x_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(persona_api, client, owner, character, x) -> PlatformAccount:
    """The character's X account, connected by clicking through the consent page."""
    start = persona_api.post("/api/v1/platforms/twitter/connect", {"character_id": str(character.pk)},
                             format="json")
    assert start.status_code == 200, start.content
    back = x.authorize(start.json()["data"]["authorization_url"])
    client.force_login(owner)
    response = client.get("/personas/oauth/twitter/callback", back)
    assert response.status_code == 302 and response["Location"] == f"/personas/{character.pk}/"
    return PlatformAccount.objects.get(character=character, platform="twitter")


def schedule(api, character, account, caption: str) -> tuple[str, str]:
    content = api.post("/api/v1/content", {"character_id": str(character.pk), "caption": caption}, format="json")
    assert content.status_code == 201, content.content
    when = (timezone.now() + timedelta(minutes=2)).isoformat()
    scheduled = api.post("/api/v1/scheduled-posts", {
        "character_id": str(character.pk), "platform_account_id": str(account.pk),
        "content_id": content.json()["data"]["id"], "scheduled_at": when}, format="json")
    assert scheduled.status_code == 201, scheduled.content
    return content.json()["data"]["id"], scheduled.json()["data"]["id"]


def test_connect_schedule_publish_once_and_read_engagement(persona_api, character, connected, x):
    assert (connected.connection_status, connected.account_username) == (ConnectionStatus.CONNECTED, x.username)
    schedule(persona_api, character, connected, "Sunrise miles on the ridge.")

    later = timezone.now() + timedelta(minutes=5)
    assert scheduling.publish_due(now=later) == 1
    assert scheduling.publish_due(now=later + timedelta(minutes=1)) == 0  # nothing left: published once
    (tweet_id, tweet), = x.tweets.items()
    assert tweet["text"].startswith("Sunrise miles on the ridge.")
    post = Post.objects.get(platform_post_id=tweet_id)
    assert post.status == PostStatus.PUBLISHED

    tweet["public_metrics"].update(like_count=12, reply_count=3, retweet_count=2)
    synced = persona_api.post(f"/api/v1/posts/{post.pk}/sync").json()["data"]
    assert (synced["likes_count"], synced["comments_count"], synced["shares_count"]) == (12, 3, 2)


def test_a_lapsing_token_is_refreshed_before_publishing(persona_api, character, connected, x):
    PlatformAccount.objects.filter(pk=connected.pk).update(token_expires_at=timezone.now() + timedelta(seconds=30))
    old_tokens = set(x.access_tokens)
    schedule(persona_api, character, connected, "Trail coffee.")

    assert scheduling.publish_due(now=timezone.now() + timedelta(minutes=5)) == 1

    connected.refresh_from_db()
    assert connected.token_expires_at > timezone.now() + timedelta(minutes=30)
    assert x.calls("/2/oauth2/token")[-1].form["grant_type"] == ["refresh_token"]
    assert len(x.tweets) == 1 and set(x.access_tokens) - old_tokens


def test_a_revoked_grant_puts_the_account_and_character_in_error(persona_api, character, connected, x):
    x.access_tokens.clear()
    x.refresh_tokens.clear()  # the person removed the app on X
    PlatformAccount.objects.filter(pk=connected.pk).update(token_expires_at=timezone.now())
    schedule(persona_api, character, connected, "Hill repeats.")

    scheduling.publish_due(now=timezone.now() + timedelta(minutes=5))

    connected.refresh_from_db()
    character.refresh_from_db()
    assert connected.connection_status == ConnectionStatus.ERROR and character.status == CharacterStatus.ERROR
    assert not x.tweets
