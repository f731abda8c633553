"""Which disclosure profile a staging carries, and the user's default."""



from config.errors import ValidationFailed
from staging.models import DisclosureProfile, StagingPreferences

NO_DISCLOSURE = "none"


def disclosure_profile(owner, slug: str) -> DisclosureProfile | None:
    """The profile asked for ("none" for none), else the user's default, else none."""
    if slug == NO_DISCLOSURE:
        return None
    if slug:
        profile = DisclosureProfile.objects.filter(slug=slug, active=True).first()
        if profile is None:
            raise ValidationFailed(f"Unknown disclosure profile {slug!r}.")
        return profile
    preferences = StagingPreferences.objects.filter(owner=owner).select_related("disclosure_profile").first()
    return preferences.disclosure_profile if preferences else None


def set_default_disclosure(owner, *, slug: str) -> StagingPreferences:
    """Remember the user's default disclosure profile ('' clears it)."""
    profile = disclosure_profile(owner, slug) if slug else None
    preferences, _ = StagingPreferences.objects.update_or_create(owner=owner,
                                                                 defaults={"disclosure_profile": profile})
    return preferences
