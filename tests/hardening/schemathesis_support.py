"""What the Schemathesis run needs: a normal user's credentials and one object of each kind they own.

Generated ids almost never name a real object, so every object route would
only ever answer 404. ``Seeded.ids`` maps the schema's path parameters and
body fields to ids of the user's own objects; the hooks in the test mix them
into the generated requests so the code behind the 404 is fuzzed too.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from catalog import services as catalog
from catalog.models import ProductImage
from config.accounts.choices import Plan
from config.accounts.services import create_api_key, issue_tokens
from config.jobs import services as jobs
from floorplans import services as floorplans
from floorplans.choices import AnalysisSource
from personas.choices import ContentType
from personas.models import Character, ContentItem, Generation, PlatformAccount, Post, ScheduledPost
from personas.services import rules
from staging.models import Batch, Staging, Style

# A room measured by hand (seed 004's manual analysis), so the room has revision 1.
ROOM_ANALYSIS = {
    "dimensions": {"width": 12.0, "height": 14.0, "confidence": 0.9},
    "ceilingHeight": 8.0,
    "walls": {"north": [{"type": "window", "position": 3.0, "width": 4.0}],
              "east": [{"type": "door", "position": 5.0, "width": 2.67}],
              "south": [], "west": []},
    "shape": "rectangle",
}


@dataclass
class Seeded:
    """Headers that authenticate as the user (key and JWT, as designs needs both) and their objects' ids."""

    headers: dict
    ids: dict = field(default_factory=dict)

    @classmethod
    def create(cls, user) -> "Seeded":
        """Put ``user`` on the enterprise plan and give them one object of each kind."""
        user.plan = Plan.ENTERPRISE
        user.save(update_fields=["plan"])
        _, raw = create_api_key(user, name="schemathesis")
        # A second key for DELETE /api-keys/{key_id}: revoking the one in use would turn the rest into 401s.
        spare, _ = create_api_key(user, name="spare")
        token = issue_tokens(user)["access_token"]
        ids = {"key_id": spare.pk, **_staging(user), **_floorplans(user), **_catalog(user), **_personas(user)}
        return cls(headers={"X-API-Key": raw, "Authorization": f"Bearer {token}"},
                   ids={name: str(value) for name, value in ids.items()})


def _staging(user) -> dict:
    style = Style.objects.active().first()
    job = jobs.create_job(user, kind="staging", task="staging.tasks.run_staging", metered=False)
    name = default_storage.save("staging/originals/seed.jpg", ContentFile(b"seed"))
    batch = Batch.objects.create(owner=user, style=style, property_name="12 Elm St", total_images=1)
    staging = Staging.objects.create(owner=user, job=job, original_image=name, style=style, batch=batch)
    return {"staging_id": staging.pk, "batch_id": batch.pk}


def _floorplans(user) -> dict:
    session = floorplans.create_session(user, address="12 Elm St, Springfield")
    room = floorplans.create_room(session, type="bedroom")
    floorplans.save_analysis(room, analysis=ROOM_ANALYSIS, source=AnalysisSource.MANUAL, author=user,
                             confidence=None)
    return {"session_id": session.pk, "room_id": room.pk, "number": 1, "direction": "north",
            "export_format": "svg"}


def _catalog(user) -> dict:
    product = catalog.create_product(user, title="Wireless Headphones", category="electronics")
    key = default_storage.save(product.new_image_key("photo.jpg"), ContentFile(b"seed"))
    image = ProductImage.objects.create(product=product, s3_key=key, original_filename="photo.jpg",
                                        content_type="image/jpeg", file_size_bytes=4, upload_status="uploaded",
                                        is_primary=True)
    job = jobs.create_job(user, kind="catalog_batch", task="catalog.tasks.run_batch", metered=False)
    return {"product_id": product.pk, "image_id": image.pk, "image_ids": image.pk, "job_id": job.pk}


def _personas(user) -> dict:
    character = Character.objects.create(
        owner=user, name="Maya Rivers", bio="Trail runner from Portland.", timezone="America/Los_Angeles",
        personality={"communication_style": "playful"}, appearance={"hair_color": "auburn"})
    content = ContentItem.objects.create(character=character, content_type=ContentType.TEXT,
                                         caption="Sunrise miles before espresso.", prompt="a sunrise run")
    generation = Generation.objects.create(character=character, content_type=ContentType.TEXT, prompt="a run")
    account = PlatformAccount.objects.create(character=character, platform="mastodon", auth_type="oauth",
                                             account_username="maya")
    post = Post.objects.create(character=character, account=account, content=content, caption="a")
    scheduled = ScheduledPost.objects.create(character=character, account=account, content=content,
                                             scheduled_at=timezone.now() + timedelta(days=1))
    rule = rules.create_rule(user, character_id=character.pk, name="Daily", trigger_type="schedule",
                             trigger_config={"cron": "0 9 * * *", "timezone": "America/New_York"})
    return {"character_id": character.pk, "content_id": content.pk, "generation_id": generation.pk,
            "account_id": account.pk, "platform_account_id": account.pk, "post_id": post.pk,
            "scheduled_post_id": scheduled.pk, "rule_id": rule.pk, "platform": "mastodon"}
