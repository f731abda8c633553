"""factory-boy factories for the catalog rows: products, their images, analyses and findings, job items.

Defaults are the model's own plus what a row cannot exist without. A test
states the fields it is about. ``ProductImageFactory(data=...)`` stores those
bytes as the image's original; without ``data`` the image has a key but no
file. Real jobs come from the services (``services.queue_analysis``,
``services.create_batch``); ``CatalogJobFactory`` is a bare row for reads.
"""

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from catalog.choices import AnalysisStatus, ProductStatus, UploadStatus
from catalog.models import (
    AnalysisResult,
    BatchItem,
    ComplianceCheck,
    DetectedDefect,
    ExtractedAttribute,
    Product,
    ProductImage,
)
from catalog.services.analysis import ON_FINISH, TASK
from config.jobs.choices import JobStatus
from config.jobs.models import Job
from tests.factories import UserFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Product {n}")
    status = ProductStatus.DRAFT


def stored_key(image) -> str:
    """The image's storage key; with ``data``, the bytes are saved there first."""
    key = image.product.new_image_key(image.original_filename)
    return key if image.data is None else default_storage.save(key, ContentFile(image.data))


class ProductImageFactory(factory.django.DjangoModelFactory):
    """An uploaded image, the product's primary one if it has none yet."""

    class Meta:
        model = ProductImage

    class Params:
        data = None

    product = factory.SubFactory(ProductFactory)
    original_filename = factory.Sequence(lambda n: f"photo{n}.jpg")
    s3_key = factory.LazyAttribute(stored_key)
    content_type = "image/jpeg"
    file_size_bytes = factory.LazyAttribute(lambda image: len(image.data or b""))
    upload_status = UploadStatus.UPLOADED
    is_primary = factory.LazyAttribute(lambda image: not image.product.images.filter(is_primary=True).exists())


class AnalysisResultFactory(factory.django.DjangoModelFactory):
    """A completed analysis outside any job."""

    class Meta:
        model = AnalysisResult

    image = factory.SubFactory(ProductImageFactory)
    status = AnalysisStatus.COMPLETED


class ExtractedAttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExtractedAttribute

    analysis = factory.SubFactory(AnalysisResultFactory)
    attribute_name = "color"
    attribute_value = "red"
    confidence = 0.6


class DetectedDefectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DetectedDefect

    analysis = factory.SubFactory(AnalysisResultFactory)
    defect_type = "blur"
    severity = "low"
    confidence = 0.7


class ComplianceCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplianceCheck

    analysis = factory.SubFactory(AnalysisResultFactory)
    marketplace = "amazon"
    rule = "main_image_white_background"
    passed = True


class CatalogJobFactory(factory.django.DjangoModelFactory):
    """A queued single-image catalog job row, not enqueued and taking no usage."""

    class Meta:
        model = Job

    owner = factory.SubFactory(UserFactory)
    kind = "catalog.single"
    task = TASK
    on_finish = ON_FINISH
    status = JobStatus.QUEUED
    metered = False
    params = factory.Dict({"charged": False})


class BatchItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BatchItem

    job = factory.SubFactory(CatalogJobFactory)
    image = factory.SubFactory(ProductImageFactory, product__owner=factory.SelfAttribute("...job.owner"))
    position = factory.Sequence(lambda n: n)
