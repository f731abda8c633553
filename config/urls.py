"""HTTP routes of every app."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from config import health
from config import views as config_views
from config.accounts import views as account_views
from config.security import throttle_posts
from designs import views as design_views
from designs.api import urls as design_api_urls

urlpatterns = [
    path("", account_views.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page links; the SVG answers both.
    path("favicon.ico", config_views.favicon),
    path("dashboard/", account_views.dashboard, name="dashboard"),
    path("accounts/", include("config.accounts.urls")),
    path("jobs/", include("config.jobs.urls")),
    path("", include("config.files.urls")),
    path("health", health.health, name="health"),
    path("ready", health.ready, name="ready"),
    path("staging/", include("staging.urls")),
    path("api/", include("staging.api.urls")),
    path("floorplans/", include("floorplans.urls")),
    path("catalog/", include("catalog.urls")),
    path("designs/", include("designs.urls")),
    path("personas/", include("personas.urls")),
    # The API's preview_url names this page, outside /designs/ as the designs document has it.
    path("preview/<uuid:spec_id>", design_views.preview, name="design-preview"),
    path("preview-images/<str:token>.png", design_views.preview_image, name="design-preview-image"),
    path("api/floorplan/", include("floorplans.api.urls")),
    path("api/v1/auth/", include("config.accounts.api.urls")),
    path("api/v1/", include(design_api_urls.v2_urlpatterns)),
    path("", include(design_api_urls.v1_urlpatterns)),
    path("api/v1/", include("catalog.api.urls")),
    path("api/v1/", include("personas.api.urls")),
    path("api/v1/", include("config.jobs.api.urls")),
    path("", include("config.webhooks.urls")),  # /api/v1/webhooks… and the /accounts/webhooks/ page
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/ai/", include("config.ai.urls")),
    # Before admin.site.urls, so the admin's own sign-in is throttled like the site's.
    path("admin/login/", throttle_posts("auth", name="admin_login", per_field="username")(admin.site.login)),
    path("admin/", admin.site.urls),
]

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
