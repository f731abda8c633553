"""Personas pages: characters, the content studio, the calendar, connections, analytics and rules.

Every write goes through ``personas.services``; a domain error is shown on the
form that caused it. Another user's character, content, account or rule is a 404.
"""

import base64
from datetime import date, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from config.errors import ApplicationError, NotFound
from config.files.signing import media_url
from personas import analytics, calendar, charts, oauth_platforms, platform_rules, selectors
from personas.choices import AuthType, ConnectionStatus, Platform, Review, ScheduleStatus
from personas.connectors import atproto_oauth
from personas.forms import (
    BlueskyConnectForm,
    CharacterForm,
    ComposeForm,
    GenerateForm,
    MastodonConnectForm,
    OAuthConnectForm,
    RejectForm,
    RuleForm,
    ScheduleForm,
)
from personas.models import Character, ContentItem, Generation, PlatformAccount, Post, RuleRun
from personas.post_text import compose_text
from personas.services import (
    accounts,
    automation,
    characters,
    composing,
    content,
    engagement,
    oauth,
    publishing,
    scheduling,
)
from personas.services import review as content_review
from personas.services import rules as automation_rules


def _owned(lookup):
    """Run a selector or service lookup; another user's object (or a malformed id) is a 404."""

    @wraps(lookup)
    def wrapper(*args, **kwargs):
        try:
            return lookup(*args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None

    return wrapper


character_or_404 = _owned(selectors.character_for)
content_or_404 = _owned(selectors.content_for)
account_or_404 = _owned(selectors.account_for)
rule_or_404 = _owned(automation_rules.rule_for)
scheduled_or_404 = _owned(selectors.scheduled_post_for)


def _avatar(character: Character) -> Character:
    character.avatar_url = media_url(character.profile_image.name) if character.profile_image else ""
    return character


def _character_choices(user) -> list[tuple[str, str]]:
    return [(str(c.pk), c.name) for c in Character.objects.for_user(user).order_by("name")]


# --- Characters -------------------------------------------------------------------------------------------

@login_required
def character_list(request):
    rows = [_avatar(c) for c in Character.objects.for_user(request.user).order_by("name")]
    return render(request, "personas/characters.html", {"characters": rows})


@login_required
def character_new(request):
    form = CharacterForm(request.POST or None, request.FILES or None,
                         initial={"disclosure_line": Character._meta.get_field("disclosure_line").default})
    if request.method == "POST" and form.is_valid():
        try:
            character = characters.create_character(request.user, **form.service_arguments())
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{character.name} created.")
            return redirect("personas:studio", character_id=character.pk)
    return render(request, "personas/character_form.html", {"form": form, "character": None})


@login_required
def character_edit(request, character_id):
    character = _avatar(character_or_404(request.user, character_id))
    form = CharacterForm(request.POST or None, request.FILES or None, initial=CharacterForm.initial_for(character),
                         editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            characters.update_character(request.user, character_id=character.pk, **form.service_arguments())
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Character saved.")
            return redirect("personas:character_edit", character_id=character.pk)
    face_url = media_url(character.face_reference.name) if character.face_reference else ""
    return render(request, "personas/character_form.html",
                  {"form": form, "character": character, "face_url": face_url})


@login_required
@require_POST
def character_status(request, character_id, action):
    character = character_or_404(request.user, character_id)
    change = characters.pause_character if action == "pause" else characters.resume_character
    try:
        change(request.user, character_id=character.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{character.name} {'paused' if action == 'pause' else 'resumed'}.")
    return redirect("personas:character_edit", character_id=character.pk)


# --- Content studio ---------------------------------------------------------------------------------------

def _with_urls(items: list[ContentItem]) -> list[ContentItem]:
    for item in items:
        item.file_url = media_url(item.file.name) if item.file else ""
        item.thumb_url = media_url(item.thumbnail.name) if item.thumbnail else item.file_url
    return items


def engines_page_url() -> str:
    # The AI engines page is named ai:engines; before that name existed it lived at this address.
    try:
        return reverse("ai:engines")
    except NoReverseMatch:
        return "/admin/ai/engines/"


@login_required
def studio(request, character_id, form: GenerateForm | None = None, compose_form: ComposeForm | None = None,
           previews: dict | None = None):
    character = _avatar(character_or_404(request.user, character_id))
    items = ContentItem.objects.filter(character=character).order_by("-created_at")
    generations = Generation.objects.filter(character=character).select_related("job")
    # Said before the form is filled in: text needs a language model, images an image engine, video is not offered.
    form = form or GenerateForm(unavailable=content.unavailable_content_types())
    return render(request, "personas/studio.html", {
        "character": character, "form": form, "can_generate": form.can_generate,
        "compose_form": compose_form or ComposeForm(), "previews": previews or {},
        "engines_url": engines_page_url() if request.user.is_staff else "",
        "running": generations.unfinished().prefetch_related("job__steps").order_by("created_at"),
        # Failures stay in view for a day; the generation API keeps them for good.
        "recent_failures": generations.failed().filter(created_at__gte=timezone.now() - timedelta(days=1))
                                               .order_by("-created_at")[:3],
        "pending": _with_urls(list(items.filter(review=Review.PENDING)[:50])),
        "approved": _with_urls(list(items.filter(review=Review.APPROVED)[:50])),
        "rejected": _with_urls(list(items.filter(review=Review.REJECTED)[:10])),
    })


@login_required
@require_POST
def generate(request, character_id):
    character = character_or_404(request.user, character_id)
    form = GenerateForm(request.POST, unavailable=content.unavailable_content_types())
    if form.is_valid():
        try:
            content.start_generation(request.user, character_id=character.pk, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Generation started; new content appears below for review.")
            return redirect("personas:studio", character_id=character.pk)
    return studio(request, character.pk, form=form)


@login_required
@require_POST
def compose(request, character_id):
    """Write a post by hand: into the library, approved; or, with "preview", shown as each platform will cut it."""
    character = character_or_404(request.user, character_id)
    form = ComposeForm(request.POST, request.FILES)
    if not form.is_valid():
        return studio(request, character.pk, compose_form=form)
    media = [{"data": base64.b64encode(upload.read()).decode(), "content_type": upload.content_type}
             for upload in form.cleaned_data["images"]]
    fields = {"caption": form.cleaned_data["caption"], "hashtags": form.cleaned_data["hashtags"],
              "alt_text": form.cleaned_data["alt_text"]}
    if "preview" in request.POST:
        draft = ContentItem(character=character, caption=fields["caption"].strip(), hashtags=fields["hashtags"])
        platforms = sorted({account.platform for account in character.accounts.all()}) or list(composing.PREVIEWED)
        return studio(request, character.pk, compose_form=form,
                      previews=composing.previews(character, draft, platforms))
    try:
        composing.compose_content(request.user, character_id=character.pk, media=media, **fields)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return studio(request, character.pk, compose_form=form)
    messages.success(request, "Added to the approved library: schedule it from the calendar.")
    return redirect("personas:studio", character_id=character.pk)


@login_required
@require_POST
def review(request, content_id, decision):
    item = content_or_404(request.user, content_id)
    try:
        if decision == "approve":
            content_review.approve_content(request.user, content_id=item.pk)
            messages.success(request, "Approved: it can now be posted or scheduled.")
        else:
            form = RejectForm(request.POST)
            content_review.reject_content(request.user, content_id=item.pk,
                                           reason=form.cleaned_data["reason"] if form.is_valid() else "")
            messages.success(request, "Rejected.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("personas:studio", args=[item.character_id]) + "#review")


# --- Calendar ---------------------------------------------------------------------------------------------

def _schedule_form(request, data=None) -> ScheduleForm:
    connected = PlatformAccount.objects.for_user(request.user).filter(connection_status=ConnectionStatus.CONNECTED) \
        .select_related("character").order_by("character__name", "platform")
    approved = ContentItem.objects.for_user(request.user).filter(review=Review.APPROVED) \
        .select_related("character").order_by("character__name", "-created_at")[:200]
    return ScheduleForm(
        data,
        accounts=[(str(a.pk), f"{a.character.name} · {a.get_platform_display()} @{a.account_username}")
                  for a in connected],
        contents=[(str(c.pk), f"{c.character.name} · {c.get_content_type_display()} · "
                              f"{(c.caption or c.prompt)[:60]}") for c in approved],
    )


@login_required
def calendar_page(request, form: ScheduleForm | None = None, preview: dict | None = None):
    view = request.GET.get("view", calendar.WEEK)
    today = timezone.localdate()
    try:
        anchor = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        anchor = today
    posts = scheduling.scheduled_posts(request.user).exclude(status=ScheduleStatus.CANCELLED)
    if character_id := request.GET.get("character"):
        posts = posts.filter(character=character_or_404(request.user, character_id))
    grid = calendar.build_grid(posts, view=view, anchor=anchor, today=today)
    return render(request, "personas/calendar.html", {
        "grid": grid, "form": form or _schedule_form(request), "character_id": character_id or "",
        "characters": _character_choices(request.user), "preview": preview,
    })


@login_required
@require_POST
def schedule(request):
    form = _schedule_form(request, request.POST)
    if form.is_valid() and "preview" in request.POST:
        return calendar_page(request, form=form, preview=_post_preview(request.user, form.cleaned_data))
    if form.is_valid():
        data = form.cleaned_data
        account = account_or_404(request.user, data["account"])
        # The form reads the time in the server's zone; naive again, it is wall-clock time in the character's.
        wall_clock = timezone.make_naive(data["scheduled_at"])
        try:
            scheduled = scheduling.create_scheduled_post(
                request.user, character_id=account.character_id, platform_account_id=account.pk,
                content_id=data["content"], scheduled_at=wall_clock, caption=data["caption"] or None,
                recurrence_rule=data["recurrence"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Post scheduled.")
            local = scheduled.scheduled_at.astimezone(calendar.zone_of(scheduled.timezone))
            return redirect(f"{reverse('personas:calendar')}?date={local.date().isoformat()}")
    return calendar_page(request, form=form)


def _post_preview(user, data: dict) -> dict:
    """The post as its platform will show it, cut where it must be, and every rule it breaks."""
    account = account_or_404(user, data["account"])
    item = content_or_404(user, data["content"])
    text = compose_text(Post(character=account.character, caption=data["caption"] or item.caption,
                             hashtags=item.hashtags, mentions=[]))
    shown = platform_rules.preview(account.platform, text)
    return {"platform": account.get_platform_display(), "text": shown.shown, "fits": shown.fits,
            "length": shown.length, "limit": shown.limit,
            "problems": platform_rules.problems(account.platform, text=text, media=publishing.media_facts([item]))}


@login_required
@require_POST
def unschedule(request, scheduled_post_id):
    scheduled = scheduled_or_404(request.user, scheduled_post_id)
    try:
        scheduling.cancel_scheduled_post(request.user, scheduled.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Scheduled post cancelled.")
    back = request.POST.get("next", "")
    # Only back to a page of this site: a crafted form must not turn this into an open redirect.
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("personas:calendar")
    return redirect(back)


# --- Connections ------------------------------------------------------------------------------------------

@login_required
def connections(request, forms: dict | None = None):
    choices = _character_choices(request.user)
    forms = forms or {}
    return render(request, "personas/connections.html", {
        "accounts": PlatformAccount.objects.for_user(request.user).select_related("character")
                                           .order_by("character__name", "platform"),
        "mastodon_form": forms.get("mastodon") or MastodonConnectForm(characters=choices),
        "bluesky_form": forms.get("bluesky") or BlueskyConnectForm(characters=choices),
        "consent_form": OAuthConnectForm(characters=choices, prefix=_consent_prefix("")),
        "mastodon_oauth_form": OAuthConnectForm(characters=choices, prefix=_consent_prefix(Platform.MASTODON)),
        "consent_platforms": oauth_platforms.available(),
        "has_characters": bool(choices),
    })


# Platforms whose credentials are typed on the page: the form, and the auth_type its auth_data carries.
TYPED_CREDENTIALS = {Platform.MASTODON: (MastodonConnectForm, AuthType.OAUTH),
                     Platform.BLUESKY: (BlueskyConnectForm, AuthType.API_KEY)}


@login_required
@require_POST
def connect(request, platform):
    if platform not in TYPED_CREDENTIALS:
        raise Http404("Only Mastodon and Bluesky can be connected here.")
    form_class, auth_type = TYPED_CREDENTIALS[platform]
    form = form_class(request.POST, characters=_character_choices(request.user))
    if form.is_valid():
        auth_data = {k: v for k, v in form.cleaned_data.items() if k != "character" and v}
        auth_data["auth_type"] = auth_type
        try:
            account = accounts.connect_account(request.user, platform=platform,
                                               character_id=form.cleaned_data["character"], auth_data=auth_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Connected @{account.account_username} on {account.get_platform_display()}.")
            return redirect("personas:connections")
    return connections(request, forms={platform: form})


@login_required
@require_POST
def authorize(request, platform):
    """Start connecting through the platform's consent page: a page with the one link to follow.

    A link, not a redirect: the pages' CSP allows forms to post only here (form-action 'self').
    """
    form = OAuthConnectForm(request.POST, characters=_character_choices(request.user),
                            prefix=_consent_prefix(platform))
    if not form.is_valid():
        messages.error(request, "Choose a character to connect the account to.")
        return redirect("personas:connections")
    try:
        url = oauth.start_oauth(request.user, platform=platform, character_id=form.cleaned_data["character"],
                                server_url=form.cleaned_data["server_url"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("personas:connections")
    return render(request, "personas/authorize.html", {"platform": Platform(platform).label, "url": url})


def _consent_prefix(platform: str) -> str:
    # Two consent forms share the page (the platforms', and Mastodon's with its instance): distinct field ids.
    return "mastodon-oauth" if platform == Platform.MASTODON else "consent"


@login_required
def oauth_callback(request, platform):
    """Where the platform sends the person back: the account is stored and they return to the character."""
    if platform not in Platform.values:
        raise Http404("Unknown platform.")
    try:
        account = oauth.finish_oauth(request.user, platform=platform, state=request.GET.get("state", ""),
                                     code=request.GET.get("code", ""), iss=request.GET.get("iss", ""),
                                     error=request.GET.get("error_description") or request.GET.get("error", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("personas:connections")
    messages.success(request, f"Connected @{account.account_username} on {account.get_platform_display()}.")
    return redirect("personas:character_edit", account.character_id)


def bluesky_client_metadata(request):
    """AT Protocol OAuth's client metadata: public, since Bluesky's authorization server fetches it by its URL."""
    return JsonResponse(atproto_oauth.client_metadata())


@login_required
@require_POST
def account_action(request, account_id, action):
    account = account_or_404(request.user, account_id)
    try:
        if action == "disconnect":
            accounts.disconnect_account(request.user, account_id=account.pk)
            messages.success(request, f"Disconnected @{account.account_username}.")
        else:
            result = engagement.sync_account(account)
            messages.success(request, f"Synced @{account.account_username}: {result['followers']} followers, "
                                      f"{result['new_actions']} new notifications.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("personas:connections")


# --- Analytics --------------------------------------------------------------------------------------------

def _series(days: list[str], values: list[int]) -> list[tuple[date, int]]:
    return [(date.fromisoformat(day), value) for day, value in zip(days, values, strict=True)]


@login_required
def analytics_page(request):
    character_id = request.GET.get("character") or None
    if character_id:
        character_or_404(request.user, character_id)
    data = analytics.overview(request.user, character_id=character_id)
    trends = data["trends"]
    return render(request, "personas/analytics.html", {
        "data": data, "character_id": character_id or "", "characters": _character_choices(request.user),
        "followers_chart": charts.line_chart("Followers", _series(trends["follower_dates"],
                                                                  trends["follower_growth"])),
        "engagement_chart": charts.line_chart("Engagement (likes, comments, shares)",
                                              _series(trends["engagement_dates"], trends["engagement"])),
    })


# --- Rules ------------------------------------------------------------------------------------------------

def _rule_arguments(form: RuleForm) -> dict:
    data = form.cleaned_data
    fields = {k: data[k] for k in ("name", "description", "trigger_type", "action", "content_type",
                                   "prompt_template", "caption_template", "max_posts_per_day", "cooldown_minutes",
                                   "platforms")}
    fields["trigger_config"] = form.trigger_config()
    return fields


@login_required
def rules(request):
    choices = _character_choices(request.user)
    form = RuleForm(request.POST or None, characters=choices)
    if request.method == "POST" and form.is_valid():
        try:
            rule = automation_rules.create_rule(request.user, character_id=form.cleaned_data["character"],
                                                **_rule_arguments(form))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Rule “{rule.name}” created.")
            return redirect("personas:rule", rule_id=rule.pk)
    return render(request, "personas/rules.html", {"rules": automation_rules.list_rules(request.user),
                                                    "form": form, "has_characters": bool(choices)})


@login_required
def rule_detail(request, rule_id):
    rule = rule_or_404(request.user, rule_id)
    form = RuleForm(request.POST or None, characters=[(str(rule.character_id), rule.character.name)],
                    initial=RuleForm.initial_for(rule))
    if request.method == "POST" and form.is_valid():
        try:
            automation_rules.update_rule(request.user, rule.pk, **_rule_arguments(form))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Rule saved.")
            return redirect("personas:rule", rule_id=rule.pk)
    runs = list(RuleRun.objects.filter(rule=rule).order_by("-created_at", "-id")[:20])
    for run in runs:
        run.note = next((str(run.detail[k]) for k in ("reason", "error", "would_fail", "guard", "skip_reason")
                         if run.detail.get(k)), "")
    return render(request, "personas/rule.html", {"rule": rule, "form": form, "runs": runs})


@login_required
@require_POST
def rule_action(request, rule_id, action):
    rule = rule_or_404(request.user, rule_id)
    try:
        if action == "dry-run":
            run = automation.dry_run(request.user, rule.pk)
            if run.detail.get("would_fail"):
                verdict = f"would fail now: {run.detail['would_fail']}"
            else:
                verdict = "would run now." if run.detail.get("would_run") else \
                    f"would not run now: {run.detail.get('guard') or run.detail.get('skip_reason')}"
            messages.success(request, f"Dry run: the rule {verdict} Nothing was generated or scheduled.")
        else:
            automation_rules.set_enabled(request.user, rule.pk, enabled=action == "enable")
            messages.success(request, f"Rule {'enabled' if action == 'enable' else 'disabled'}.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("personas:rule", rule_id=rule.pk)

