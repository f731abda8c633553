"""Main images for the fix tests: a primary photo with an Amazon verdict, and a photo a fix can mend."""

from PIL import Image

from catalog.models import ProductImage
from tests.catalog.conftest import encoded
from tests.catalog.drawn_scenes import cup_scene
from tests.catalog.factories import AnalysisResultFactory, ComplianceCheckFactory, ProductFactory, ProductImageFactory


def main_image(owner, data: bytes = b"", *, amazon_passes: bool = False, title: str = "Cup") -> ProductImage:
    """A product's primary photo whose latest analysis passes or fails Amazon's white-background rule."""
    image = ProductImageFactory(product=ProductFactory(owner=owner, title=title), data=data)
    ComplianceCheckFactory(analysis=AnalysisResultFactory(image=image), rule="main_image_white_background",
                           measured="rgb(120, 80, 40)", threshold="white", passed=amazon_passes)
    return image


def cup_on_wood() -> bytes:
    """A JPEG of a cup on a wooden table, half the frame: a main image Amazon refuses and a fix can mend."""
    photo, _ = cup_scene((1600, 1200), fill=0.5, backdrop="wood")
    return encoded(Image.fromarray(photo), quality=92)
