"""The X connector against a stand-in X API v2: OAuth with PKCE, refresh, posts, media, threads, counts, limits."""

import base64
import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PIL import Image

from config.errors import ValidationFailed
from personas import oauth
from personas.connectors import AuthExpired, ConnectorError, MediaFile, PublishRequest
from personas.connectors.base import Target
from personas.connectors.x import XConnector
from personas.platform_rules import x_weighted_length as weighted_length
from tests.personas.x_standin import XStandIn, x_fixture  # noqa: F401

REDIRECT = "https://stagecraft.test/personas/oauth/twitter/callback"


def png(size: tuple[int, int] = (32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def connected(x: XStandIn) -> XConnector:
    """A connector holding a live token for the stand-in's account; the stand-in's log starts empty."""
    connector = XConnector()
    connector.connect(x.issue_tokens())
    x.requests.clear()
    return connector


def bearer(connector: XConnector) -> dict:
    return {"Authorization": f"Bearer {connector.credentials['access_token']}"}


def consent(x: XStandIn) -> tuple[str, dict]:
    """``(verifier, callback query)``: the consent page approved for a fresh PKCE pair."""
    verifier, challenge = oauth.pkce_pair()
    url = oauth.authorization_url(XConnector.oauth, oauth.app_for(XConnector.oauth), state="state-1",
                                  code_challenge=challenge, redirect_uri=REDIRECT)
    return verifier, x.authorize(url)


def publish(connector: XConnector, text: str, media: list[MediaFile] | None = None):
    return connector.publish(PublishRequest(text=text, idempotency_key="post-key", media=media or []))


# -- OAuth 2.0 with PKCE, refresh ---------------------------------------------------------------------------------


def test_the_code_is_exchanged_with_the_verifier_and_the_apps_basic_auth(x):
    verifier, back = consent(x)

    credentials = XConnector().exchange_code(oauth.app_for(XConnector.oauth), code=back["code"],
                                             code_verifier=verifier, redirect_uri=REDIRECT)

    seen = x.calls("/2/oauth2/token")[0]
    expected = base64.b64encode(f"{x.client_id}:{x.client_secret}".encode()).decode()
    assert seen.headers["authorization"] == f"Basic {expected}"
    assert seen.form["grant_type"] == ["authorization_code"] and seen.form["code_verifier"] == [verifier]
    assert seen.form["redirect_uri"] == [REDIRECT] and "client_secret" not in seen.form
    assert credentials["access_token"] in x.access_tokens and credentials["refresh_token"] in x.refresh_tokens
    expires_at = datetime.fromisoformat(credentials["expires_at"])
    assert timedelta(minutes=119) < expires_at - datetime.now(UTC) <= timedelta(hours=2)


def test_a_wrong_verifier_is_refused_by_x_and_is_auth_expired(x):
    _, back = consent(x)
    wrong, _ = oauth.pkce_pair()

    with pytest.raises(AuthExpired) as caught:
        XConnector().exchange_code(oauth.app_for(XConnector.oauth), code=back["code"], code_verifier=wrong,
                                   redirect_uri=REDIRECT)

    assert "authorization code was invalid" in caught.value.message and not x.access_tokens


def test_the_token_endpoint_refuses_a_client_without_basic_auth(x):
    verifier, back = consent(x)
    with httpx.Client(trust_env=False) as client:
        response = client.post(f"{x.url}/2/oauth2/token", data={
            "grant_type": "authorization_code", "code": back["code"], "redirect_uri": REDIRECT,
            "code_verifier": verifier, "client_id": x.client_id})

    assert response.status_code == 401 and response.json()["error"] == "unauthorized_client"


def test_connect_reads_the_account_and_keeps_the_tokens(x):
    tokens = x.issue_tokens()

    info = XConnector().connect({"access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
                                 "expires_at": "2031-01-02T03:04:05+00:00"})

    seen = x.calls("/2/users/me")[0]
    assert seen.headers["authorization"] == f"Bearer {tokens['access_token']}"
    assert seen.query["user.fields"] == ["public_metrics"]
    assert (info.platform_user_id, info.username, info.url, info.follower_count) == (
        x.user_id, x.username, f"https://x.com/{x.username}", 1200)
    assert info.credentials == {"access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
                                "expires_at": "2031-01-02T03:04:05+00:00", "user_id": x.user_id,
                                "username": x.username}
    assert info.token_expires_at == datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_the_api_base_is_the_deployments_app_not_a_typed_server(x, settings):
    assert XConnector().server_url == x.url

    del settings.PERSONAS_X_CLIENT_ID
    assert XConnector().server_url == "https://api.x.com"


def test_refresh_rotates_the_tokens_and_keeps_the_account(x):
    connector = connected(x)
    old = dict(connector.credentials)

    fresh = connector.refresh(old)

    seen = x.calls("/2/oauth2/token")[0]
    assert seen.form == {"grant_type": ["refresh_token"], "refresh_token": [old["refresh_token"]]}
    assert seen.headers["authorization"].startswith("Basic ")
    assert fresh["refresh_token"] != old["refresh_token"] and fresh["access_token"] != old["access_token"]
    assert fresh["user_id"] == x.user_id and fresh["expires_at"]
    assert connector.fetch_metrics().followers == 1200  # the fresh token works
    with pytest.raises(AuthExpired) as caught:  # X rotated the refresh token: the old one is spent
        connector.refresh(old)
    assert "token was invalid" in caught.value.message


def test_an_account_without_a_refresh_token_must_reconnect(x):
    with pytest.raises(AuthExpired):
        XConnector().refresh({"access_token": "a"})
    assert not x.requests


def test_a_refused_access_token_is_auth_expired(x):
    with pytest.raises(AuthExpired) as caught:
        XConnector(credentials={"access_token": "revoked"}).fetch_metrics()
    assert not caught.value.retryable and caught.value.status == 400


# -- weighted length --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "length"), [
    ("https://example.com/" + "a" * 100, 23),
    ("see example.com", 4 + 23),
    ("read x.com/abc.", 5 + 23 + 1),  # the full stop is not part of the URL
    ("file.py", 7),  # a short ccTLD name is not a link without a path
    ("me@example.com", 14),
    ("👍", 2),
    ("👨\u200d👩\u200d👧", 2),  # one emoji of three people
    ("日本語", 6),
    ("café Ελλάδα Москва", 18),
])
def test_weighted_length_counts_as_x_does(text, length):
    assert weighted_length(text) == length


def test_exactly_280_passes_and_281_is_refused_before_any_request(x):
    connector = connected(x)
    text = "https://example.com/a-long-path-of-forty-characters " + "👍" + "日本" + "a" * 250
    assert weighted_length(text) == 280 and len(text) > 280

    published = publish(connector, text)
    assert published.platform_post_id in x.tweets

    x.requests.clear()
    with pytest.raises(ValidationFailed) as caught:
        publish(connector, text + "a", [MediaFile(png(), "image/png")])
    assert caught.value.details == {"length": 281, "limit": 280}
    assert "281" in caught.value.message and "280" in caught.value.message
    assert not x.requests


def test_x_itself_refuses_an_over_limit_post(x):
    connector = connected(x)
    with httpx.Client(trust_env=False) as client:
        response = client.post(f"{x.url}/2/tweets", json={"text": "👍" * 141}, headers=bearer(connector))

    assert response.status_code == 403 and "too long" in response.json()["detail"] and not x.tweets


# -- publishing ------------------------------------------------------------------------------------------------


def test_a_text_post_is_one_tweet(x):
    connector = connected(x)

    published = publish(connector, "Morning miles & coffee.")

    assert x.paths() == ["POST /2/tweets"]
    assert x.requests[0].json == {"text": "Morning miles & coffee."}
    assert published.url == f"https://x.com/{x.username}/status/{published.platform_post_id}"


def test_images_are_uploaded_first_with_alt_text_and_marked_made_with_ai(x):
    connector = connected(x)

    published = publish(connector, "Two views", [MediaFile(png(), "image/png", "A red square."),
                                                  MediaFile(png((16, 16)), "image/png")])

    assert x.paths() == ["POST /2/media/upload", "POST /2/media/metadata", "POST /2/media/upload", "POST /2/tweets"]
    first, metadata, second, tweet = x.requests
    assert first.form["media_category"] == ["tweet_image"] and first.files["media"][0] == png()
    assert second.files["media"][0] == png((16, 16))
    media_ids = list(x.media)
    assert metadata.json == {"id": media_ids[0], "metadata": {"alt_text": {"text": "A red square."}}}
    assert tweet.json == {"text": "Two views", "media": {"media_ids": media_ids}, "made_with_ai": True}
    assert x.tweets[published.platform_post_id]["media_ids"] == media_ids


def test_a_video_is_appended_in_order_then_waited_for(x, monkeypatch):
    monkeypatch.setattr(XConnector, "chunk_size", 1000)
    video = bytes(range(256)) * 10  # 2,560 bytes: three segments
    connector = connected(x)

    published = publish(connector, "Trail clip", [MediaFile(video, "video/mp4")])

    media_id = next(iter(x.media))
    assert x.paths() == ["POST /2/media/upload/initialize"] + [f"POST /2/media/upload/{media_id}/append"] * 3 + [
        f"POST /2/media/upload/{media_id}/finalize", "GET /2/media/upload", "GET /2/media/upload", "POST /2/tweets"]
    assert x.requests[0].json == {"media_type": "video/mp4", "total_bytes": 2560, "media_category": "tweet_video"}
    appends = x.calls(f"/2/media/upload/{media_id}/append")
    assert [seen.form["segment_index"] for seen in appends] == [["0"], ["1"], ["2"]]
    assert b"".join(seen.files["media"][0] for seen in appends) == video == x.media[media_id]["data"]
    assert x.calls("/2/media/upload")[-1].query == {"command": ["STATUS"], "media_id": [media_id]}
    assert x.tweets[published.platform_post_id]["media_ids"] == [media_id]


def test_x_refuses_segments_out_of_order_and_a_finalize_before_all_bytes(x):
    connector = connected(x)
    with httpx.Client(base_url=x.url, headers=bearer(connector), trust_env=False) as client:
        media_id = client.post("/2/media/upload/initialize", json={
            "media_type": "video/mp4", "total_bytes": 20, "media_category": "tweet_video"}).json()["data"]["id"]
        out_of_order = client.post(f"/2/media/upload/{media_id}/append", data={"segment_index": "1"},
                                   files={"media": ("segment", b"x" * 10, "application/octet-stream")})
        in_order = client.post(f"/2/media/upload/{media_id}/append", data={"segment_index": "0"},
                               files={"media": ("segment", b"x" * 10, "application/octet-stream")})
        early = client.post(f"/2/media/upload/{media_id}/finalize")

    assert out_of_order.status_code == 400 and "in order" in out_of_order.json()["errors"][0]["message"]
    assert in_order.status_code == 200
    assert early.status_code == 400
    assert early.json()["errors"][0]["message"] == "Segments do not add up to provided total file size."


def test_x_refuses_media_ids_it_did_not_issue(x):
    connector = connected(x)
    with httpx.Client(trust_env=False) as client:
        response = client.post(f"{x.url}/2/tweets", headers=bearer(connector),
                               json={"text": "hi", "media": {"media_ids": ["1234567890123456789"]}})

    assert response.status_code == 400 and response.json()["errors"][0]["message"] == "Your media IDs are invalid."


def test_a_video_x_could_not_process_is_a_final_error_and_nothing_is_posted(x):
    x.fail_processing = True
    connector = connected(x)

    with pytest.raises(ConnectorError) as caught:
        publish(connector, "clip", [MediaFile(b"v" * 100, "video/mp4")])

    assert not caught.value.retryable and "Unsupported video format" in caught.value.message
    assert not x.tweets


@pytest.mark.parametrize("media", [
    [MediaFile(png(), "image/png")] * 5,
    [MediaFile(b"v", "video/mp4"), MediaFile(png(), "image/png")],
    [MediaFile(b"v", "video/mp4")] * 2,
])
def test_more_than_four_images_or_a_video_with_anything_is_refused_before_any_request(x, media):
    connector = connected(x)
    with pytest.raises(ValidationFailed):
        publish(connector, "too much", media)
    assert not x.requests


def test_a_thread_posts_each_part_as_a_reply_to_the_one_before(x):
    connector = connected(x)

    first = connector.publish_thread(["1/3 The route", "2/3 The climb", "3/3 The coffee"],
                                     media=[MediaFile(png(), "image/png")])

    bodies = [seen.json for seen in x.calls("/2/tweets")]
    ids = list(x.tweets)
    assert first.platform_post_id == ids[0] and len(ids) == 3
    assert bodies[0]["media"] == {"media_ids": list(x.media)} and "reply" not in bodies[0]
    assert bodies[1] == {"text": "2/3 The climb", "reply": {"in_reply_to_tweet_id": ids[0]}}
    assert bodies[2] == {"text": "3/3 The coffee", "reply": {"in_reply_to_tweet_id": ids[1]}}


def test_a_thread_with_one_part_over_the_limit_sends_nothing(x):
    connector = connected(x)
    with pytest.raises(ValidationFailed):
        connector.publish_thread(["fits", "a" * 281])
    assert not x.requests


def test_a_retried_publish_returns_the_post_x_already_has(x):
    connector = connected(x)
    text = "Splits & hills: https://example.com/route?day=2"
    media = [MediaFile(png(), "image/png")]

    first = publish(connector, text, media)
    second = publish(connector, text, media)

    assert second == first and len(x.tweets) == 1
    assert x.tweets[first.platform_post_id]["text"] != text  # X answers with t.co links and entities
    assert [response for response in x.paths() if response == "POST /2/tweets"] == ["POST /2/tweets"] * 2
    assert x.calls(f"/2/users/{x.user_id}/tweets")


def test_xs_refusal_is_said_in_its_own_words(x):
    x.fail_next("/2/tweets", 403, {"title": "Forbidden", "type": "about:blank", "status": 403,
                                   "detail": "You are not permitted to perform this action."})
    connector = connected(x)

    with pytest.raises(ConnectorError) as caught:
        publish(connector, "hello")

    assert not caught.value.retryable and caught.value.status == 400
    assert caught.value.message == "X refused to publish the post: You are not permitted to perform this action."
    assert caught.value.details["platform_status"] == 403


def test_a_rate_limit_says_when_it_lifts_from_x_rate_limit_reset(x):
    x.fail_next("/2/tweets", 429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                                   "status": 429},
                {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": "1924992000"})
    connector = connected(x)

    with pytest.raises(ConnectorError) as caught:
        publish(connector, "hello")

    assert caught.value.retryable and caught.value.status == 503
    assert caught.value.retry_at == datetime(2031, 1, 1, tzinfo=UTC)


def test_the_spent_24_hour_posting_limit_outlasts_the_window(x):
    x.fail_next("/2/tweets", 429, {"title": "Too Many Requests", "status": 429},
                {"x-rate-limit-remaining": "99", "x-rate-limit-reset": "1924992000",
                 "x-user-limit-24hour-remaining": "0", "x-user-limit-24hour-reset": "1925078400"})
    connector = connected(x)

    with pytest.raises(ConnectorError) as caught:
        publish(connector, "hello")

    assert caught.value.retry_at == datetime(2031, 1, 2, tzinfo=UTC)


# -- delete, engagement, metrics, mentions ----------------------------------------------------------------------


def test_delete_removes_the_post_and_a_post_already_gone_is_fine(x):
    connector = connected(x)
    published = publish(connector, "short-lived")

    connector.delete(published.platform_post_id)
    connector.delete(published.platform_post_id)

    assert not x.tweets and x.paths()[-2:] == [f"DELETE /2/tweets/{published.platform_post_id}"] * 2


def test_like_follow_and_comment_act_as_the_account(x):
    connector = connected(x)
    parent = publish(connector, "parent").platform_post_id

    liked = connector.like(Target(id="", url=f"https://x.com/someone/status/{parent}"))
    followed = connector.follow(Target(id="@trailfriend"))
    reply = connector.comment(Target(id=parent), "Nice pace!")

    assert liked.platform_action_id == f"like:{parent}" and x.likes == [parent]
    assert x.calls(f"/2/users/{x.user_id}/likes")[0].json == {"tweet_id": parent}
    assert x.calls("/2/users/by/username/trailfriend") and followed.platform_action_id == f"follow:{x.following[0]}"
    assert x.tweets[reply.platform_action_id]["in_reply_to"] == parent


def test_a_comment_over_the_limit_is_refused_before_any_request(x):
    connector = connected(x)
    with pytest.raises(ValidationFailed):
        connector.comment(Target(id="1"), "🔥" * 141)
    assert not x.requests


def test_account_and_post_metrics(x):
    connector = connected(x)
    post_id = publish(connector, "counted").platform_post_id
    x.tweets[post_id]["public_metrics"].update(like_count=7, reply_count=2, retweet_count=3, quote_count=1)

    account = connector.fetch_metrics()
    post = connector.fetch_post_metrics(post_id)

    assert (account.followers, account.following, account.posts) == (1200, 87, 1)
    assert (post.likes, post.comments, post.shares) == (7, 2, 4)
    assert x.calls(f"/2/tweets/{post_id}")[0].query == {"tweet.fields": ["public_metrics"]}
    with pytest.raises(ConnectorError) as caught:
        connector.fetch_post_metrics("1999999999999999999")
    assert not caught.value.retryable


def test_mentions_are_read_page_by_page_after_the_cursor(x):
    connector = connected(x)
    first_ids = [x.mention(f"@{x.username} hello {n}") for n in range(105)]

    found, cursor = connector.fetch_notifications("")

    assert len(found) == 105 and cursor == first_ids[-1]
    assert {n.id for n in found} == set(first_ids) and {n.kind for n in found} == {"mention"}
    assert found[0].target_url == f"https://x.com/fan/status/{first_ids[-1]}" and found[0].text.endswith("104")
    pages = x.calls(f"/2/users/{x.user_id}/mentions")
    assert len(pages) == 2 and pages[1].query["pagination_token"] == ["100"]

    later = x.mention(f"@{x.username} & again", author="coach")
    found, cursor = connector.fetch_notifications(cursor)

    assert [(n.id, n.target_type, n.target_id, n.text) for n in found] == [
        (later, "post", later, f"@{x.username} & again")]
    assert cursor == later and x.requests[-1].query["since_id"] == [first_ids[-1]]
    assert connector.fetch_notifications(cursor) == ([], later)
