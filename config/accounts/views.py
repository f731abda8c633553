"""Browser pages: sign-up, profile, API keys, and the dashboard."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config import dashboard as product_tiles
from config.accounts import services
from config.accounts.forms import APIKeyForm, ProfileForm, SignUpForm
from config.accounts.models import APIKey
from config.errors import ApplicationError
from config.jobs import naming
from config.jobs.models import Job

RECENT_JOBS = 10


def home(request):
    """Signed in: the dashboard. Signed out: what the five products do, and the way in."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "landing.html")


def signup(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.register_user(**form.cleaned_data)
        except ApplicationError as exc:
            form.add_error("password" if exc.code == "VALIDATION_ERROR" and "password" in str(exc.details) else "email",
                           exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to StageCraft.")
            return redirect("dashboard")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def dashboard(request):
    jobs = list(Job.objects.for_user(request.user).only(
        "id", "kind", "params", "status", "progress", "current_step", "error_code", "created_at")[:RECENT_JOBS])
    for job in jobs:
        job.title = naming.describe(job)
    tiles = product_tiles.tiles_for(request.user)
    most = max([tile.used_this_cycle for tile in tiles] + [1])
    return render(request, "accounts/dashboard.html", {
        "jobs": jobs, "tiles": tiles,
        "usage": [(tile, round(100 * tile.used_this_cycle / most)) for tile in tiles],
    })


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(request.user, full_name=form.cleaned_data["full_name"],
                                company=form.cleaned_data["company"],
                                default_style=form.cleaned_data["default_style"],
                                notification_preferences=form.notification_preferences())
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def api_keys(request):
    form = APIKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = services.create_api_key(request.user, name=form.cleaned_data["name"])
        form = APIKeyForm()
    keys = APIKey.objects.for_user(request.user)
    return render(request, "accounts/api_keys.html", {"form": form, "keys": keys, "new_key": new_key})


@login_required
@require_POST
def api_key_revoke(request, key_id: int):
    services.revoke_api_key(request.user, key_id=key_id)
    messages.success(request, "Key revoked. It no longer works.")
    return redirect("accounts:api_keys")


@login_required
@require_POST
def api_key_regenerate(request, key_id: int):
    _, raw = services.regenerate_api_key(request.user, key_id=key_id)
    keys = APIKey.objects.for_user(request.user)
    return render(request, "accounts/api_keys.html", {"form": APIKeyForm(), "keys": keys, "new_key": raw})
