"""Designs pages: prompt and list, one spec with its history, follow-ups, downloads, the full-window preview."""

import json
import re

import pytest
from django.conf import settings as django_settings
from django.utils.text import slugify
from pygltflib import GLTF2

from designs import services
from designs.errors import GenerationFailed
from designs.models import DesignSpec, DesignVersion
from tests.conftest import require
from tests.designs.factories import DesignSpecFactory

pytestmark = pytest.mark.django_db

TABLE = "oak dining table for six, 1.8 m long, white legs"


def require_three() -> None:
    require((django_settings.BASE_DIR / "node_modules" / "three").is_dir(),
            "three.js is not installed (npm ci, run by scripts/setup-env)")


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def design(owner) -> DesignSpec:
    return services.generate(owner, prompt=TABLE).spec


def create(client, prompt=TABLE, **fields):
    return client.post("/designs/", {"prompt": prompt, "style": "", "constraints": "", **fields})


def follow_up(client, spec, prompt):
    return client.post(f"/designs/{spec.pk}/follow-up", {"prompt": prompt})


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_every_page_requires_sign_in(client, design):
    for path in ("/designs/", f"/designs/{design.pk}/", f"/designs/{design.pk}/versions/1.0.json",
                 f"/designs/{design.pk}/versions/1.0.glb", f"/preview/{design.pk}"):
        assert client.get(path)["Location"].startswith("/accounts/login/"), path
    assert client.post(f"/designs/{design.pk}/follow-up", {"prompt": "legs black"})["Location"] \
        .startswith("/accounts/login/")


def test_the_list_page_shows_the_prompt_form_and_an_empty_list(signed_in):
    page = page_of(signed_in.get("/designs/"))

    for label in ("Prompt", "Style", "Constraints", "Where it will be used", "Who it is for", "Budget"):
        assert f">{label}</label>" in page
    assert "Generate design" in page
    assert "No designs yet." in page
    assert 'aria-current="page">Designs</a>' in page


def test_a_prompt_creates_a_spec_and_opens_its_page(signed_in, owner):
    response = create(signed_in, style=" scandinavian ", constraints="seats six\n\n  white legs  \n",
                      environment=" dining room ", budget_range="high-end", target_audience="")

    spec = DesignSpec.objects.get(owner=owner)
    assert response.status_code == 302
    assert response["Location"] == f"/designs/{spec.pk}/"
    version = spec.current_version
    assert (version.label, version.prompt, version.style) == ("1.0", TABLE, "scandinavian")
    assert version.constraints == ["seats six", "white legs"]
    assert version.context == {"environment": "dining room", "budget_range": "high-end"}  # plain inputs, no JSON
    assert spec.design_type == "furniture"


def test_an_empty_prompt_is_a_form_error(signed_in, owner):
    page = page_of(create(signed_in, prompt="   "))

    assert "This field is required." in page
    assert 'aria-invalid="true"' in page
    assert not DesignSpec.objects.filter(owner=owner).exists()


def test_an_over_long_prompt_or_too_many_constraints_are_form_errors(signed_in, owner, settings):
    settings.DESIGNS_MAX_PROMPT_CHARS = 100

    long_prompt = page_of(create(signed_in, prompt="oak table " * 20))
    many = page_of(create(signed_in, constraints="\n".join(["seats six"] * 51)))

    assert "no more than 100 characters" in long_prompt
    assert "At most 50 constraints." in many
    assert not DesignSpec.objects.filter(owner=owner).exists()


def test_a_prompt_naming_no_design_type_shows_the_reason_under_the_prompt(signed_in, owner):
    page = page_of(create(signed_in, prompt="asdf qwerty zxcv"))

    assert re.search(r'id="id_prompt_error" role="alert"><p class="error">[^<]*design type', page, re.IGNORECASE)
    assert not DesignSpec.objects.filter(owner=owner).exists()


def test_a_spent_plan_shows_the_usage_message_not_an_error_page(signed_in, owner):
    owner.usage_this_cycle = owner.usage_limit
    owner.save()

    page = page_of(create(signed_in))

    assert "Monthly limit of" in page
    assert not DesignSpec.objects.filter(owner=owner).exists()


def test_a_failed_generation_shows_its_message_on_the_form(signed_in, monkeypatch):
    def fail(*args, **kwargs):
        raise GenerationFailed("LM inference failed: connection timeout")

    monkeypatch.setattr(services, "generate", fail)

    page = page_of(create(signed_in))

    assert "LM inference failed: connection timeout" in page
    assert 'class="banner banner-error" role="alert"' in page


def test_too_many_prompts_in_a_minute_are_refused_on_the_form(signed_in, owner, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "designs": "1/m"}
    assert create(signed_in).status_code == 302

    page = page_of(create(signed_in))

    assert "Rate limit exceeded" in page
    assert DesignSpec.objects.filter(owner=owner).count() == 1


def test_the_list_shows_the_users_designs_newest_first_with_their_version(signed_in, owner, other_user, design):
    follow_up(signed_in, design, "legs black")
    sofa = services.generate(owner, prompt="grey three-seat sofa").spec
    services.generate(other_user, prompt="red office chair")

    page = page_of(signed_in.get("/designs/"))

    rows = re.findall(r'<tr data-spec="([0-9a-f-]+)">(.*?)</tr>', page, re.DOTALL)
    assert [spec_id for spec_id, _ in rows] == [str(sofa.pk), str(design.pk)]
    assert "<td>1.1</td>" in rows[1][1] and "<td>1.0</td>" in rows[0][1]
    assert f'href="/designs/{design.pk}/">{design.name}</a>' in page
    assert "Furniture" in rows[1][1]


def test_the_list_is_paginated(signed_in, owner):
    DesignSpecFactory.create_batch(23, owner=owner)

    first, second = page_of(signed_in.get("/designs/")), page_of(signed_in.get("/designs/?page=2"))

    assert first.count("<tr data-spec=") == 20 and second.count("<tr data-spec=") == 3
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert 'rel="prev"' in second


def test_detail_shows_the_spec_json_the_preview_and_the_history(signed_in, design):
    version = design.current_version

    page = page_of(signed_in.get(f"/designs/{design.pk}/"))

    assert f"<h1>{design.name}</h1>" in page
    pre = re.search(r"<pre[^>]*data-spec-json[^>]*><code>(.*?)</code></pre>", page, re.DOTALL)[1]
    assert "&quot;spec_id&quot;: &quot;" + str(design.pk) in pre
    for obj in version.spec_json["objects"]:
        assert f"&quot;id&quot;: &quot;{obj['id']}&quot;" in pre
    assert '<script id="design-spec" type="application/json">' in page
    assert "data-design-preview" in page
    assert 'data-version="1.0"' in page and TABLE in page and "Rule-based" in page
    assert "First version: " in page
    assert f'href="/designs/{design.pk}/versions/1.0.json"' in page
    assert f'href="/designs/{design.pk}/versions/1.0.glb"' in page
    assert 'action="/designs/' in page and "Make the next version" in page


def test_with_three_installed_the_page_loads_it_through_an_importmap(signed_in, design):
    require_three()

    page = page_of(signed_in.get(f"/designs/{design.pk}/"))

    assert '<script type="importmap" nonce="' in page  # the nonce lets it past the Content-Security-Policy
    assert '"three": "/static/vendor/three/build/three.module.js"' in page
    assert "/static/vendor/three/examples/jsm/controls/OrbitControls.js" in page
    assert "/static/js/designs-preview.js" in page
    assert signed_in.get("/static/vendor/three/examples/jsm/controls/OrbitControls.js").status_code == 200


def test_without_three_the_preview_says_to_run_npm_ci_and_the_rest_works(signed_in, design, settings):
    settings.STATICFILES_DIRS = [settings.BASE_DIR / "static"]

    page = page_of(signed_in.get(f"/designs/{design.pk}/"))

    assert "npm ci" in page and 'data-preview-state="unavailable"' in page
    assert "importmap" not in page and "designs-preview.js" not in page
    assert "data-spec-json" in page


def test_a_follow_up_makes_version_1_1_and_the_page_shows_its_diff(signed_in, design):
    response = follow_up(signed_in, design, "legs black")

    assert response.status_code == 302 and response["Location"] == f"/designs/{design.pk}/"
    latest = design.versions.get(minor=1)
    assert latest.prompt == "legs black"
    changed = latest.diff["changed"]
    assert changed, latest.diff
    page = page_of(signed_in.get(f"/designs/{design.pk}/"))
    assert "version 1.1" in page
    history = page[page.index('data-version="1.1"'):page.index('data-version="1.0"')]
    assert "legs black" in history
    # Words above the raw diff: the same colour on every leg is said once.
    summary = history[history.index("data-change-summary"):]
    assert re.match(r'data-change-summary><strong>Changed:</strong> [a-z ]*legs black', summary), summary[:200]
    for item in changed:
        assert f"<code>{item['id']}</code>" in history
        for path, change in item["fields"].items():
            assert f"<code>{path}</code>" in history
            assert str(change["to"]) in history
    assert '"version": "1.1"' in page  # the json_script preview data is the latest version


def test_a_follow_up_asking_for_nothing_shows_the_reason_and_keeps_one_version(signed_in, design):
    page = page_of(follow_up(signed_in, design, "hmm"))

    assert re.search(r'_error" role="alert"><p class="error">', page)
    assert design.versions.count() == 1


def test_an_empty_follow_up_is_a_form_error(signed_in, design):
    page = page_of(follow_up(signed_in, design, ""))

    assert "This field is required." in page
    assert design.versions.count() == 1


def test_an_older_version_is_shown_with_the_version_query(signed_in, design):
    follow_up(signed_in, design, "legs black")

    page = page_of(signed_in.get(f"/designs/{design.pk}/?version=1.0"))

    assert "You are looking at version 1.0. The latest is 1.1" in page
    assert "Spec JSON, version 1.0" in page
    assert '"version": "1.0"' in page
    assert f'href="/designs/{design.pk}/versions/1.0.glb" download>Download glTF' in page


@pytest.mark.parametrize("label", ["1.7", "2.0", "latest", "1."])
def test_a_version_that_does_not_exist_is_404(signed_in, design, label):
    assert signed_in.get(f"/designs/{design.pk}/?version={label}").status_code == 404
    assert signed_in.get(f"/designs/{design.pk}/versions/{label}.json").status_code == 404


def test_a_version_downloads_as_a_json_attachment(signed_in, design):
    follow_up(signed_in, design, "legs black")
    version = design.versions.get(minor=1)

    response = signed_in.get(f"/designs/{design.pk}/versions/1.1.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="{slugify(design.name)}-v1.1.json"'
    assert json.loads(response.content) == version.spec_json


def test_a_version_downloads_as_binary_gltf_with_a_node_per_object(signed_in, design):
    version: DesignVersion = design.current_version

    response = signed_in.get(f"/designs/{design.pk}/versions/1.0.glb")

    assert response.status_code == 200
    assert response["Content-Type"] == "model/gltf-binary"
    assert re.fullmatch(r'attachment; filename=".+-v1\.0\.glb"', response["Content-Disposition"])
    gltf = GLTF2.load_from_bytes(response.content)
    names = {node.name for node in gltf.nodes if node.mesh is not None}
    assert {obj["id"] for obj in version.spec_json["objects"]} <= names
    assert len(names) == len(version.spec_json["objects"])


def test_the_full_window_preview_shows_the_current_version(signed_in, design):
    require_three()
    follow_up(signed_in, design, "legs black")

    page = page_of(signed_in.get(f"/preview/{design.pk}"))

    assert "3D preview <small>version 1.1</small>" in page
    assert '"version": "1.1"' in page
    assert "data-preview-canvas" in page and '<script type="importmap" nonce="' in page
    assert f'href="/designs/{design.pk}/"' in page


def test_another_users_spec_is_404_on_every_page(signed_in, other_user):
    spec = services.generate(other_user, prompt=TABLE).spec

    for path in (f"/designs/{spec.pk}/", f"/designs/{spec.pk}/?version=1.0", f"/designs/{spec.pk}/versions/1.0.json",
                 f"/designs/{spec.pk}/versions/1.0.glb", f"/preview/{spec.pk}"):
        assert signed_in.get(path).status_code == 404, path
    assert follow_up(signed_in, spec, "legs black").status_code == 404
    assert spec.versions.count() == 1
    assert str(spec.pk) not in page_of(signed_in.get("/designs/"))


def test_the_follow_up_url_only_accepts_post(signed_in, design):
    assert signed_in.get(f"/designs/{design.pk}/follow-up").status_code == 405
