"""Seed 001: the catalog API under ``/api/v1``. Errors are ``{"detail": "..."}``, validation 422.

Each view belongs to one of the seed's rate-limit tiers (per user, shared by
every endpoint of the tier): uploads 30/min, analysis and batch 60/min,
reads and product writes 120/min.
"""

import math

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors, services
from catalog.api import serializers as s
from catalog.choices import ProductStatus
from config.api import envelopes
from config.api.input import parse
from config.api.pagination import limit_params, page_params
from config.api.parsers import MultiPartParser
from config.api.ratelimit import enforce
from config.api.schema import numbered_page
from config.jobs.choices import JobStatus

TAGS = ["catalog"]


class CatalogAPIView(APIView):
    error_envelope = envelopes.DETAIL
    rate_scope = "catalog_read"

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)  # authenticates first: limits count per user
        enforce(request, self.rate_scope)


class UploadAPIView(CatalogAPIView):
    rate_scope = "catalog_upload"


class AnalysisAPIView(CatalogAPIView):
    rate_scope = "catalog_analysis"


def queued(job, message: str, image=None, *, image_id=None) -> dict:
    image_id = image.pk if image is not None else image_id
    body = {"job_id": job.pk, "status": job.status, "message": message}
    return s.QueuedSerializer({"image_id": image_id, **body} if image_id is not None else body).data


class ProductListView(CatalogAPIView):
    @extend_schema(operation_id="catalog_products_list",
                   parameters=[OpenApiParameter("category", str),
                               OpenApiParameter("status", enum=["", *ProductStatus.values]),
                               OpenApiParameter("search", str), OpenApiParameter("page", int),
                               OpenApiParameter("page_size", int)],
                   responses={200: numbered_page("ProductPage", s.ProductSerializer)}, tags=TAGS)
    def get(self, request):
        """The user's products, newest first: ``{items, total, page, page_size, pages}``."""
        params = request.query_params
        page, size, window = page_params(params)
        products = selectors.products_for(request.user, category=params.get("category", ""),
                                          status=params.get("status", ""), search=params.get("search", ""))
        items, total = window.slice(products)
        found = selectors.duplicate_photos(request.user, image_ids=[i.pk for p in items for i in p.images.all()])
        return Response({"items": s.ProductSerializer(items, many=True, context={"duplicates": found}).data,
                         "total": total, "page": page,
                         "page_size": size, "pages": math.ceil(total / size)})

    @extend_schema(request=s.ProductInputSerializer, responses={201: s.ProductSerializer}, tags=TAGS)
    def post(self, request):
        """Create a product (a draft unless ``status`` says otherwise)."""
        product = services.create_product(request.user, **parse(s.ProductInputSerializer, request.data))
        product = selectors.product_for(request.user, product.pk)
        return Response(s.ProductSerializer(product).data, status=status.HTTP_201_CREATED)


class ProductDetailView(CatalogAPIView):
    @extend_schema(responses={200: s.ProductSerializer}, tags=TAGS)
    def get(self, request, product_id):
        """One product with its images (404 when it is not the user's)."""
        return Response(s.ProductSerializer(selectors.product_for(request.user, product_id)).data)

    @extend_schema(request=s.ProductUpdateSerializer, responses={200: s.ProductSerializer}, tags=TAGS)
    def patch(self, request, product_id):
        """Change the fields sent; the others stay."""
        changes = parse(s.ProductUpdateSerializer, request.data)
        services.update_product(request.user, product_id=product_id, changes=changes)
        return Response(s.ProductSerializer(selectors.product_for(request.user, product_id)).data)

    @extend_schema(responses={204: None}, tags=TAGS)
    def delete(self, request, product_id):
        """Delete the product, its images (stored files too), analyses and findings."""
        services.delete_product(request.user, product_id=product_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductAnalysisView(CatalogAPIView):
    @extend_schema(responses={200: s.AnalysisResultSerializer(many=True)}, tags=TAGS)
    def get(self, request, product_id):
        """Every analysis run of the product's images, newest first."""
        analyses = selectors.analyses_of_product(request.user, product_id)
        return Response(s.AnalysisResultSerializer(analyses, many=True).data)


class PresignedUrlView(UploadAPIView):
    @extend_schema(request=s.PresignedUrlInputSerializer, responses={200: s.PresignedUrlSerializer}, tags=TAGS)
    def post(self, request):
        """Reserve an image and a URL to PUT its bytes to (valid one hour); then call confirm."""
        image, grant = services.start_upload(request.user, **parse(s.PresignedUrlInputSerializer, request.data))
        return Response(s.PresignedUrlSerializer({
            "upload_url": grant["upload_url"], "image_id": image.pk, "s3_key": image.s3_key,
            "expires_in": grant["expires_in"], "method": grant["method"], "headers": grant["headers"],
        }).data)


class UploadConfirmView(UploadAPIView):
    @extend_schema(request=s.ConfirmInputSerializer, tags=TAGS, responses={
        200: s.QueuedSerializer, 409: OpenApiResponse(description="The upload has already been confirmed")})
    def post(self, request):
        """Check the uploaded bytes and queue the image's analysis (422 when missing or not an image)."""
        data = parse(s.ConfirmInputSerializer, request.data)
        image, job = services.confirm_upload(request.user, image_id=data["image_id"])
        return Response(queued(job, "Image processing started", image))


class DirectUploadView(UploadAPIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": s.DirectUploadInputSerializer},
                   responses={200: s.QueuedSerializer}, tags=TAGS)
    def post(self, request):
        """Upload an image through the API (JPEG, PNG, WebP or GIF by content; 50 MB) and queue its analysis."""
        data = parse(s.DirectUploadInputSerializer, request.data)
        image, job = services.upload_direct(request.user, product_id=data["product_id"], upload=data.get("file"))
        return Response(queued(job, "Image uploaded and processing started", image))


class AnalysisDetailView(AnalysisAPIView):
    @extend_schema(responses={200: s.AnalysisResultSerializer}, tags=TAGS)
    def get(self, request, image_id):
        """The image's latest analysis (404 when none, or not the user's image)."""
        return Response(s.AnalysisResultSerializer(selectors.latest_analysis(request.user, image_id)).data)


class AnalysisRetryView(AnalysisAPIView):
    @extend_schema(request=None, tags=TAGS, responses={
        200: s.QueuedSerializer, 409: OpenApiResponse(description="An analysis of the image is queued or running")})
    def post(self, request, image_id):
        """Analyse the image again in a new job (409 while an analysis of it is queued or running)."""
        job = services.retry_analysis(request.user, image_id=image_id)
        return Response(queued(job, "Analysis retry started"))


class ImageFixView(AnalysisAPIView):
    @extend_schema(request=s.FixInputSerializer, responses={202: s.QueuedSerializer}, tags=TAGS)
    def post(self, request, product_id, image_id):
        """Make a main image for ``marketplace`` from this photo, as a new image of the product, in a job.

        The job stores the fixed photo (the source stays), analyses it, and its result names the new
        ``image_id``, the ``marketplace``, the fix's ``checks`` and the rules it could not meet (``unmet``).
        A photo with no product to cut out fails the job with ``NO_PRODUCT_TO_CUT_OUT``.
        """
        data = parse(s.FixInputSerializer, request.data)
        job = services.queue_fix(request.user, product_id=product_id, image_id=image_id, **data)
        return Response(queued(job, "Main-image fix started", image_id=image_id), status=status.HTTP_202_ACCEPTED)


class ProductsFixView(AnalysisAPIView):
    @extend_schema(request=s.FixAllInputSerializer, responses={202: s.FixAllQueuedSerializer}, tags=TAGS)
    def post(self, request):
        """Fix the failing main images of chosen products for ``marketplace``, in one job.

        Choose ``product_ids`` (422 naming those that are not yours; an empty list is 422, nothing
        chosen) or ``batch_id``, an analysis batch: the products whose photos it analysed (404 when
        it is not yours). A main image is a product's primary photo; it is fixed when its latest
        analysis fails a required rule of the marketplace and it has no fix for it yet (422 when no
        chosen product has one). The job (``job_type`` ``fix_all``) reports progress per photo; its
        ``result`` lists the images ``fixed`` and those that ``failed`` with their code.
        """
        job = services.queue_fix_all(request.user, **parse(s.FixAllInputSerializer, request.data))
        return Response(s.FixAllQueuedSerializer({
            "job_id": job.pk, "status": job.status, "message": "Main-image fixes started",
            "status_url": request.build_absolute_uri(reverse("catalog-job", args=[job.pk])),
            "image_ids": job.params["image_ids"]}).data, status=status.HTTP_202_ACCEPTED)


class BatchCreateView(AnalysisAPIView):
    @extend_schema(request=s.AnalysisBatchInputSerializer, responses={201: s.ProcessingJobSerializer}, tags=TAGS)
    def post(self, request):
        """Analyse several uploaded images of one product in one job (one unit of usage per image)."""
        data = parse(s.AnalysisBatchInputSerializer, request.data)
        job = services.create_batch(request.user, product_id=data["product_id"], image_ids=data["image_ids"])
        job = selectors.job_for(request.user, job.pk)
        return Response(s.ProcessingJobSerializer(job).data, status=status.HTTP_201_CREATED)


class BatchDetailView(AnalysisAPIView):
    @extend_schema(responses={200: s.ProcessingJobSerializer}, tags=TAGS)
    def get(self, request, job_id):
        """A catalog job with its image counts and steps."""
        return Response(s.ProcessingJobSerializer(selectors.job_for(request.user, job_id, catalog_only=True)).data)

    @extend_schema(responses={204: None}, tags=TAGS)
    def delete(self, request, job_id):
        """Cancel the job: images not started never run (409 when it has finished)."""
        services.cancel_batch(request.user, job_id=job_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JobListView(CatalogAPIView):
    @extend_schema(parameters=[OpenApiParameter("status", enum=["", *JobStatus.values]), OpenApiParameter("limit", int),
                               OpenApiParameter("offset", int)],
                   responses={200: s.JobListSerializer}, tags=TAGS, operation_id="catalog_jobs_list")
    def get(self, request):
        """All the user's processing jobs, of every kind, newest first: ``{items, total}``."""
        window = limit_params(request.query_params)
        jobs = selectors.jobs_for(request.user, status=request.query_params.get("status", ""))
        items, total = window.slice(jobs)
        return Response({"items": s.ProcessingJobSerializer(items, many=True).data, "total": total})


class JobDetailView(CatalogAPIView):
    @extend_schema(responses={200: s.ProcessingJobSerializer}, tags=TAGS)
    def get(self, request, job_id):
        """One job with all its steps."""
        return Response(s.ProcessingJobSerializer(selectors.job_for(request.user, job_id)).data)


class DashboardStatsView(CatalogAPIView):
    @extend_schema(responses={200: dict}, tags=TAGS)
    def get(self, request):
        """Products, images, completed analyses, photo problems (``total_defects``: blur, exposure, resolution,
        background, cropping; not product damage), active jobs, the mean analysis time and, as an addition,
        ``duplicate_images``: photos that duplicate another of the user's."""
        return Response(selectors.dashboard_stats(request.user))


class DashboardRecentView(CatalogAPIView):
    @extend_schema(responses={200: s.RecentJobSerializer(many=True)}, tags=TAGS)
    def get(self, request):
        """The latest catalog jobs."""
        return Response(s.RecentJobSerializer(selectors.recent_jobs(request.user), many=True).data)


class CategoryDistributionView(CatalogAPIView):
    @extend_schema(responses={200: inline_serializer("CategoryCount", {"category": serializers.CharField(),
                                                                       "count": serializers.IntegerField()},
                                                     many=True)}, tags=TAGS)
    def get(self, request):
        """How many products are in each category."""
        return Response(selectors.category_distribution(request.user))
