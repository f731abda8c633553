"""Automation rules: the API, dry runs, the minute run of schedule rules, the hooks and the loop guards.

Generation goes through the real ``services.content.start_generation`` (text,
against the OpenAI-compatible stand-in's configuration); jobs are captured by
the ``queued`` fixture instead of a broker. Nothing here publishes.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from config.jobs.models import Job
from personas.choices import (
    ConnectionStatus,
    ContentType,
    Direction,
    EngagementType,
    PostStatus,
    Review,
    RunStatus,
    ScheduleStatus,
)
from personas.models import (
    AutomationRule,
    Character,
    ContentItem,
    Generation,
    PlatformAccount,
    Post,
    RuleRun,
    ScheduledPost,
)
from personas.services import automation, rules
from tests.personas.factories import (
    CharacterFactory,
    ContentItemFactory,
    EngagementActionFactory,
    GenerationFactory,
    PlatformAccountFactory,
    PostFactory,
    RuleRunFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/automation-rules"
DOCUMENT_BODY = {
    "name": "Daily Instagram Posts", "description": "Post once daily on Instagram", "trigger_type": "schedule",
    "trigger_config": {"cron": "0 14 * * *", "timezone": "America/New_York"}, "platforms": ["instagram"],
    "content_type": "image", "content_category": "post", "prompt_template": "A beautiful {topic} scene",
    "caption_template": "Check out this {topic}! #lifestyle", "hashtag_strategy": "auto", "max_posts_per_day": 1,
    "cooldown_minutes": 60,
}


def account_on(character, platform: str = "mastodon", status: str = ConnectionStatus.CONNECTED) -> PlatformAccount:
    return PlatformAccountFactory(character=character, platform=platform, auth_type="oauth",
                                  account_username=f"{platform}-user", connection_status=status)


def make_rule(character, **fields) -> AutomationRule:
    fields = {"name": "Rule", "trigger_type": "schedule", "trigger_config": {"cron": "0 9 * * *"},
              "cooldown_minutes": 0, "max_posts_per_day": 10, **fields}
    return rules.create_rule(character.owner, character_id=character.pk, **fields)


def due(rule: AutomationRule) -> AutomationRule:
    AutomationRule.objects.filter(pk=rule.pk).update(next_run_at=timezone.now() - timedelta(minutes=1))
    rule.refresh_from_db()
    return rule


def generated_by(rule: AutomationRule, character, depth: int) -> ContentItem:
    """Approved text content as a run of ``rule`` at ``depth`` would have produced it."""
    generation = GenerationFactory(character=character, settings={"rule_id": str(rule.pk), "rule_depth": depth})
    return ContentItemFactory(character=character, generation=generation, caption="made by a rule", approved=True)


def side_effects() -> tuple[int, ...]:
    return (Generation.objects.count(), Post.objects.count(), ScheduledPost.objects.count(), Job.objects.count())


@pytest.fixture
def stranger_rule(other_user) -> AutomationRule:
    return make_rule(CharacterFactory(owner=other_user, name="Someone Else"))


# -- API -------------------------------------------------------------------------------------------------------


def test_creating_the_documents_rule_answers_201_with_its_next_run(persona_api, character):
    response = persona_api.post(URL, {"character_id": str(character.pk), **DOCUMENT_BODY}, format="json")

    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["action"], data["is_enabled"], data["character_name"]) == ("generate", True, character.name)
    # 14:00 New York is 19:00 UTC in winter, 18:00 UTC in summer.
    assert data["next_run_at"][11:19] in ("19:00:00", "18:00:00")


@pytest.mark.parametrize(("config", "message"), [
    ({"timezone": "America/New_York"}, "trigger_config.cron"),
    ({"cron": "every afternoon"}, "5-field cron"),
    ({"rrule": "FREQ=NEVER"}, "RRULE"),
    ({"cron": "0 14 * * *", "timezone": "Nowhere/Land"}, "Unknown time zone"),
])
def test_a_schedule_trigger_needs_a_valid_rule_and_zone(persona_api, character, config, message):
    response = persona_api.post(URL, {"character_id": str(character.pk), **DOCUMENT_BODY, "trigger_config": config},
                                format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert message in response.json()["error"]["message"]


@pytest.mark.parametrize(("fields", "code"), [
    ({"trigger_type": "whenever"}, "VALIDATION_ERROR"),
    ({"action": "dance"}, "VALIDATION_ERROR"),
    ({"platforms": ["myspace"]}, "VALIDATION_ERROR"),
    ({"prompt_template": "A {mood} scene"}, "VALIDATION_ERROR"),
    ({"content_type": "hologram"}, "INVALID_CONTENT_TYPE"),
    ({"trigger_type": "engagement_threshold", "trigger_config": {"metric": "likes"}}, "VALIDATION_ERROR"),
])
def test_bad_rules_are_refused_with_their_code(persona_api, character, fields, code):
    response = persona_api.post(URL, {"character_id": str(character.pk), **DOCUMENT_BODY, **fields}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_a_rule_for_another_users_character_is_character_not_found(persona_api, stranger_rule):
    response = persona_api.post(URL, {"character_id": str(stranger_rule.character_id), **DOCUMENT_BODY},
                                format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "CHARACTER_NOT_FOUND"


def test_the_list_filters_by_character_and_switch(persona_api, owner, character, stranger_rule):
    make_rule(character, name="On")
    make_rule(character, name="Off", is_enabled=False)
    make_rule(CharacterFactory(owner=owner, name="Sibling"), name="Sibling's")

    listed = persona_api.get(URL, {"character_id": str(character.pk), "is_enabled": "false"}).json()["data"]
    everything = persona_api.get(URL).json()["data"]

    assert [rule["name"] for rule in listed["automation_rules"]] == ["Off"]
    assert everything["total"] == 3  # never the other user's


def test_put_is_partial_and_delete_removes(persona_api, character):
    rule = make_rule(character, name="Before", prompt_template="A {topic} morning")

    response = persona_api.put(f"{URL}/{rule.pk}", {"name": "After"}, format="json")

    assert response.status_code == 200
    assert (response.json()["data"]["name"], response.json()["data"]["prompt_template"]) == ("After",
                                                                                             "A {topic} morning")
    assert persona_api.delete(f"{URL}/{rule.pk}").status_code == 200
    assert not AutomationRule.objects.filter(pk=rule.pk).exists()


def test_disable_stops_the_schedule_and_enable_restarts_it(persona_api, character, queued):
    rule = due(make_rule(character))

    off = persona_api.post(f"{URL}/{rule.pk}/disable")
    assert off.status_code == 200
    assert (off.json()["data"]["is_enabled"], off.json()["data"]["next_run_at"]) == (False, None)
    assert automation.run_due_rules() == 0

    on = persona_api.post(f"{URL}/{rule.pk}/enable").json()["data"]
    assert on["is_enabled"] is True
    rule.refresh_from_db()
    assert rule.next_run_at > timezone.now()
    assert not RuleRun.objects.filter(rule=rule).exists()


def test_another_users_rule_is_not_found_everywhere(persona_api, stranger_rule):
    path = f"{URL}/{stranger_rule.pk}"
    for response in (persona_api.get(path), persona_api.put(path, {"name": "x"}, format="json"),
                     persona_api.delete(path), persona_api.post(f"{path}/enable"), persona_api.post(f"{path}/disable"),
                     persona_api.post(f"{path}/dry-run"), persona_api.get(f"{URL}/not-a-uuid")):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
    stranger_rule.refresh_from_db()
    assert stranger_rule.name == "Rule" and stranger_rule.is_enabled


# -- dry run ---------------------------------------------------------------------------------------------------


def test_a_dry_run_shows_the_plan_without_side_effects(persona_api, character, openai_stand_in,
                                                       django_capture_on_commit_callbacks):
    rule = make_rule(character, content_type="text", prompt_template="A beautiful {topic} scene",
                     caption_template="Check out this {topic}! #lifestyle")
    before = side_effects()

    with django_capture_on_commit_callbacks() as callbacks:
        response = persona_api.post(f"{URL}/{rule.pk}/dry-run")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["dry_run"] is True and data["status"] == "dry_run" and data["would_run"] is True
    assert data["prompt"] == "A beautiful trail running scene"  # the character's first preferred topic
    assert data["caption"] == "Check out this trail running! #lifestyle"
    rule.refresh_from_db()
    assert data["next_run_at"] == rule.next_run_at.isoformat().replace("+00:00", "Z")
    assert side_effects() == before and callbacks == []  # no generation, post, schedule, job or enqueue
    run = RuleRun.objects.get(rule=rule)
    assert (run.status, run.dry_run) == (RunStatus.DRY_RUN, True)


def test_a_dry_run_of_a_schedule_rule_names_the_content_and_accounts(character, approved_image):
    account = account_on(character)
    account_on(character, "bluesky")
    rule = make_rule(character, action="schedule", platforms=["mastodon"])

    run = automation.dry_run(character.owner, rule.pk)

    assert run.detail["content_id"] == str(approved_image.pk)
    assert run.detail["platform_account_ids"] == [str(account.pk)]
    assert not ScheduledPost.objects.exists()


def test_a_dry_run_reports_a_guard_that_would_stop_the_rule(character):
    rule = make_rule(character, is_enabled=False)

    run = automation.dry_run(character.owner, rule.pk)

    assert (run.detail["would_run"], run.detail["guard"]) == (False, "The rule is disabled.")


# -- run_due_rules ---------------------------------------------------------------------------------------------


def test_a_due_generate_rule_starts_a_marked_generation(character, openai_stand_in, queued,
                                                        django_capture_on_commit_callbacks):
    rule = due(make_rule(character, content_type="text", prompt_template="Write about {topic}"))

    with django_capture_on_commit_callbacks(execute=True):
        assert automation.run_due_rules() == 1

    run = RuleRun.objects.get(rule=rule)
    generation = Generation.objects.get(pk=run.detail["generation_id"])
    assert run.status == RunStatus.DONE
    assert generation.prompt == "Write about trail running"
    assert (generation.settings["rule_id"], generation.settings["rule_depth"]) == (str(rule.pk), 0)
    assert [task for task, _, _ in queued] == ["personas.tasks.run_generation"]
    rule.refresh_from_db()
    assert rule.next_run_at > timezone.now() and rule.last_run_at is not None
    assert automation.run_due_rules() == 0  # the occurrence was claimed; the next one is not due


def test_without_an_engine_the_run_fails_and_the_schedule_moves_on(character, queued):
    rule = due(make_rule(character, content_type="image"))

    automation.run_due_rules()

    run = RuleRun.objects.get(rule=rule)
    assert (run.status, run.detail["code"]) == (RunStatus.FAILED, "CONTENT_GENERATION_FAILED")
    assert not Generation.objects.exists() and queued == []
    rule.refresh_from_db()
    assert rule.next_run_at > timezone.now()


def test_a_schedule_rule_schedules_the_newest_unused_content_on_connected_accounts(character, approved_image):
    older = ContentItemFactory(character=character, content_type=ContentType.IMAGE, review=Review.APPROVED,
                               created_at=timezone.now() - timedelta(days=1))
    mastodon = account_on(character, "mastodon")
    account_on(character, "bluesky", status=ConnectionStatus.DISCONNECTED)
    rule = due(make_rule(character, action="schedule", platforms=["mastodon", "bluesky"],
                         caption_template="Fresh {topic}"))

    automation.run_due_rules()

    scheduled = ScheduledPost.objects.get()
    assert (scheduled.account, scheduled.content, scheduled.created_by_rule) == (mastodon, approved_image, rule)
    assert (scheduled.caption, scheduled.status) == ("Fresh trail running", ScheduleStatus.SCHEDULED)
    assert scheduled.scheduled_at <= timezone.now()  # picked up by the next publish sweep
    due(rule)
    automation.run_due_rules()
    assert ScheduledPost.objects.latest("created_at").content == older  # the newest is now taken


def test_a_paused_characters_rules_wait(character):
    rule = due(make_rule(character))
    Character.objects.filter(pk=character.pk).update(status="paused")

    assert automation.run_due_rules() == 0
    assert not RuleRun.objects.filter(rule=rule).exists()


def test_reply_drafts_are_text_for_review_never_posts(character, openai_stand_in, queued):
    account = account_on(character)
    EngagementActionFactory(character=character, account=account, action_type=EngagementType.MENTION,
                            direction=Direction.INBOUND, comment_text="Which trail was that?",
                            target_url="https://example.social/@fan/1", status="completed")
    rule = due(make_rule(character, action="reply_draft"))

    automation.run_due_rules()

    run = RuleRun.objects.get(rule=rule)
    generation = Generation.objects.get(pk=run.detail["generation_id"])
    assert (generation.content_type, generation.category) == (ContentType.TEXT, "reply")
    assert generation.settings["purpose"] == "reply_draft"
    assert "Which trail was that?" in generation.prompt
    assert not Post.objects.exists() and not ScheduledPost.objects.exists()
    due(rule)
    automation.run_due_rules()
    assert RuleRun.objects.filter(rule=rule).latest("id").detail["reason"] == "No new mentions to reply to."


# -- hooks and loop guards -------------------------------------------------------------------------------------


def test_an_approval_rule_schedules_the_approved_content(character, approved_image):
    account_on(character)
    rule = make_rule(character, trigger_type="content_approved", trigger_config={}, action="schedule")

    [run] = automation.on_content_approved(approved_image)

    assert (run.status, run.depth) == (RunStatus.DONE, 0)
    assert ScheduledPost.objects.get(created_by_rule=rule).content == approved_image


def test_a_rule_never_triggers_itself(character):
    account_on(character)
    rule = make_rule(character, trigger_type="content_approved", trigger_config={}, action="schedule")

    [run] = automation.on_content_approved(generated_by(rule, character, depth=0))

    assert run.status == RunStatus.SKIPPED
    assert "never triggers itself" in run.detail["reason"]
    assert not ScheduledPost.objects.exists()


def test_a_chain_of_rules_stops_at_its_depth_limit(character):
    account_on(character)
    upstream = make_rule(character, name="Upstream")
    make_rule(character, trigger_type="content_approved", trigger_config={}, action="schedule")

    [allowed] = automation.on_content_approved(generated_by(upstream, character, depth=1))
    [stopped] = automation.on_content_approved(generated_by(upstream, character, depth=2))

    assert (allowed.status, allowed.depth) == (RunStatus.DONE, 2)
    assert (stopped.status, stopped.depth) == (RunStatus.SKIPPED, 3)
    assert "Chain depth" in stopped.detail["reason"]


def test_the_hourly_cap_counts_all_the_characters_rules(character, approved_image, settings):
    settings.PERSONAS_RULE_RUNS_PER_HOUR = 2
    account_on(character)
    other = make_rule(character, name="Other")
    for minutes in (5, 20):
        RuleRunFactory(rule=other, trigger="schedule", status=RunStatus.DONE,
                       created_at=timezone.now() - timedelta(minutes=minutes))
    rule = due(make_rule(character, action="schedule"))

    automation.run_due_rules()

    run = RuleRun.objects.filter(rule=rule).get()
    assert run.status == RunStatus.SKIPPED and "Hourly cap" in run.detail["reason"]


def test_cooldown_and_daily_limit_are_respected(character, approved_image):
    account_on(character)
    rule = make_rule(character, action="schedule", cooldown_minutes=60, max_posts_per_day=1)
    now = datetime(2030, 6, 1, 20, 0, tzinfo=UTC)  # 13:00 in Los Angeles, the character's zone
    last = RuleRunFactory(rule=rule, trigger="schedule", status=RunStatus.DONE,
                          created_at=now - timedelta(minutes=10))

    cooling = automation.evaluate(rule, now=now, trigger="test", depth=0)
    RuleRun.objects.filter(pk=last.pk).update(created_at=now - timedelta(minutes=61))  # 11:59 the same local day
    capped = automation.evaluate(rule, now=now, trigger="test", depth=0)
    RuleRun.objects.filter(pk=last.pk).update(created_at=now - timedelta(hours=14))  # the local day before
    allowed = automation.evaluate(rule, now=now, trigger="test", depth=0)

    assert cooling.status == RunStatus.SKIPPED and "Cooldown" in cooling.detail["reason"]
    assert capped.status == RunStatus.SKIPPED and "Daily limit" in capped.detail["reason"]
    assert allowed.status == RunStatus.DONE
    assert ScheduledPost.objects.count() == 1


def test_an_engagement_threshold_runs_only_once_it_is_met(character, openai_stand_in):
    account = account_on(character)
    rule = make_rule(character, trigger_type="engagement_threshold", content_type="text",
                     trigger_config={"metric": "likes", "threshold": 10})
    post = PostFactory(character=character, account=account, status=PostStatus.PUBLISHED,
                       published_at=timezone.now(), likes_count=4)

    assert automation.on_engagement(account) == []

    Post.objects.filter(pk=post.pk).update(likes_count=12)
    [run] = automation.on_engagement(account)
    assert run.status == RunStatus.DONE and run.trigger == "engagement:mastodon:likes=12"
    assert Generation.objects.get().settings["rule_id"] == str(rule.pk)


def test_approving_content_through_the_api_runs_approval_rules(persona_api, character, approved_image):
    account_on(character)
    rule = make_rule(character, trigger_type="content_approved", trigger_config={}, action="schedule")
    ContentItem.objects.filter(pk=approved_image.pk).update(review=Review.PENDING)

    response = persona_api.post(f"/api/v1/content/{approved_image.pk}/approve")

    assert response.status_code == 200
    assert ScheduledPost.objects.get(created_by_rule=rule).content_id == approved_image.pk
    assert RuleRun.objects.get(rule=rule).trigger == f"content_approved:{approved_image.pk}"


def test_the_minute_task_runs_due_rules(character):
    from personas import tasks

    rule = due(make_rule(character))

    assert tasks.run_due_rules() == 1
    assert RuleRun.objects.filter(rule=rule).exists()


@pytest.mark.parametrize(("strategy", "hashtags"), [("auto", ["sunrise", "run"]), ("none", []),
                                                    ("template", ["fresh"])])
def test_a_schedule_rules_hashtag_strategy_picks_the_posts_hashtags(character, approved_image, strategy, hashtags):
    ContentItem.objects.filter(pk=approved_image.pk).update(hashtags=["sunrise", "run"])
    account_on(character, "mastodon")
    due(make_rule(character, action="schedule", platforms=["mastodon"], caption_template="#fresh {topic}",
                  hashtag_strategy=strategy))

    automation.run_due_rules()

    assert ScheduledPost.objects.get().hashtags == hashtags


def test_a_story_rule_skips_a_platform_that_cannot_publish_stories_and_says_why(character, approved_image):
    account_on(character, "mastodon")
    rule = due(make_rule(character, action="schedule", platforms=["mastodon"], content_category="story"))

    automation.run_due_rules()

    run = RuleRun.objects.get(rule=rule)
    assert run.status == "skipped" and run.detail["reason"] == "Mastodon cannot publish a story."
    assert not ScheduledPost.objects.exists()


def test_a_post_rule_schedules_posts_of_type_post(character, approved_image):
    account_on(character, "mastodon")
    due(make_rule(character, action="schedule", platforms=["mastodon"], content_category="post"))

    automation.run_due_rules()

    assert ScheduledPost.objects.get().post_type == "post"


def test_an_unknown_hashtag_strategy_is_a_validation_error(persona_api, character):
    body = {"character_id": str(character.pk), **DOCUMENT_BODY, "hashtag_strategy": "viral"}

    response = persona_api.post(URL, body, format="json")

    assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(("content_type", "reason"), [
    ("text", "needs to connect a language model"), ("image", "needs to connect an image engine"),
    ("video", "Videos cannot be generated here yet"),
])
def test_a_dry_run_says_a_generate_rule_without_its_engine_would_fail(persona_api, character, settings,
                                                                      content_type, reason):
    settings.AI_LLM_PROVIDER, settings.AI_IMAGE_PROVIDER = "none", "none"
    rule = make_rule(character, content_type=content_type)

    data = persona_api.post(f"{URL}/{rule.pk}/dry-run").json()["data"]

    assert data["would_run"] is False and reason in data["would_fail"]


def test_the_rule_page_says_the_dry_run_would_fail(client, owner, character, settings):
    settings.AI_LLM_PROVIDER = "none"
    rule = make_rule(character, content_type="text")
    client.force_login(owner)

    page = client.post(f"/personas/rules/{rule.pk}/dry-run", follow=True).content.decode()

    assert "Dry run: the rule would fail now: Writing with AI is not switched on yet" in page
    card = page[page.index("data-dry-run"):page.index('id="edit-title"')]
    assert "It would fail now." in card and "It would not run now." not in card
    assert "Writing with AI is not switched on yet" in card
