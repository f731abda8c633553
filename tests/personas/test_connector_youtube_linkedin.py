"""YouTube and LinkedIn connectors against stand-in Google and LinkedIn servers.

Google: the code exchange on its own token host with the PKCE verifier, refresh,
the channel, the resumable upload in chunks (resumed from the ``Range`` a 308
names), the synthetic-media flag, engagement. LinkedIn: the exchange without
PKCE, the member's URN, images through the Images API, single and multi-image
posts, deletion by encoded URN, social actions, and the versioned headers.
"""

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.conf import settings

from config.errors import ValidationFailed
from personas import oauth
from personas.connectors import AuthExpired, ConnectorError, MediaFile, PublishRequest, Target
from personas.connectors import linkedin as linkedin_module
from personas.connectors.linkedin import LinkedInConnector, little_text
from personas.connectors.youtube import YouTubeConnector, idempotency_tag
from tests.conftest import require
from tests.personas.conftest import png_bytes
from tests.personas.google_linkedin_standin import UNIT, google_fixture, linkedin_fixture  # noqa: F401

VERIFIER, CHALLENGE = oauth.pkce_pair()


def video_bytes(size: int) -> bytes:
    return bytes(index * 7 % 251 for index in range(size))


def mp4(tmp_path) -> bytes:
    """A real one-second vertical MP4 from ffmpeg's test pattern."""
    require(shutil.which("ffmpeg"), "Debian's ffmpeg is not installed")
    target = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=1:size=180x320:rate=10",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(target)], check=True)
    return target.read_bytes()


def an_app(server, **bases) -> oauth.OAuthApp:
    return oauth.OAuthApp(client_id=server.client_id, client_secret=server.client_secret,
                          **({"api_base": server.url, "auth_base": server.url, "token_base": server.url} | bases))


def consented(server, connector_class, app) -> dict[str, str]:
    url = oauth.authorization_url(connector_class.oauth, app, state="st4te", code_challenge=CHALLENGE,
                                  redirect_uri=server.redirect_uri)
    return server.consent(url)


@pytest.fixture
def youtube_app(settings, google):
    """This deployment's Google app, pointed at the stand-in."""
    settings.PERSONAS_YOUTUBE_CLIENT_ID = google.client_id
    settings.PERSONAS_YOUTUBE_CLIENT_SECRET = google.client_secret
    settings.PERSONAS_YOUTUBE_API_BASE = settings.PERSONAS_YOUTUBE_TOKEN_BASE = google.url
    return oauth.app_for(YouTubeConnector.oauth)


def channel(google, **options) -> YouTubeConnector:
    connector = YouTubeConnector(server_url=google.url, **options)
    connector.connect({"access_token": google.token, "refresh_token": "1//stored", "expires_at": None})
    google.requests.clear()
    return connector


def a_video(data: bytes) -> list[MediaFile]:
    return [MediaFile(data, "video/mp4")]


# -- Google OAuth ---------------------------------------------------------------------------------------------


def test_the_consent_url_asks_google_for_offline_access_with_pkce(google):
    url = oauth.authorization_url(YouTubeConnector.oauth, an_app(google), state="s", code_challenge=CHALLENGE,
                                  redirect_uri=google.redirect_uri)

    query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(f"{google.url}/o/oauth2/v2/auth?")
    assert query["access_type"] == "offline" and query["prompt"] == "consent"
    assert query["code_challenge"] == CHALLENGE and query["code_challenge_method"] == "S256"
    assert query["scope"].split() == list(YouTubeConnector.oauth.scopes)
    assert YouTubeConnector.oauth.token_base == "https://oauth2.googleapis.com"


def test_the_code_is_exchanged_on_googles_token_host_with_the_verifier(google):
    app = an_app(google, api_base="http://127.0.0.1:9")  # the API host is not where tokens come from
    back = consented(google, YouTubeConnector, app)

    credentials = YouTubeConnector(server_url=app.api_base).exchange_code(
        app, code=back["code"], code_verifier=VERIFIER, redirect_uri=google.redirect_uri)

    form = google.calls("/token")[0].form
    assert form["grant_type"] == ["authorization_code"] and form["code_verifier"] == [VERIFIER]
    assert form["client_id"] == [google.client_id] and form["client_secret"] == [google.client_secret]
    assert credentials["access_token"] in google.access and credentials["refresh_token"] in google.refresh_tokens
    assert datetime.fromisoformat(credentials["expires_at"]) > datetime.now(UTC) + timedelta(minutes=55)


def test_a_wrong_verifier_is_refused_as_expired_credentials(google):
    app = an_app(google)
    back = consented(google, YouTubeConnector, app)

    with pytest.raises(AuthExpired) as caught:
        YouTubeConnector(server_url=google.url).exchange_code(app, code=back["code"], code_verifier="x" * 64,
                                                              redirect_uri=google.redirect_uri)
    assert "Invalid code verifier" in caught.value.message and caught.value.status == 400


def test_a_wrong_redirect_uri_is_refused(google):
    app = an_app(google)
    back = consented(google, YouTubeConnector, app)

    with pytest.raises(AuthExpired):
        YouTubeConnector(server_url=google.url).exchange_code(app, code=back["code"], code_verifier=VERIFIER,
                                                              redirect_uri="https://elsewhere.test/callback")


def test_connect_reads_the_channel_and_keeps_its_ids(google):
    info = YouTubeConnector(server_url=google.url).connect(
        {"access_token": google.token, "refresh_token": "1//r", "expires_at": "2031-01-01T00:00:00+00:00"})

    assert (info.platform_user_id, info.username, info.follower_count) == (google.channel_id, "@avatrails", 1200)
    assert info.url == f"https://www.youtube.com/channel/{google.channel_id}"
    assert info.credentials == {"access_token": google.token, "refresh_token": "1//r",
                                "expires_at": "2031-01-01T00:00:00+00:00", "channel_id": google.channel_id,
                                "uploads_playlist": google.uploads_playlist}
    assert info.token_expires_at == datetime(2031, 1, 1, tzinfo=UTC)
    assert google.requests[0].query == {"part": ["snippet,statistics,contentDetails"], "mine": ["true"]}


def test_a_pasted_token_is_not_how_youtube_connects(google):
    with pytest.raises(ConnectorError, match="consent page"):
        YouTubeConnector(server_url=google.url).connect({})
    assert not google.requests


def test_without_a_server_the_connector_uses_the_configured_api_base(youtube_app, google):
    metrics = YouTubeConnector(credentials={"access_token": google.token}).fetch_metrics()

    assert metrics.followers == 1200 and google.paths() == ["GET /youtube/v3/channels"]


def test_refresh_keeps_the_refresh_token_google_does_not_send_again(youtube_app, google):
    back = consented(google, YouTubeConnector, youtube_app)
    first = YouTubeConnector().exchange_code(youtube_app, code=back["code"], code_verifier=VERIFIER,
                                             redirect_uri=google.redirect_uri)
    stored = {**first, "channel_id": google.channel_id}

    fresh = YouTubeConnector().refresh(stored)

    form = google.calls("/token")[-1].form
    assert form["grant_type"] == ["refresh_token"] and form["refresh_token"] == [first["refresh_token"]]
    assert fresh["access_token"] != first["access_token"] and fresh["access_token"] in google.access
    assert fresh["refresh_token"] == first["refresh_token"] and fresh["channel_id"] == google.channel_id


def test_a_revoked_refresh_token_is_auth_expired(youtube_app, google):
    google.refresh_tokens["1//revoked"] = set()
    google.revoke("1//revoked")

    with pytest.raises(AuthExpired) as caught:
        YouTubeConnector().refresh({"access_token": "old", "refresh_token": "1//revoked"})
    assert "Token has been expired or revoked" in caught.value.message


def test_a_failing_token_host_is_retryable_not_expired(youtube_app, google):
    google.fail_next("/token", 503, {"error": "backend_error"})

    with pytest.raises(ConnectorError) as caught:
        YouTubeConnector().refresh({"access_token": "old", "refresh_token": "1//any"})
    assert caught.value.retryable and not isinstance(caught.value, AuthExpired)


# -- YouTube publishing ------------------------------------------------------------------------------------------


def test_a_video_is_uploaded_in_chunks_each_starting_where_the_last_ended(google):
    seen = []
    connector = channel(google, on_progress=seen.append)
    connector.chunk_size = UNIT
    data = video_bytes(2 * UNIT + 1000)

    published = connector.publish(PublishRequest(text="Dawn on the ridge\n\nSix miles up.\n\nMade with AI.",
                                                 idempotency_key="post-1", media=a_video(data)))

    start, *chunks = google.calls("/upload/youtube/v3/videos")
    assert start.method == "POST" and start.query["uploadType"] == ["resumable"]
    assert start.query["part"] == ["snippet,status"]
    assert start.headers["x-upload-content-type"] == "video/mp4"
    assert start.headers["x-upload-content-length"] == str(len(data))
    assert [chunk.headers["content-range"] for chunk in chunks] == [
        f"bytes 0-{UNIT - 1}/{len(data)}", f"bytes {UNIT}-{2 * UNIT - 1}/{len(data)}",
        f"bytes {2 * UNIT}-{len(data) - 1}/{len(data)}"]
    assert all(chunk.method == "PUT" and chunk.headers["authorization"] == f"Bearer {google.token}"
               for chunk in chunks)
    assert seen == [UNIT / len(data), 2 * UNIT / len(data), 1.0]
    video = google.videos[published.platform_post_id]
    assert video["bytes"] == data
    assert published.url == f"https://www.youtube.com/watch?v={published.platform_post_id}"


def test_the_upload_sends_the_title_description_and_synthetic_media_flag(google):
    connector = channel(google)
    text = "Dawn on the ridge\n\nSix miles up. <3\n\nMade with AI."

    connector.publish(PublishRequest(text=text, idempotency_key="post-1", media=a_video(video_bytes(5000))))

    metadata = google.calls("/upload/youtube/v3/videos")[0].json
    assert metadata["snippet"] == {"title": "Dawn on the ridge", "description": text.replace("<", "\u2039"),
                                   "tags": [idempotency_tag("post-1")], "categoryId": "22"}
    assert metadata["status"] == {"privacyStatus": "public", "selfDeclaredMadeForKids": False,
                                  "containsSyntheticMedia": True}


def test_a_real_mp4_is_uploaded_in_one_chunk(google, tmp_path):
    data = mp4(tmp_path)
    connector = channel(google)

    published = connector.publish(PublishRequest(text="Test pattern", idempotency_key="k", media=a_video(data)))

    assert google.videos[published.platform_post_id]["bytes"] == data
    assert [seen.method for seen in google.calls("/upload/")] == ["POST", "PUT"]


def test_the_upload_resumes_from_the_range_a_308_reports(google):
    seen = []
    connector = channel(google, on_progress=seen.append)
    connector.chunk_size = UNIT
    data = video_bytes(2 * UNIT)
    google.keep_of_next_chunk = 1000  # the first chunk arrives only in part

    published = connector.publish(PublishRequest(text="Resumed", idempotency_key="k", media=a_video(data)))

    ranges = [chunk.headers["content-range"] for chunk in google.calls("/upload/youtube/v3/videos")[1:]]
    assert ranges == [f"bytes 0-{UNIT - 1}/{len(data)}", f"bytes 1000-{UNIT + 999}/{len(data)}",
                      f"bytes {UNIT + 1000}-{len(data) - 1}/{len(data)}"]
    assert seen == [1000 / len(data), (UNIT + 1000) / len(data), 1.0]
    assert google.videos[published.platform_post_id]["bytes"] == data


def test_an_interrupted_chunk_is_resumed_after_asking_where_the_upload_stands(google):
    connector = channel(google)
    connector.chunk_size = UNIT
    data = video_bytes(UNIT + 10)
    google.interrupt_chunks = 1  # the first chunk is lost: nothing arrived, so the query's 308 has no Range

    published = connector.publish(PublishRequest(text="Again", idempotency_key="k", media=a_video(data)))

    ranges = [chunk.headers["content-range"] for chunk in google.calls("/upload/youtube/v3/videos")[1:]]
    assert ranges == [f"bytes 0-{UNIT - 1}/{len(data)}", f"bytes */{len(data)}", f"bytes 0-{UNIT - 1}/{len(data)}",
                      f"bytes {UNIT}-{len(data) - 1}/{len(data)}"]
    assert google.videos[published.platform_post_id]["bytes"] == data


def test_an_upload_interrupted_again_and_again_is_retryable(google):
    connector = channel(google)
    google.interrupt_chunks = 10

    with pytest.raises(ConnectorError) as caught:
        connector.publish(PublishRequest(text="x", idempotency_key="k", media=a_video(video_bytes(100))))
    assert caught.value.retryable and "interrupted 4 times" in caught.value.message
    assert not google.videos


def test_a_retried_publish_finds_the_earlier_upload_instead_of_uploading_again(google):
    connector = channel(google)
    request = PublishRequest(text="Once only", idempotency_key="same-key", media=a_video(video_bytes(3000)))

    first, second = connector.publish(request), connector.publish(request)

    assert first == second and len(google.videos) == 1
    assert len(google.calls("/upload/youtube/v3/videos")) == 2  # one POST, one PUT: a single upload


@pytest.mark.parametrize(("media", "words"), [
    ([], "videos only, and this post has no video"),
    ([MediaFile(png_bytes(), "image/png")], "0 video(s) and 1 other file(s)"),
    ([MediaFile(b"a", "video/mp4"), MediaFile(b"b", "video/mp4")], "2 video(s) and 0 other file(s)"),
])
def test_publish_without_exactly_one_video_is_refused_before_anything_is_sent(google, media, words):
    connector = channel(google)

    with pytest.raises(ConnectorError) as caught:
        connector.publish(PublishRequest(text="No video", idempotency_key="k", media=media))
    assert words in caught.value.message and not caught.value.retryable
    assert not google.requests


def test_a_description_over_5000_bytes_is_refused_before_anything_is_sent(google):
    connector = channel(google)

    with pytest.raises(ValidationFailed) as caught:
        connector.publish(PublishRequest(text="é" * 2501, idempotency_key="k", media=a_video(b"v")))
    assert caught.value.details == {"length": 5002, "limit": 5000}
    assert not google.requests


def test_a_long_first_line_is_cut_to_the_title_limit(google):
    connector = channel(google)

    connector.publish(PublishRequest(text="word " * 40, idempotency_key="k", media=a_video(b"v")))

    title = google.calls("/upload/")[0].json["snippet"]["title"]
    assert len(title) <= 100 and title.endswith("…")


def test_a_private_upload_says_so_and_an_unknown_privacy_is_a_programming_error(google):
    connector = channel(google, privacy_status="private")
    connector.publish(PublishRequest(text="Draft", idempotency_key="k", media=a_video(b"v"), ai_flag=False))

    status = google.calls("/upload/")[0].json["status"]
    assert status["privacyStatus"] == "private" and status["containsSyntheticMedia"] is False
    with pytest.raises(ValueError, match="privacy_status"):
        YouTubeConnector(server_url=google.url, privacy_status="secret")


def test_the_stand_in_refuses_a_video_without_a_title(google):
    response = httpx.post(f"{google.url}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status",
                          json={"snippet": {"description": "no title", "categoryId": "22"}, "status": {}},
                          headers={"Authorization": f"Bearer {google.token}", "X-Upload-Content-Length": "10",
                                   "X-Upload-Content-Type": "video/mp4"})

    assert response.status_code == 400 and response.json()["error"]["errors"][0]["reason"] == "invalidTitle"
    assert not google.sessions


def test_the_stand_in_refuses_a_chunk_that_does_not_start_where_the_last_ended(google):
    headers = {"Authorization": f"Bearer {google.token}", "X-Upload-Content-Length": str(2 * UNIT),
               "X-Upload-Content-Type": "video/mp4"}
    start = httpx.post(f"{google.url}/upload/youtube/v3/videos?uploadType=resumable&part=snippet",
                       json={"snippet": {"title": "t", "categoryId": "22"}}, headers=headers)
    session = start.headers["Location"]

    first = httpx.put(session, content=b"x" * UNIT, headers={"Authorization": headers["Authorization"],
                                                            "Content-Range": f"bytes 0-{UNIT - 1}/{2 * UNIT}"})
    skipped = httpx.put(session, content=b"x" * 10, headers={
        "Authorization": headers["Authorization"], "Content-Range": f"bytes {UNIT + 5}-{UNIT + 14}/{2 * UNIT}"})

    assert first.status_code == 308 and first.headers["Range"] == f"bytes=0-{UNIT - 1}"
    assert skipped.status_code == 400 and f"{UNIT} bytes have arrived" in skipped.json()["error"]["message"]


def test_a_used_up_quota_is_retryable_at_midnight_pacific(google):
    connector = channel(google)
    google.fail_next("/youtube/v3/videos", 403, {"error": {"code": 403, "message": "The request cannot be "
                     "completed because you have exceeded your <a href=\"/youtube/v3/quota\">quota</a>.",
                     "errors": [{"reason": "quotaExceeded", "domain": "youtube.quota"}]}})

    with pytest.raises(ConnectorError) as caught:
        connector.fetch_post_metrics("vid00000001")
    local = caught.value.retry_at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert caught.value.retryable and (local.hour, local.minute) == (0, 0)
    assert caught.value.retry_at > datetime.now(UTC) and "<a" not in caught.value.message


def test_a_rate_limit_is_retryable_when_the_platform_says(google):
    connector = channel(google)
    google.fail_next("/youtube/v3/videos", 403, {"error": {"code": 403, "message": "Rate limit exceeded.",
                     "errors": [{"reason": "userRateLimitExceeded"}]}}, {"Retry-After": "120"})

    with pytest.raises(ConnectorError) as caught:
        connector.fetch_post_metrics("vid00000001")
    assert caught.value.retryable and caught.value.retry_at < datetime.now(UTC) + timedelta(minutes=3)


# -- YouTube: deleting, counts, engagement ------------------------------------------------------------------------


def published_video(google, connector) -> str:
    return connector.publish(PublishRequest(text="Clip", idempotency_key="clip", media=a_video(b"v"))).platform_post_id


def test_delete_removes_the_video_and_a_missing_one_is_fine(google):
    connector = channel(google)
    video_id = published_video(google, connector)

    connector.delete(video_id)
    connector.delete(video_id)

    assert video_id not in google.videos
    assert [seen.query["id"] for seen in google.calls("/youtube/v3/videos") if seen.method == "DELETE"] == [
        [video_id], [video_id]]


def test_counts_of_a_video_and_of_the_channel(google):
    connector = channel(google)
    video_id = published_video(google, connector)
    google.videos[video_id]["statistics"].update(likeCount="12", commentCount="3", viewCount="400")

    counts = connector.fetch_post_metrics(video_id)
    metrics = connector.fetch_metrics()

    assert (counts.likes, counts.comments, counts.shares) == (12, 3, 0)
    assert (metrics.followers, metrics.posts) == (1200, 1)
    with pytest.raises(ConnectorError, match="no video gone0000001"):
        connector.fetch_post_metrics("gone0000001")


def test_like_comment_and_subscribe(google):
    connector = channel(google)

    liked = connector.like(Target(id="", url="https://www.youtube.com/watch?v=otherVid001"))
    commented = connector.comment(Target(id="otherVid001"), "Great pace!")
    followed = connector.follow(Target(id="", url="https://www.youtube.com/@trailfriend"))
    again = connector.follow(Target(id="UCfriend00000000000000000"))

    assert liked.platform_action_id == "like:otherVid001" and google.ratings == {"otherVid001": "like"}
    assert google.threads[0]["id"] == commented.platform_action_id
    assert google.threads[0]["snippet"]["topLevelComment"]["snippet"]["textOriginal"] == "Great pace!"
    assert followed.platform_action_id == google.subscriptions["UCfriend00000000000000000"]
    assert again.platform_action_id == "subscription:UCfriend00000000000000000"


def test_a_token_without_the_force_ssl_scope_cannot_delete(google):
    google.access["ya29.narrow"] = {"https://www.googleapis.com/auth/youtube.upload"}
    connector = YouTubeConnector(server_url=google.url, credentials={"access_token": "ya29.narrow"})

    with pytest.raises(ConnectorError) as caught:
        connector.delete("vid00000001")
    assert "insufficient authentication scopes" in caught.value.message
    assert caught.value.details["platform_reason"] == "insufficientPermissions"


def test_notifications_are_others_comments_after_the_cursor(google):
    connector = channel(google)
    video_id = published_video(google, connector)
    older = google.comment_from("UCfan1", video_id, "First!", minutes_ago=10)
    google.comment_from(google.channel_id, video_id, "Thanks all", minutes_ago=5)

    found, cursor = connector.fetch_notifications("")
    assert [(n.id, n.kind, n.target_id, n.text) for n in found] == [(older, "mention", video_id, "First!")]
    newer = google.comment_from("UCfan2", video_id, "Where is this trail?")

    found, cursor_after = connector.fetch_notifications(cursor)
    assert [n.id for n in found] == [newer] and cursor_after > cursor
    assert connector.fetch_notifications(cursor_after) == ([], cursor_after)


# -- LinkedIn OAuth and account ------------------------------------------------------------------------------------


def member(linkedin, **credentials) -> LinkedInConnector:
    connector = LinkedInConnector(server_url=linkedin.url)
    connector.connect({"access_token": linkedin.token, **credentials})
    linkedin.requests.clear()
    return connector


def test_linkedin_exchanges_the_code_on_its_token_host_without_pkce(linkedin):
    app = an_app(linkedin, api_base="http://127.0.0.1:9")
    url = oauth.authorization_url(LinkedInConnector.oauth, app, state="s", code_challenge=CHALLENGE,
                                  redirect_uri=linkedin.redirect_uri)
    back = linkedin.consent(url)

    credentials = LinkedInConnector(server_url=app.api_base).exchange_code(
        app, code=back["code"], code_verifier=VERIFIER, redirect_uri=linkedin.redirect_uri)

    assert url.startswith(f"{linkedin.url}/oauth/v2/authorization?") and "code_challenge" not in url
    form = linkedin.calls("/oauth/v2/accessToken")[0].form
    assert "code_verifier" not in form and form["client_secret"] == [linkedin.client_secret]
    assert credentials["access_token"] in linkedin.access and "refresh_token" not in credentials
    assert LinkedInConnector.oauth.token_base == "https://www.linkedin.com"


def test_linkedin_refuses_a_code_sent_with_another_redirect_uri(linkedin):
    app = an_app(linkedin)
    back = linkedin.consent(oauth.authorization_url(LinkedInConnector.oauth, app, state="s", code_challenge="",
                                                    redirect_uri=linkedin.redirect_uri))

    with pytest.raises(AuthExpired, match="does not match authorization code"):
        LinkedInConnector(server_url=linkedin.url).exchange_code(app, code=back["code"], code_verifier="",
                                                                 redirect_uri="https://elsewhere.test/cb")


def test_connect_keeps_the_members_urn(linkedin):
    info = LinkedInConnector(server_url=linkedin.url).connect({"access_token": linkedin.token})

    assert (info.platform_user_id, info.username, info.follower_count) == (linkedin.sub, "Ava Stone", 0)
    assert info.credentials == {"access_token": linkedin.token, "person_urn": f"urn:li:person:{linkedin.sub}"}
    assert "linkedin-version" not in linkedin.requests[0].headers  # /v2/userinfo is not versioned


def test_linkedin_refresh_needs_a_refresh_token(settings, linkedin):
    settings.PERSONAS_LINKEDIN_CLIENT_ID, settings.PERSONAS_LINKEDIN_CLIENT_SECRET = (linkedin.client_id,
                                                                                     linkedin.client_secret)
    settings.PERSONAS_LINKEDIN_API_BASE = settings.PERSONAS_LINKEDIN_TOKEN_BASE = linkedin.url
    with pytest.raises(AuthExpired, match="connect the account again"):
        LinkedInConnector().refresh({"access_token": linkedin.token, "person_urn": "urn:li:person:x"})
    linkedin.refresh_tokens["AQX-partner"] = {"openid", "profile", "w_member_social"}

    fresh = LinkedInConnector().refresh({"access_token": "old", "refresh_token": "AQX-partner", "person_urn": "u"})

    assert fresh["access_token"] in linkedin.access and fresh["person_urn"] == "u"
    with pytest.raises(AuthExpired):
        LinkedInConnector().refresh({"access_token": "old", "refresh_token": "AQX-unknown"})


# -- LinkedIn publishing -------------------------------------------------------------------------------------------


def test_a_text_post_carries_the_documented_fields_and_versioned_headers(linkedin):
    connector = member(linkedin)

    published = connector.publish(PublishRequest(text="Ridge run (6 mi) #trailrunning\n\nMade with AI.",
                                                 idempotency_key="k"))

    create = linkedin.calls("/rest/posts")[0]
    assert create.headers["linkedin-version"] == settings.PERSONAS_LINKEDIN_VERSION == "202610"
    assert create.headers["x-restli-protocol-version"] == "2.0.0"
    assert create.json == {
        "author": linkedin.person_urn,
        "commentary": "Ridge run \\(6 mi\\) {hashtag|\\#|trailrunning}\n\nMade with AI.",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False}
    assert published.platform_post_id in linkedin.posts
    assert published.url == f"https://www.linkedin.com/feed/update/{published.platform_post_id}"


def test_an_image_post_uploads_through_the_images_api_first(linkedin):
    connector = member(linkedin)
    image = png_bytes()

    published = connector.publish(PublishRequest(text="One photo", idempotency_key="k",
                                                 media=[MediaFile(image, "image/png", "A red square.")]))

    assert linkedin.paths()[:2] == ["POST /rest/images", "PUT " + linkedin.paths()[1].split(" ")[1]]
    assert linkedin.requests[0].json == {"initializeUploadRequest": {"owner": linkedin.person_urn}}
    assert linkedin.requests[0].query == {"action": ["initializeUpload"]}
    (urn, stored), = linkedin.images.items()
    assert stored["data"] == image and stored["mime"] == "image/png"
    assert linkedin.posts[published.platform_post_id]["content"] == {"media": {"id": urn, "altText": "A red square."}}


def test_a_multi_image_post_names_every_image_in_order(linkedin):
    connector = member(linkedin)
    media = [MediaFile(png_bytes(colour=(index * 40, 0, 0)), "image/png", f"Photo {index}") for index in range(3)]

    published = connector.publish(PublishRequest(text="Three photos", idempotency_key="k", media=media))

    content = linkedin.posts[published.platform_post_id]["content"]
    assert content == {"multiImage": {"images": [{"id": urn, "altText": f"Photo {index}"}
                                                 for index, urn in enumerate(linkedin.images)]}}
    assert [image["data"] for image in linkedin.images.values()] == [item.data for item in media]


def test_a_page_posts_as_its_organisation(linkedin):
    connector = member(linkedin, organization_urn="urn:li:organization:2414183")

    published = connector.publish(PublishRequest(text="From the page", idempotency_key="k",
                                                 media=[MediaFile(png_bytes(), "image/png")]))

    assert linkedin.posts[published.platform_post_id]["author"] == "urn:li:organization:2414183"
    assert next(iter(linkedin.images.values()))["owner"] == "urn:li:organization:2414183"


def test_a_video_for_linkedin_is_refused_before_anything_is_sent(linkedin):
    connector = member(linkedin)

    with pytest.raises(ConnectorError, match="images only"):
        connector.publish(PublishRequest(text="Clip", idempotency_key="k", media=[MediaFile(b"v", "video/mp4")]))
    assert not linkedin.requests


def test_the_stand_in_refuses_a_post_whose_image_was_never_uploaded(linkedin):
    headers = {"Authorization": f"Bearer {linkedin.token}", **linkedin_module.rest_headers()}
    registered = httpx.post(f"{linkedin.url}/rest/images?action=initializeUpload", headers=headers,
                            json={"initializeUploadRequest": {"owner": linkedin.person_urn}}).json()["value"]

    response = httpx.post(f"{linkedin.url}/rest/posts", headers=headers, json={
        "author": linkedin.person_urn, "commentary": "x", "visibility": "PUBLIC", "lifecycleState": "PUBLISHED",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "content": {"media": {"id": registered["image"]}}})

    assert response.status_code == 400 and "was not uploaded" in response.json()["message"]
    assert not linkedin.posts


@pytest.mark.parametrize(("leave_out", "status", "code"), [
    ("LinkedIn-Version", 400, "VERSION_MISSING"),
    ("X-Restli-Protocol-Version", 400, "ILLEGAL_ARGUMENT"),
])
def test_linkedin_refuses_rest_calls_without_the_versioned_headers(linkedin, leave_out, status, code):
    headers = {"Authorization": f"Bearer {linkedin.token}", **linkedin_module.rest_headers()}
    del headers[leave_out]

    response = httpx.post(f"{linkedin.url}/rest/images?action=initializeUpload", headers=headers,
                          json={"initializeUploadRequest": {"owner": linkedin.person_urn}})

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not linkedin.images


def test_a_retired_api_version_is_said_in_words(linkedin):
    connector = member(linkedin)
    linkedin.active_versions = {"203001"}

    with pytest.raises(ConnectorError) as caught:
        connector.publish(PublishRequest(text="x", idempotency_key="k"))
    assert caught.value.message == ("LinkedIn no longer serves API version 202610: set PERSONAS_LINKEDIN_VERSION "
                                    "to a recent month (YYYYMM).")


def test_the_api_version_is_a_setting(linkedin, settings):
    settings.PERSONAS_LINKEDIN_VERSION = "202611"
    member(linkedin).publish(PublishRequest(text="x", idempotency_key="k"))
    assert linkedin.calls("/rest/posts")[0].headers["linkedin-version"] == "202611"


def test_a_post_whose_creation_got_no_answer_is_not_retried(linkedin):
    def no_answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    connector = LinkedInConnector(server_url=linkedin.url, transport=httpx.MockTransport(no_answer),
                                  credentials={"access_token": "t", "person_urn": "urn:li:person:x"})
    with pytest.raises(ConnectorError) as caught:
        connector.publish(PublishRequest(text="x", idempotency_key="k"))
    assert not caught.value.retryable and "check LinkedIn" in caught.value.message


def test_a_post_that_never_left_is_retryable(linkedin):
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    connector = LinkedInConnector(server_url=linkedin.url, transport=httpx.MockTransport(refused),
                                  credentials={"access_token": "t", "person_urn": "urn:li:person:x"})
    with pytest.raises(ConnectorError) as caught:
        connector.publish(PublishRequest(text="x", idempotency_key="k"))
    assert caught.value.retryable


# -- LinkedIn: deleting, counts, engagement ------------------------------------------------------------------------


def test_delete_names_the_post_by_its_encoded_urn_and_a_missing_one_is_fine(linkedin):
    connector = member(linkedin)
    urn = connector.publish(PublishRequest(text="Soon gone", idempotency_key="k")).platform_post_id

    connector.delete(urn)
    connector.delete(urn)

    deletes = [seen for seen in linkedin.requests if seen.method == "DELETE"]
    assert [seen.path for seen in deletes] == [f"/rest/posts/{quote(urn, safe='')}"] * 2
    assert urn not in linkedin.posts


def test_likes_and_comments_go_through_social_actions_and_show_in_the_counts(linkedin):
    connector = member(linkedin)
    urn = linkedin.foreign_post()

    liked = connector.like(Target(id="", url=f"https://www.linkedin.com/feed/update/{urn}/"))
    commented = connector.comment(Target(id=urn), "Congrats (well deserved)!")
    counts = connector.fetch_post_metrics(urn)

    like = linkedin.calls(f"/rest/socialActions/{quote(urn, safe='')}/likes")[0]
    assert like.json == {"actor": linkedin.person_urn, "object": urn} and liked.platform_action_id == f"like:{urn}"
    assert commented.platform_action_id.startswith(f"urn:li:comment:({urn},")
    assert linkedin.posts[urn]["comments"] == ["Congrats (well deserved)!"]
    assert (counts.likes, counts.comments, counts.shares) == (1, 1, 0)


def test_counts_without_r_member_social_are_refused_in_words(linkedin):
    linkedin.access["AQV-member"] = {"openid", "profile", "w_member_social"}
    connector = member(linkedin)
    connector.credentials["access_token"] = "AQV-member"
    urn = linkedin.foreign_post()

    with pytest.raises(ConnectorError, match="r_member_social"):
        connector.fetch_post_metrics(urn)


def test_following_is_not_offered_and_there_are_no_notifications(linkedin):
    connector = member(linkedin)

    with pytest.raises(ConnectorError, match="no way to follow"):
        connector.follow(Target(id="urn:li:person:someone"))
    assert connector.fetch_notifications("c") == ([], "c")
    assert connector.fetch_metrics().followers == 0
    assert not linkedin.requests


def test_little_text_escapes_reserved_characters_and_templates_hashtags():
    assert little_text("a_b *c* [d] {e} @f ~g | h\\ <i> #tag #x_y") == (
        "a\\_b \\*c\\* \\[d\\] \\{e\\} \\@f \\~g \\| h\\\\ \\<i\\> {hashtag|\\#|tag} {hashtag|\\#|x\\_y}")
