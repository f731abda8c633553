"""Catalog pages."""

from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.products, name="products"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("feeds/", views.feeds, name="feeds"),
    path("fix-failing", views.fix_failing, name="fix_failing"),
    path("<uuid:product_id>/", views.product, name="product"),
    path("<uuid:product_id>/photos", views.upload, name="upload"),
    path("<uuid:product_id>/analyse", views.analyse_all, name="analyse_all"),
    path("images/<uuid:image_id>/rerun", views.rerun, name="rerun"),
    path("images/<uuid:image_id>/fix", views.fix, name="fix"),
    path("batches/<uuid:job_id>/", views.batch, name="batch"),
    path("batches/<uuid:job_id>/cancel", views.batch_cancel, name="batch_cancel"),
    path("batches/<uuid:job_id>/retry", views.batch_retry, name="batch_retry"),
    path("batches/<uuid:job_id>/export.<str:fmt>", views.batch_export, name="batch_export"),
]
