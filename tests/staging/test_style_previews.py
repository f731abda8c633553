"""Style previews: rendered with the configured engine, uploaded by staff, answered as a URL."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from staging.models import Style
from tests.staging.conftest import ScriptedGenerator

pytestmark = pytest.mark.django_db


def painted(request) -> Image.Image:
    return Image.new("RGB", (request.width, request.height), (180, 150, 120))


def test_the_command_renders_every_active_style_with_the_engine(use_engine, api):
    engine = use_engine(ScriptedGenerator(painted))
    call_command("render_style_previews", stdout=io.StringIO())
    active = Style.objects.active()
    assert len(engine.requests) == active.count() > 0
    assert all(request.init_image is None and "living room" in request.prompt for request in engine.requests)
    styles = api.get("/api/styles").json()["styles"]
    assert all(style["preview_image"] for style in styles)
    preview = Image.open(Style.objects.get(pk=styles[0]["id"]).preview_image.open())
    assert preview.size == (768, 512)


def test_only_missing_previews_are_rendered_with_missing(use_engine):
    engine = use_engine(ScriptedGenerator(painted))
    call_command("render_style_previews", "modern_luxury", stdout=io.StringIO())
    call_command("render_style_previews", "--missing", stdout=io.StringIO())
    prompts = [request.prompt for request in engine.requests]
    assert len(prompts) == Style.objects.active().count()


def test_without_an_engine_the_command_fails_and_stores_nothing(api):
    with pytest.raises(CommandError, match="No image generator is configured"):
        call_command("render_style_previews", stdout=io.StringIO())
    assert all(style["preview_image"] is None for style in api.get("/api/styles").json()["styles"])


def test_an_unknown_style_is_refused(use_engine):
    use_engine(ScriptedGenerator(painted))
    with pytest.raises(CommandError, match="Unknown style"):
        call_command("render_style_previews", "baroque_palace", stdout=io.StringIO())


def test_staff_can_upload_a_preview_in_the_admin(client, staff, api):
    client.force_login(staff)
    style = Style.objects.get(pk="modern_luxury")
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (90, 90, 90)).save(buffer, "JPEG")
    photo = SimpleUploadedFile("preview.jpg", buffer.getvalue(), content_type="image/jpeg")
    page = client.get(f"/admin/staging/style/{style.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data.update({"preview_image": photo, "best_for": '["living_room"]', "palette": "[]"})
    data = {key: value for key, value in data.items() if value is not None}
    response = client.post(f"/admin/staging/style/{style.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    answered = {item["id"]: item for item in api.get("/api/styles").json()["styles"]}
    assert answered["modern_luxury"]["preview_image"]
