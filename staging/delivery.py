"""The files a staged photo is delivered as, before they are stored.

One place decides every rendition's name, encoding, disclosure and provenance,
so the pixel-lock measurement knows what each file should contain. No storage
here: ``services.store_renditions`` writes what this module renders.
"""

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from staging import disclosure, provenance, renditions
from staging.models import Staging
from staging.selectors import permanent_original_url

# The renditions the pixel lock is promised on, and measured on once stored.
LOCKED_RENDITIONS = ("download_image", "web_image")
MIME_TYPES = {"png": "image/png", "webp": "image/webp", "jpg": "image/jpeg"}


@dataclass(frozen=True)
class Rendition:
    """One file to store: the model field it fills, its file name and bytes, and the
    pixels (at its own size) changed on purpose, such as a disclosure band."""

    field: str
    name: str
    content: bytes
    marked: np.ndarray | None = None


@dataclass(frozen=True)
class Delivery:
    files: list[Rendition]
    provenance: dict


def render(staging: Staging, image: Image.Image, *, original: bytes, engine: str, model: str) -> Delivery:
    """Every rendition of the locked, staged ``image`` for ``staging``, each signed.

    ``original`` is the stored original's bytes (the manifest's ingredient).
    The full-size file and the web copy are lossless (see ``renditions``). With
    a disclosure profile the download carries its mark; without one the
    download is the full-size staged file itself. Raises
    ``provenance.ProvenanceUnavailable`` when the files cannot be signed.
    """
    xmp = provenance.XMP_PACKET
    files = [Rendition("staged_image", "staged.png", renditions.encode_png(image, xmp=xmp)),
             Rendition("web_image", "web.webp", renditions.web_copy(image, xmp=xmp)),
             Rendition("thumbnail", "thumb.jpg", renditions.thumbnail(image, xmp=xmp))]
    profile = staging.disclosure_profile
    if profile is not None:
        disclosed = disclosure.apply_disclosure(
            image, mark=profile.mark, statement=profile.statement, link_to_original=profile.link_to_original,
            original_url=permanent_original_url(staging) if profile.link_to_original else None,
        )
        files.append(Rendition("download_image", "download.png", renditions.encode_png(disclosed.image, xmp=xmp),
                               marked=disclosed.marked))
    original_mime = Image.MIME.get(Image.open(io.BytesIO(original)).format, "image/jpeg")
    signed, manifest = [], {}
    for file in files:
        stamped = provenance.stamp(
            file.content, mime=MIME_TYPES[file.name.rsplit(".", 1)[-1]], title=file.name, original=original,
            original_mime=original_mime, engine=engine, model=model, staging_id=str(staging.pk),
        )
        signed.append(Rendition(file.field, file.name, stamped.content, file.marked))
        manifest = manifest or stamped.manifest
    if profile is None:
        staged = signed[0]
        signed.append(Rendition("download_image", staged.name, staged.content))
    return Delivery(files=signed, provenance=manifest)


def render_emptied(staging: Staging, image: Image.Image, *, original: bytes, engine: str, model: str) -> Rendition:
    """The decluttered room before any staging, as a signed lossless PNG at full size.

    No disclosure mark: a ``declutter`` staging delivers this room through ``render``
    with its mark; this file is the intermediate image the API and pages show beside it.
    """
    original_mime = Image.MIME.get(Image.open(io.BytesIO(original)).format, "image/jpeg")
    stamped = provenance.stamp(
        renditions.encode_png(image, xmp=provenance.XMP_PACKET), mime=MIME_TYPES["png"], title="emptied.png",
        original=original, original_mime=original_mime, engine=engine, model=model, staging_id=str(staging.pk),
    )
    return Rendition("emptied_image", "emptied.png", stamped.content)
