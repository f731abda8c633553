"""Variants: several versions of one photo in one request, one unit of usage, one chosen."""

import pytest

from staging.models import Staging
from tests.staging.test_pages import finish, staging_for
from tests.staging.test_stage_create import stage

pytestmark = pytest.mark.django_db


def test_three_variants_are_three_stagings_with_their_own_seeds_and_one_unit(key_api, owner, room_jpeg, accepting):
    response = stage(key_api, room_jpeg, variants=3)
    assert response.status_code == 202, response.content
    body = response.json()
    group = Staging.objects.filter(owner=owner).order_by("created_at")
    assert group.count() == 3 and [v["id"] for v in body["variants"]] == [str(s.pk) for s in group]
    assert len({s.seed for s in group}) == 3 and all(s.variant_of_id == group[0].pk for s in group[1:])
    assert [s.job.metered for s in group] == [True, False, False]
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1


@pytest.mark.parametrize("count", [0, 5])
def test_a_variant_count_outside_one_to_four_is_refused(key_api, owner, room_jpeg, accepting, count):
    assert stage(key_api, room_jpeg, variants=count).status_code == 400
    assert not Staging.objects.exists()


def test_the_variants_run_through_the_real_pipeline_each_with_figures(key_api, furnishing_engine, working_size,
                                                                      run_queued, room_jpeg, labeler_present,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = stage(key_api, room_jpeg, variants=2, quality_mode="standard").json()
    run_queued()
    result = key_api.get(f"/api/stage/{first['id']}").json()["result"]
    seeds = {request.seed for request in furnishing_engine.requests}
    assert len(furnishing_engine.requests) == 2 and len(seeds) == 2
    assert [v["status"] for v in result["variants"]] == ["completed", "completed"]
    assert all(v["quality_score"] is not None and v["integrity_score"] >= 0.95 for v in result["variants"])


def test_choosing_marks_one_variant_of_the_group(key_api, owner, other_user, accepting):
    first = finish(staging_for(owner))
    second = finish(staging_for(owner))
    second.variant_of = first
    second.save(update_fields=["variant_of"])

    assert key_api.post(f"/api/stage/{second.pk}/choose").json()["chosen"] is True
    chosen = key_api.post(f"/api/stage/{first.pk}/choose").json()
    assert [v["chosen"] for v in chosen["variants"]] == [True, False]

    theirs = finish(staging_for(other_user))
    assert key_api.post(f"/api/stage/{theirs.pk}/choose").status_code == 404


def test_a_variant_still_running_cannot_be_chosen(key_api, owner, accepting):
    running = staging_for(owner)
    response = key_api.post(f"/api/stage/{running.pk}/choose")
    assert response.status_code == 409 and response.json()["error"]["code"] == "CONFLICT"


def test_the_page_shows_the_versions_side_by_side_and_chooses(client, owner, accepting):
    client.force_login(owner)
    first = finish(staging_for(owner))
    second = finish(staging_for(owner))
    second.variant_of = first
    second.save(update_fields=["variant_of"])
    page = client.get(f"/staging/{first.pk}/").content.decode()
    assert "Versions of this photo" in page and page.count("Choose this one") == 2
    assert client.post(f"/staging/{second.pk}/choose").status_code == 302
    assert list(Staging.objects.order_by("created_at").values_list("chosen", flat=True)) == [False, True]
