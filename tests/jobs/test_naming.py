"""Jobs are named in words, with a link to what they work on (config.jobs.naming, filled by each app)."""

import pytest

from config.jobs import naming
from config.jobs import services as jobs
from tests.floorplans.factories import FloorplanSessionFactory
from tests.personas.factories import GenerationFactory

pytestmark = pytest.mark.django_db


def test_a_floor_plan_job_names_its_address_and_links_to_the_session(owner, monkeypatch):
    monkeypatch.setattr(jobs, "async_task", lambda *a, **k: None)
    session = FloorplanSessionFactory(owner=owner, address="12 Oak Street")
    job = jobs.create_job(owner, kind="floorplans.satellite", task="floorplans.tasks.fetch_satellite",
                          params={"session_id": str(session.pk)}, metered=False)

    title = naming.describe(job)

    assert title.text == "Fetching the satellite view at 12 Oak Street"
    assert title.url == f"/floorplans/{session.pk}/"


def test_a_persona_generation_names_its_character(owner, monkeypatch):
    monkeypatch.setattr(jobs, "async_task", lambda *a, **k: None)
    generation = GenerationFactory(character__owner=owner, character__name="Maya", content_type="image")
    generation.job = jobs.create_job(owner, kind="personas.generate", task="personas.tasks.run_generation",
                                     metered=False)
    generation.save()

    title = naming.describe(generation.job)

    assert title.text == "Generating image for Maya"
    assert title.url == f"/personas/{generation.character_id}/studio/"


def test_a_job_whose_object_is_gone_still_has_words(owner, monkeypatch):
    monkeypatch.setattr(jobs, "async_task", lambda *a, **k: None)
    job = jobs.create_job(owner, kind="staging.stage", task="staging.tasks.run_staging", metered=False)

    assert naming.describe(job) == naming.JobTitle("Virtual staging job")


def test_the_dashboard_and_the_job_page_use_the_words(client, owner, monkeypatch):
    monkeypatch.setattr(jobs, "async_task", lambda *a, **k: None)
    session = FloorplanSessionFactory(owner=owner, address="12 Oak Street")
    job = jobs.create_job(owner, kind="floorplans.satellite", task="floorplans.tasks.fetch_satellite",
                          params={"session_id": str(session.pk)}, metered=False)
    client.force_login(owner)

    dashboard = client.get("/dashboard/").content.decode()
    detail = client.get(f"/jobs/{job.pk}/").content.decode()

    assert f'<a href="/floorplans/{session.pk}/">Fetching the satellite view at 12 Oak Street</a>' in dashboard
    assert "<h1>Fetching the satellite view at 12 Oak Street</h1>" in detail and "floorplans.satellite" not in detail
