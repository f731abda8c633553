"""The files a staged photo is delivered as, before they are stored.

One place decides every rendition's name, encoding and disclosure, so the
pixel-lock measurement knows what each file should contain. No storage here:
``services.store_renditions`` writes what this module renders.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image

from staging import disclosure, renditions
from staging.models import Staging
from staging.selectors import permanent_original_url

# The renditions the pixel lock is promised on, and measured on once stored.
LOCKED_RENDITIONS = ("download_image", "web_image")


@dataclass(frozen=True)
class Rendition:
    """One file to store: the model field it fills, its file name and bytes, and the
    pixels (at its own size) changed on purpose, such as a disclosure band."""

    field: str
    name: str
    content: bytes
    marked: np.ndarray | None = None


def render(staging: Staging, image: Image.Image) -> list[Rendition]:
    """Every rendition of the locked, staged ``image`` for ``staging``.

    The full-size file and the web copy are lossless (see ``renditions``). With
    a disclosure profile the download carries its mark; without one the
    download is the full-size staged file itself.
    """
    staged = Rendition("staged_image", "staged.png", renditions.encode_png(image))
    files = [staged, Rendition("web_image", "web.webp", renditions.web_copy(image)),
             Rendition("thumbnail", "thumb.jpg", renditions.thumbnail(image))]
    profile = staging.disclosure_profile
    if profile is None:
        return [*files, Rendition("download_image", staged.name, staged.content)]
    disclosed = disclosure.apply_disclosure(
        image, mark=profile.mark, statement=profile.statement, link_to_original=profile.link_to_original,
        original_url=permanent_original_url(staging) if profile.link_to_original else None,
    )
    return [*files, Rendition("download_image", "download.png", renditions.encode_png(disclosed.image),
                              marked=disclosed.marked)]
