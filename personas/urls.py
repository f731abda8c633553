"""Personas pages, under /personas/."""

from django.urls import path

from personas import views

app_name = "personas"
urlpatterns = [
    path("", views.character_list, name="characters"),
    path("new/", views.character_new, name="character_new"),
    path("<uuid:character_id>/", views.character_edit, name="character_edit"),
    path("<uuid:character_id>/pause", views.character_status, {"action": "pause"}, name="character_pause"),
    path("<uuid:character_id>/resume", views.character_status, {"action": "resume"}, name="character_resume"),
    path("<uuid:character_id>/studio/", views.studio, name="studio"),
    path("<uuid:character_id>/generate", views.generate, name="generate"),
    path("<uuid:character_id>/compose", views.compose, name="compose"),
    path("content/<uuid:content_id>/approve", views.review, {"decision": "approve"}, name="approve"),
    path("content/<uuid:content_id>/reject", views.review, {"decision": "reject"}, name="reject"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/schedule", views.schedule, name="schedule"),
    path("calendar/<uuid:scheduled_post_id>/cancel", views.unschedule, name="unschedule"),
    path("connections/", views.connections, name="connections"),
    path("connections/<str:platform>/connect", views.connect, name="connect"),
    path("connections/<str:platform>/authorize", views.authorize, name="authorize"),
    path("oauth/bluesky/client-metadata.json", views.bluesky_client_metadata, name="bluesky_client_metadata"),
    path("oauth/<str:platform>/callback", views.oauth_callback, name="oauth_callback"),
    path("accounts/<uuid:account_id>/disconnect", views.account_action, {"action": "disconnect"},
         name="disconnect"),
    path("accounts/<uuid:account_id>/sync", views.account_action, {"action": "sync"}, name="sync"),
    path("analytics/", views.analytics_page, name="analytics"),
    path("rules/", views.rules, name="rules"),
    path("rules/<uuid:rule_id>/", views.rule_detail, name="rule"),
    path("rules/<uuid:rule_id>/enable", views.rule_action, {"action": "enable"}, name="rule_enable"),
    path("rules/<uuid:rule_id>/disable", views.rule_action, {"action": "disable"}, name="rule_disable"),
    path("rules/<uuid:rule_id>/dry-run", views.rule_action, {"action": "dry-run"}, name="rule_dry_run"),
]
