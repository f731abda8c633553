"""The staff page at /admin/ai/ (views.status), rendered from a RequestFactory request."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory, override_settings

from config.ai import views


def get(user):
    request = RequestFactory().get("/admin/ai/")
    request.user = user
    return views.status(request)


@pytest.mark.django_db  # the admin's context asks each ModelAdmin for permissions; a singleton's reads its table
@override_settings(AI_LLM_PROVIDER="none", AI_IMAGE_PROVIDER="none")
def test_staff_see_each_capabilitys_provider_model_status_and_latency():
    staff = get_user_model()(email="staff@example.com", is_staff=True, is_superuser=True, is_active=True)

    response = get(staff)

    page = response.content.decode()
    assert response.status_code == 200
    for text in ("AI engines", "Language model", "Image generation", "Image labels", "Text embeddings",
                 "Classic vision", "not configured", "opencv", "Last latency"):
        assert text in page


def test_anonymous_visitors_are_sent_to_the_admin_login():
    response = get(AnonymousUser())

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
