"""A batch's listing export pack: one ZIP an agent uploads to the MLS as it is.

Per finished photo: the staged image sized for MLS uploads (long side
``MLS_LONG_EDGE``, JPEG under ``MLS_MAX_BYTES``, sRGB with its profile embedded;
the rendition with the disclosure mark when the batch's profile asks for one),
the original as stored, and the disclosure caption the listing's description
must carry. ``manifest.json`` lists every photo of the batch, finished or not,
with its files, style, room and measured figures, and the profile applied.
Nothing here is shown unless its staging belongs to the batch's owner (the
views look the batch up by owner).
"""

import io
import json
import tempfile
import zipfile
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.utils.text import slugify
from PIL import Image, ImageCms

from config.files.renditions import fit_within
from config.timestamps import iso8601
from staging.choices import StagingMode
from staging.models import Batch, Staging
from staging.selectors import disclosure_for

MLS_LONG_EDGE = 2048
MLS_MAX_BYTES = 10 * 1024 * 1024
JPEG_QUALITIES = (92, 85, 75, 60)  # lowered only until the photo is under MLS_MAX_BYTES
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
SPOOL_BYTES = 32 * 1024 * 1024


def file_name(batch: Batch) -> str:
    return f"{slugify(batch.property_name) or 'staged-photos'}-listing-pack.zip"


def listing_pack(batch: Batch):
    """The pack as a file object positioned at its start (spooled to disk past ``SPOOL_BYTES``)."""
    stagings = list(batch.stagings.select_related("job", "style", "disclosure_profile").order_by("created_at"))
    archive = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - FileResponse closes it
    photos = []
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        for number, staging in enumerate(stagings, 1):
            photos.append(_add_photo(pack, number, staging))
        manifest = {
            "batch_id": str(batch.pk), "property_name": batch.property_name, "style": batch.style_id,
            "created_at": iso8601(batch.created_at), "mls": {"long_edge_px": MLS_LONG_EDGE,
                                                              "max_bytes": MLS_MAX_BYTES, "color_space": "sRGB"},
            "photos": photos,
        }
        pack.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    archive.seek(0)
    return archive


def _add_photo(pack: zipfile.ZipFile, number: int, staging: Staging) -> dict:
    room = staging.get_room_type_display() if staging.room_type else staging.style.name
    stem = f"{number:02d}-{slugify(room) or 'room'}"
    entry = {
        "staging_id": str(staging.pk), "status": staging.status, "style": staging.style_id,
        "mode": staging.mode, "room_type": staging.room_type or None, "files": {},
        "quality_score": float(staging.quality_score) if staging.quality_score is not None else None,
        "architectural_integrity": staging.architectural_integrity, "integrity_score": staging.integrity_score,
        "pixel_lock_share": staging.pixel_lock_share, "disclosure": disclosure_for(staging),
    }
    source = staging.download_image.name or staging.staged_image.name
    if staging.status != "completed" or not source or staging.files_deleted_at:
        return entry
    with default_storage.open(source, "rb") as handle:
        staged = mls_jpeg(Image.open(io.BytesIO(handle.read())))
    entry["files"]["staged"] = f"{stem}-staged.jpg"
    pack.writestr(entry["files"]["staged"], staged)
    if staging.mode == StagingMode.DECLUTTER_AND_STAGE and staging.emptied_image.name:
        # The emptied room is a photo an agent can list too ("the room as it is, empty").
        with default_storage.open(staging.emptied_image.name, "rb") as handle:
            entry["files"]["emptied"] = f"{stem}-emptied.jpg"
            pack.writestr(entry["files"]["emptied"], mls_jpeg(Image.open(io.BytesIO(handle.read()))))
    if staging.original_image.name:
        original = f"{stem}-original{PurePosixPath(staging.original_image.name).suffix or '.jpg'}"
        with default_storage.open(staging.original_image.name, "rb") as handle:
            pack.writestr(original, handle.read())
        entry["files"]["original"] = original
    if entry["disclosure"]:
        entry["files"]["caption"] = f"{stem}-caption.txt"
        pack.writestr(entry["files"]["caption"], entry["disclosure"]["caption"] + "\n")
    return entry


def mls_jpeg(image: Image.Image) -> bytes:
    """``image`` as an MLS upload: long side at most 2048 px, sRGB (profile embedded), JPEG under 10 MB.

    A picture carrying another colour profile (Display P3, Adobe RGB) is converted to sRGB first.
    """
    picture = image.convert("RGB")
    profile = image.info.get("icc_profile")
    if profile and profile != SRGB:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        picture = ImageCms.profileToProfile(picture, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
    picture = fit_within(picture, MLS_LONG_EDGE)
    for quality in JPEG_QUALITIES:
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=quality, icc_profile=SRGB)
        if buffer.tell() <= MLS_MAX_BYTES:
            break
    return buffer.getvalue()
