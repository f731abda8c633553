"""What a personas job's end does: settle the rows, then tell the owner's webhooks.

These are the ``on_finish`` of generation and publishing jobs (see
``config.jobs.ending``). They sit beside ``services`` and ``api`` because the
webhooks carry objects as the API answers them, and the API calls the services.
"""

from config.jobs.choices import JobStatus
from config.jobs.models import Job
from config.webhooks import services as webhooks
from personas.api.serializers_content import ContentItemSerializer
from personas.api.serializers_social import PostSerializer
from personas.choices import PostStatus
from personas.models import Generation, Post
from personas.services import content, publishing

POST_EVENTS = {PostStatus.PUBLISHED: "personas.post.published", PostStatus.FAILED: "personas.post.failed"}


def on_generation_finished(job: Job) -> None:
    """Settle the generation; then ``personas.content.ready`` for each item it made, once per item."""
    content.settle_generation(job)
    generation = Generation.objects.filter(job=job).first()
    if job.status != JobStatus.COMPLETED or generation is None:
        return
    for item in generation.content.select_related("character"):
        webhooks.emit(job.owner_id, "personas.content.ready", ContentItemSerializer(item).data,
                      event_id=f"personas.content.ready:{item.pk}")


def on_publish_finished(job: Job) -> None:
    """Settle the post; then ``personas.post.published`` or ``personas.post.failed``, once per post and end."""
    publishing.settle_publish(job)
    post = Post.objects.select_related("character", "account").filter(pk=job.params.get("post_id")).first()
    if post is None or post.status not in POST_EVENTS:
        return
    webhooks.emit(job.owner_id, POST_EVENTS[post.status], PostSerializer(post).data,
                  event_id=f"{POST_EVENTS[post.status]}:{post.pk}:{job.pk}")
