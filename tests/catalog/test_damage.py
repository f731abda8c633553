"""Product damage from a language model with vision, kept apart from the measured photo problems (defects)."""

import pytest

from catalog.damage import DAMAGE_SCHEMA, SOURCE, find_damage
from catalog.models import AnalysisResult, DamageFinding
from config.ai.errors import EngineUnavailable
from tests.catalog import drawn
from tests.catalog.conftest import encoded
from tests.standin import openai_chat_reply

pytestmark = pytest.mark.django_db

COPY = {"title": "Red box", "description": "A red box.", "tags": ["red box"], "alt_text": "A red box."}
SCRATCH = {"damage_type": "scratch", "severity": "medium",
           "description": "A  long scratch across the lid,\nleft of the label."}


def test_find_damage_sends_the_photo_with_the_strict_schema_and_reads_the_findings(openai_stand_in):
    openai_stand_in.reply(openai_chat_reply({"findings": [SCRATCH]}))

    report = find_damage(drawn.product_photo())

    sent = openai_stand_in.requests[0].body
    assert sent["response_format"]["json_schema"]["schema"] == DAMAGE_SCHEMA
    assert any(part["type"] == "image_url" for message in sent["messages"] if isinstance(message["content"], list)
               for part in message["content"])
    assert "not damage" in sent["messages"][0]["content"]  # photo problems are ruled out in the prompt
    assert [(f.damage_type, f.severity, f.description) for f in report.findings] == [
        ("scratch", "medium", "A long scratch across the lid, left of the label.")]
    assert report.model == "vision-test"


def test_an_undamaged_product_gets_no_findings(openai_stand_in):
    openai_stand_in.reply(openai_chat_reply({"findings": []}))
    assert find_damage(drawn.product_photo()).findings == []


def test_without_a_language_model_find_damage_refuses_instead_of_guessing(settings):
    settings.AI_LLM_PROVIDER = "none"
    with pytest.raises(EngineUnavailable):
        find_damage(drawn.product_photo())


def analyse(alice, product, upload, run_queued):
    image_id = upload(alice, product, encoded(drawn.product_photo((640, 640), fill=0.7), quality=92))["image_id"]
    run_queued()
    return image_id


def test_damage_the_model_saw_is_a_separate_finding_marked_with_its_source(
        alice, product, upload, run_queued, openai_stand_in, labeler_present):
    openai_stand_in.reply(openai_chat_reply(COPY))
    openai_stand_in.reply(openai_chat_reply({"findings": [SCRATCH]}))

    image_id = analyse(alice, product, upload, run_queued)

    body = alice.get(f"/api/v1/analysis/{image_id}").json()
    assert body["damage_status"] == "completed" and body["describe_status"] == "completed"
    [finding] = body["product_damage"]
    assert (finding["damage_type"], finding["severity"], finding["source"], finding["model"]) == (
        "scratch", "medium", SOURCE, "vision-test")
    # Photo problems stay what they were: measured from pixels, none of them damage.
    assert {d["defect_type"] for d in body["detected_defects"]} <= {
        "blur", "exposure", "low_resolution", "busy_background", "cropped"}
    assert "scratch" not in {d["defect_type"] for d in body["detected_defects"]}


def test_a_model_that_sees_no_damage_reports_none(alice, product, upload, run_queued, openai_stand_in,
                                                  labeler_present):
    openai_stand_in.reply(openai_chat_reply(COPY))
    openai_stand_in.reply(openai_chat_reply({"findings": []}))

    body = alice.get(f"/api/v1/analysis/{analyse(alice, product, upload, run_queued)}").json()
    assert body["damage_status"] == "completed" and body["product_damage"] == []


def test_without_a_language_model_there_are_no_damage_findings_and_none_are_invented(
        alice, product, upload, run_queued, settings, labeler_present):
    settings.AI_LLM_PROVIDER = "none"

    body = alice.get(f"/api/v1/analysis/{analyse(alice, product, upload, run_queued)}").json()
    assert body["damage_status"] == "not_configured" and body["product_damage"] == []
    assert not DamageFinding.objects.exists()


def test_a_model_failing_on_damage_keeps_the_copy_and_says_damage_failed(alice, product, upload, run_queued,
                                                                         openai_stand_in, labeler_present):
    openai_stand_in.reply(openai_chat_reply(COPY))
    openai_stand_in.reply({"error": {"message": "overloaded"}}, status=503)

    image_id = analyse(alice, product, upload, run_queued)
    analysis = AnalysisResult.objects.get(image_id=image_id)
    assert analysis.describe_status == "completed" and analysis.damage_status == "failed"
    assert not analysis.damage_findings.exists()


def test_the_copy_failing_still_asks_about_damage(alice, product, upload, run_queued, openai_stand_in,
                                                  labeler_present):
    openai_stand_in.reply(openai_chat_reply({"not": "the schema"}))
    openai_stand_in.reply(openai_chat_reply({"still": "not the schema"}))  # the repair round trip
    openai_stand_in.reply(openai_chat_reply({"findings": [SCRATCH]}))

    analysis = AnalysisResult.objects.get(image_id=analyse(alice, product, upload, run_queued))
    assert analysis.describe_status == "failed" and analysis.damage_status == "completed"
    assert list(analysis.damage_findings.values_list("damage_type", flat=True)) == ["scratch"]


def test_the_product_page_names_photo_problems_and_damage_apart(client, owner, alice, product, upload, run_queued,
                                                                openai_stand_in, labeler_present):
    openai_stand_in.reply(openai_chat_reply(COPY))
    openai_stand_in.reply(openai_chat_reply({"findings": [SCRATCH]}))
    analyse(alice, product, upload, run_queued)
    client.force_login(owner)

    page = client.get(f"/catalog/{product.pk}/").content.decode()
    assert "Photo problems" in page and "not product damage" in page
    assert "scratch (medium): A long scratch across the lid, left of the label." in page
    assert "seen by vision-test" in page


def test_the_product_page_says_damage_was_not_checked_without_a_model(client, owner, alice, product, upload,
                                                                      run_queued, settings, labeler_present):
    settings.AI_LLM_PROVIDER = "none"
    analyse(alice, product, upload, run_queued)
    client.force_login(owner)

    assert "Not checked: product damage needs a language model" in client.get(f"/catalog/{product.pk}/") \
        .content.decode()
