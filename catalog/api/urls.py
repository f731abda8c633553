"""Seed 001's catalog routes, included under ``/api/v1/``."""

from django.urls import path

from catalog.api import feed_views, views

urlpatterns = [
    path("products", views.ProductListView.as_view(), name="catalog-products"),
    path("products/fix", views.ProductsFixView.as_view(), name="catalog-products-fix"),
    path("products/<uuid:product_id>", views.ProductDetailView.as_view(), name="catalog-product"),
    path("products/<uuid:product_id>/analysis", views.ProductAnalysisView.as_view(), name="catalog-product-analysis"),
    path("products/<uuid:product_id>/images/<uuid:image_id>/fix", views.ImageFixView.as_view(),
         name="catalog-image-fix"),
    path("uploads/presigned-url", views.PresignedUrlView.as_view(), name="catalog-presigned-url"),
    path("uploads/confirm", views.UploadConfirmView.as_view(), name="catalog-upload-confirm"),
    path("uploads/direct", views.DirectUploadView.as_view(), name="catalog-upload-direct"),
    path("analysis/<uuid:image_id>", views.AnalysisDetailView.as_view(), name="catalog-analysis"),
    path("analysis/<uuid:image_id>/retry", views.AnalysisRetryView.as_view(), name="catalog-analysis-retry"),
    path("batch", views.BatchCreateView.as_view(), name="catalog-batch"),
    path("batch/<uuid:job_id>", views.BatchDetailView.as_view(), name="catalog-batch-detail"),
    path("jobs", views.JobListView.as_view(), name="catalog-jobs"),
    path("jobs/<uuid:job_id>", views.JobDetailView.as_view(), name="catalog-job"),
    path("dashboard/stats", views.DashboardStatsView.as_view(), name="catalog-dashboard-stats"),
    path("dashboard/recent", views.DashboardRecentView.as_view(), name="catalog-dashboard-recent"),
    path("dashboard/category-distribution", views.CategoryDistributionView.as_view(),
         name="catalog-category-distribution"),
    path("feeds/google.tsv", feed_views.GoogleTSVFeedView.as_view(), name="catalog-feed-google-tsv"),
    path("feeds/google.xml", feed_views.GoogleXMLFeedView.as_view(), name="catalog-feed-google-xml"),
    path("feeds/shopify.csv", feed_views.ShopifyCSVFeedView.as_view(), name="catalog-feed-shopify-csv"),
    path("feeds/readiness", feed_views.FeedReadinessView.as_view(), name="catalog-feed-readiness"),
]
