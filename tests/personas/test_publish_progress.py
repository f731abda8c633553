"""A long upload's progress reaches the publish job, and YouTube's privacy is a setting."""

import pytest

from config.jobs import services as jobs
from config.jobs.models import JobEvent
from personas.choices import PostStatus
from personas.connectors import Published
from personas.connectors.youtube import YouTubeConnector
from personas.services import publishing
from tests.personas.factories import PostFactory

pytestmark = pytest.mark.django_db


class UploadingConnector:
    """Stands in for a connector whose upload reports how far it got (YouTube's resumable upload)."""

    on_progress = None
    media_url_for = None

    def publish(self, request) -> Published:
        for fraction in (0.25, 0.5, 1.0):
            self.on_progress(fraction)
        return Published(platform_post_id="v1", url="https://www.youtube.com/watch?v=v1")


def test_upload_progress_moves_the_publish_job_and_is_streamed(owner, character, approved_image, queued,
                                                              monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(publishing.accounts, "ready_connector", lambda account: UploadingConnector())
    post = PostFactory(character=character, content=approved_image, caption="Dawn miles.")
    with django_capture_on_commit_callbacks(execute=True):
        job = publishing.queue_publish(post)
    job = jobs.claim_job(job.pk)

    publishing.publish_job(job)

    uploads = JobEvent.objects.filter(job=job, step="upload").order_by("id")
    assert [event.data["uploaded"] for event in uploads] == [0.25, 0.5, 1.0]
    job.refresh_from_db()
    post.refresh_from_db()
    assert job.progress == pytest.approx(0.9) and post.status == PostStatus.PUBLISHED


@pytest.mark.parametrize("privacy", ["unlisted", "private"])
def test_youtube_uploads_with_the_configured_privacy(settings, privacy):
    settings.PERSONAS_YOUTUBE_PRIVACY = privacy
    assert YouTubeConnector(server_url="https://www.googleapis.com").privacy_status == privacy


def test_a_privacy_youtube_does_not_have_is_refused(settings):
    settings.PERSONAS_YOUTUBE_PRIVACY = "friends"
    with pytest.raises(ValueError, match="privacy_status"):
        YouTubeConnector(server_url="https://www.googleapis.com")
