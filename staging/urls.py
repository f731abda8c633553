"""Staging pages."""

from django.urls import path

from staging import views

app_name = "staging"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("history/", views.history, name="history"),
    path("drafts/stage", views.stage_drafts, name="stage_drafts"),
    path("drafts/<uuid:draft_id>/delete", views.delete_draft, name="delete_draft"),
    path("batches/<uuid:batch_id>/", views.batch, name="batch"),
    path("batches/<uuid:batch_id>/export.zip", views.batch_export, name="batch_export"),
    path("room-sets/new", views.room_set_new, name="room_set_new"),
    path("room-sets/<uuid:room_set_id>/", views.room_set, name="room_set"),
    path("<uuid:staging_id>/", views.detail, name="detail"),
    path("<uuid:staging_id>/restage", views.restage, name="restage"),
    path("<uuid:staging_id>/revise", views.revise, name="revise"),
    path("<uuid:staging_id>/choose", views.choose, name="choose"),
    path("originals/<uuid:staging_id>", views.original, name="original"),
]
