"""What the pipeline records on a staging as it runs: room, files, figures, consistency."""


from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Min

from staging.models import RoomSet, Staging


def record_room(staging: Staging, *, room_type: str, source: str, labels: list) -> None:
    """Store the room type the pipeline settled on, where it came from, and the labels seen."""
    staging.room_type, staging.room_type_source, staging.interior_labels = room_type, source, labels
    staging.save(update_fields=["room_type", "room_type_source", "interior_labels"])


def store_renditions(staging: Staging, files: list) -> None:
    """Store each rendition under its stable key, replacing what a previous run stored.

    Keys are stable per staging, so a task that runs twice overwrites its own
    files instead of adding new ones.
    """
    saved: dict[int, str] = {}
    for rendition in files:
        # Without a disclosure profile the download is the staged file itself: one file, two fields.
        name = saved.get(id(rendition.content))
        if name is None:
            key = staging.file_key(rendition.name)
            if default_storage.exists(key):
                default_storage.delete(key)
            name = saved[id(rendition.content)] = default_storage.save(key, ContentFile(rendition.content))
        getattr(staging, rendition.field).name = name
    staging.save(update_fields=[rendition.field for rendition in files])


def save_emptied(staging: Staging, *, seed: int, attempts: int, integrity, emptiness, quality,
                 pixel_lock) -> Staging:
    """Record the figures of a declutter's emptied room (its file is already stored)."""
    staging.emptied_figures = {
        "seed": seed, "attempts": attempts, "integrity_score": integrity.score, "integrity_parts": integrity.as_dict(),
        "emptiness": emptiness.as_dict(), "quality_score": round(quality.score, 2), "quality_parts": quality.parts,
        "pixel_lock_share": pixel_lock.share_within_delta_e_1, "pixel_lock_parts": [pixel_lock.as_dict()],
    }
    staging.save(update_fields=["emptied_figures"])
    return staging


def save_result(staging: Staging, *, seed: int, attempts: int, integrity, pixel_lock_share: float,
                pixel_lock_parts: list[dict], quality, provenance: dict, engine, processing_ms: int) -> Staging:
    """Record the figures of a completed staging (its files are already stored)."""
    staging.seed = seed
    staging.variant_count = attempts
    staging.integrity_score = integrity.score
    staging.integrity_parts = integrity.as_dict()
    staging.architectural_integrity = integrity.passed
    staging.pixel_lock_share = pixel_lock_share
    staging.pixel_lock_parts = pixel_lock_parts
    staging.quality_score = round(quality.score, 2)
    staging.quality_parts = quality.parts
    staging.provenance = provenance
    staging.engine, staging.model_name = engine.provider, engine.model
    staging.processing_time_ms = processing_ms
    staging.save()
    return staging


def record_consistency(staging: Staging, report) -> None:
    """Store how alike a set photo's furnished area is to the set's first result."""
    staging.consistency_score, staging.consistency_parts = report.score, report.as_dict()
    staging.save(update_fields=["consistency_score", "consistency_parts"])


def record_set_consistency(room_set: RoomSet) -> None:
    """The set's consistency: its weakest photo's, over the photos measured so far."""
    weakest = room_set.stagings.filter(consistency_score__isnull=False).aggregate(low=Min("consistency_score"))
    RoomSet.objects.filter(pk=room_set.pk).update(consistency=weakest["low"])
