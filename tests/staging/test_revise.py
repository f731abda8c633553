"""Edits on a result: POST /api/stage/{id}/revise makes a new version with the same seed."""

import pytest

from config.errors import ValidationFailed
from staging.models import Staging
from staging.revisions import Revision, parse_instruction
from tests.staging.test_pages import finish, staging_for
from tests.staging.test_stage_flow import run_one

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("instruction", "add", "remove"), [
    ("no rug", (), ("rug",)),
    ("lighter sofa", ("lighter sofa",), ()),
    ("add plants", ("plants",), ()),
    ("No rug, lighter sofa and add some plants.", ("lighter sofa", "plants"), ("rug",)),
    ("without the coffee table; remove a lamp", (), ("coffee table", "lamp")),
])
def test_an_instruction_becomes_prompt_terms(instruction, add, remove):
    assert parse_instruction(instruction) == Revision(add, remove)


@pytest.mark.parametrize("instruction", ["", "   ", ". !", "x" * 201, ", and ,"])
def test_an_instruction_that_says_nothing_or_too_much_is_refused(instruction):
    with pytest.raises(ValidationFailed):
        parse_instruction(instruction)


def test_a_revision_keeps_the_seed_and_changes_the_prompts(key_api, furnishing_engine, working_size, run_queued,
                                                           room_jpeg, labeler_present, owner,
                                                           django_capture_on_commit_callbacks):
    first = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert first["status"] == "completed", first

    with django_capture_on_commit_callbacks(execute=True):
        response = key_api.post(f"/api/stage/{first['id']}/revise", {"instruction": "no rug, add plants"},
                                format="json")
    assert response.status_code == 202, response.content
    assert (response.json()["revision_of"], response.json()["instruction"]) == (first["id"], "no rug, add plants")
    run_queued()

    revised = key_api.get(f"/api/stage/{response.json()['id']}").json()
    assert revised["status"] == "completed", revised
    original_request, revised_request = furnishing_engine.requests
    assert revised_request.seed == first["result"]["seed"] == revised["result"]["seed"]
    assert revised_request.prompt == original_request.prompt + ", plants"
    assert revised_request.negative_prompt.endswith(", rug") and "rug" not in original_request.negative_prompt
    assert [(v["id"], v["instruction"]) for v in revised["result"]["versions"]] == [
        (first["id"], ""), (revised["id"], "no rug, add plants")]
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 2  # a revision is a staging


def test_a_staging_still_running_cannot_be_revised(key_api, furnishing_engine, room_jpeg, queued,
                                                   django_capture_on_commit_callbacks):
    from tests.staging.test_stage_create import stage

    with django_capture_on_commit_callbacks(execute=True):
        queued_id = stage(key_api, room_jpeg).json()["id"]
    response = key_api.post(f"/api/stage/{queued_id}/revise", {"instruction": "no rug"}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "CONFLICT"
    assert Staging.objects.count() == 1


def completed(user) -> Staging:
    staging = finish(staging_for(user))
    staging.seed = 1234
    staging.save(update_fields=["seed"])
    return staging


def test_an_empty_instruction_is_400_and_another_users_staging_is_404(key_api, owner, other_user, accepting):
    mine, theirs = completed(owner), completed(other_user)
    empty = key_api.post(f"/api/stage/{mine.pk}/revise", {"instruction": " . "}, format="json")
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "VALIDATION_ERROR"
    assert key_api.post(f"/api/stage/{theirs.pk}/revise", {"instruction": "no rug"}, format="json").status_code == 404
    assert Staging.objects.count() == 2


def test_the_page_makes_a_version_and_lists_the_line(signed_in, owner, accepting):
    first = completed(owner)
    response = signed_in.post(f"/staging/{first.pk}/revise", {"instruction": "lighter sofa"})
    revised = Staging.objects.get(revision_of=first)
    assert response.status_code == 302 and response["Location"] == f"/staging/{revised.pk}/"
    assert (revised.seed, revised.instruction, revised.style_id) == (1234, "lighter sofa", first.style_id)
    page = signed_in.get(f"/staging/{first.pk}/").content.decode()
    assert "Versions" in page and "“lighter sofa”" in page and f"/staging/{revised.pk}/" in page


def test_the_page_says_why_a_version_was_refused(signed_in, owner, accepting, settings):
    first = completed(owner)
    settings.STAGING_MAINTENANCE_MODE = True
    response = signed_in.post(f"/staging/{first.pk}/revise", {"instruction": "no rug"})
    assert response.status_code == 200 and "paused for maintenance" in response.content.decode()
    assert not Staging.objects.filter(revision_of=first).exists()
