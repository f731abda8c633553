"""Seed 002's routes: v2 under ``/api/v1/``, v1 at the site root."""

from django.urls import path

from designs.api import views

v2_urlpatterns = [path("generate", views.GenerateV2View.as_view(), name="designs-generate")]
v1_urlpatterns = [path("generate", views.GenerateV1View.as_view(), name="designs-generate-v1")]
