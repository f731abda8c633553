"""Seed 003 section 5: ``/api/v1/scheduled-posts`` and ``/api/v1/automation-rules``."""

from drf_spectacular.utils import extend_schema
from rest_framework import status

from config.api.input import parse
from config.api.schema import limit_page
from personas.api import serializers_scheduling as s
from personas.api.base import PersonasAPIView, ok, page
from personas.selectors import scheduled_post_for
from personas.services import automation, rules, scheduling

SCHEDULE_TAGS = ["personas: scheduling"]
RULE_TAGS = ["personas: automation"]
# API field names that the services spell differently.
RENAMED = {"timezone": "tz", "recurrence": "recurrence_rule"}


def _service_kwargs(data: dict) -> dict:
    return {RENAMED.get(name, name): value for name, value in data.items()}


class ScheduledPostListView(PersonasAPIView):
    @extend_schema(operation_id="personas_scheduled_posts_list", parameters=[s.ScheduledPostFilterSerializer],
                   responses={200: limit_page("ScheduledPostPage", "scheduled_posts", s.ScheduledPostSerializer)},
                   tags=SCHEDULE_TAGS)
    def get(self, request):
        """Scheduled posts in time order; filter by character, status and a from/to date range."""
        filters = parse(s.ScheduledPostFilterSerializer, request.query_params)
        rows = scheduling.scheduled_posts(request.user, **filters)
        return ok(page(request, rows, "scheduled_posts", s.ScheduledPostSerializer))

    @extend_schema(request=s.ScheduledPostInputSerializer, responses={201: s.ScheduledPostSerializer},
                   tags=SCHEDULE_TAGS)
    def post(self, request):
        """Schedule approved content; naive times are read in ``timezone`` (default: the character's), stored in UTC."""
        data = parse(s.ScheduledPostInputSerializer, request.data)
        scheduled = scheduling.create_scheduled_post(request.user, **_service_kwargs(data))
        return ok(s.ScheduledPostSerializer(scheduled).data, message="Post scheduled successfully",
                  status=status.HTTP_201_CREATED)


class ScheduledPostDetailView(PersonasAPIView):
    @extend_schema(responses={200: s.ScheduledPostSerializer}, tags=SCHEDULE_TAGS)
    def get(self, request, scheduled_post_id):
        """One scheduled post, with its local time and last error."""
        return ok(s.ScheduledPostSerializer(scheduled_post_for(request.user, scheduled_post_id)).data)

    @extend_schema(request=s.ScheduledPostUpdateSerializer, responses={200: s.ScheduledPostSerializer},
                   tags=SCHEDULE_TAGS)
    def put(self, request, scheduled_post_id):
        """Change the fields sent, while the post is still scheduled."""
        data = parse(s.ScheduledPostUpdateSerializer, request.data)
        scheduled = scheduling.update_scheduled_post(request.user, scheduled_post_id, **_service_kwargs(data))
        return ok(s.ScheduledPostSerializer(scheduled).data, message="Scheduled post updated")

    @extend_schema(responses={200: s.ScheduledPostSerializer}, tags=SCHEDULE_TAGS)
    def delete(self, request, scheduled_post_id):
        """Cancel the scheduled post (it stays listed as cancelled)."""
        scheduled = scheduling.cancel_scheduled_post(request.user, scheduled_post_id)
        return ok(s.ScheduledPostSerializer(scheduled).data, message="Scheduled post cancelled")


class RuleListView(PersonasAPIView):
    @extend_schema(operation_id="personas_automation_rules_list", parameters=[s.RuleFilterSerializer],
                   responses={200: limit_page("RulePage", "automation_rules", s.RuleSerializer)}, tags=RULE_TAGS)
    def get(self, request):
        """Automation rules; filter by character and whether they are enabled."""
        filters = parse(s.RuleFilterSerializer, request.query_params)
        found = rules.list_rules(request.user, **filters)
        return ok(page(request, found, "automation_rules", s.RuleSerializer))

    @extend_schema(request=s.RuleInputSerializer, responses={201: s.RuleSerializer}, tags=RULE_TAGS)
    def post(self, request):
        """Create a rule: trigger schedule (cron or rrule + timezone), content_approved or engagement_threshold."""
        data = parse(s.RuleInputSerializer, request.data)
        rule = rules.create_rule(request.user, **data)
        return ok(s.RuleSerializer(rule).data, message="Automation rule created", status=status.HTTP_201_CREATED)


class RuleDetailView(PersonasAPIView):
    @extend_schema(responses={200: s.RuleDetailSerializer}, tags=RULE_TAGS)
    def get(self, request, rule_id):
        """One rule with its run log."""
        return ok(s.RuleDetailSerializer(rules.rule_for(request.user, rule_id)).data)

    @extend_schema(request=s.RuleUpdateSerializer, responses={200: s.RuleSerializer}, tags=RULE_TAGS)
    def put(self, request, rule_id):
        """Change the fields sent, validated as on create."""
        data = parse(s.RuleUpdateSerializer, request.data)
        rule = rules.update_rule(request.user, rule_id, **data)
        return ok(s.RuleSerializer(rule).data, message="Automation rule updated")

    @extend_schema(responses={200: None}, tags=RULE_TAGS)
    def delete(self, request, rule_id):
        """Delete the rule and its run log."""
        rules.delete_rule(request.user, rule_id)
        return ok(None, message="Automation rule deleted")


class RuleEnableView(PersonasAPIView):
    @extend_schema(request=None, responses={200: s.RuleSerializer}, tags=RULE_TAGS)
    def post(self, request, rule_id):
        """Switch the rule on; a schedule counts from now."""
        rule = rules.set_enabled(request.user, rule_id, enabled=True)
        return ok(s.RuleSerializer(rule).data, message="Automation rule enabled")


class RuleDisableView(PersonasAPIView):
    @extend_schema(request=None, responses={200: s.RuleSerializer}, tags=RULE_TAGS)
    def post(self, request, rule_id):
        """Switch the rule off."""
        rule = rules.set_enabled(request.user, rule_id, enabled=False)
        return ok(s.RuleSerializer(rule).data, message="Automation rule disabled")


class RuleDryRunView(PersonasAPIView):
    @extend_schema(request=None, responses={200: s.DryRunSerializer}, tags=RULE_TAGS)
    def post(self, request, rule_id):
        """What the rule would do now (prompt, caption, targets, next run, guards), without doing any of it."""
        run = automation.dry_run(request.user, rule_id)
        return ok(s.DryRunSerializer(run).data, message="Dry run: nothing was generated, scheduled or posted")
