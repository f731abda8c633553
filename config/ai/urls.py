"""Mounted under /admin/ai/, before the admin's own URLs."""

from django.urls import path

from config.ai import views

app_name = "ai"
urlpatterns = [
    path("", views.status, name="status"),
    path("engines/", views.engines, name="engines"),
]
