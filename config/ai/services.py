"""Writes of the AI engine settings (the personas ``PUT /api/v1/settings`` and the staff Engines page)."""

from django.db import transaction

from config import crypto, net
from config.ai import overrides
from config.ai.models import EngineOverride
from config.audit import services as audit
from config.audit.choices import AuditAction
from config.errors import ValidationFailed


def check_engine_url(name: str, url: str) -> None:
    """Raise ``ValidationFailed`` unless the outbound URL policy (``config.net``) lets the server call ``url``.

    Checked when a URL is saved and before a connection test; the engines'
    transport checks it again on every connection, so a DNS answer that changes
    later is caught too.
    """
    try:
        net.check_url(url)
    except net.OutboundRefused as exc:
        raise ValidationFailed(f"{name}: {exc}", details={name: [str(exc)]}) from None


def save_overrides(user, values: dict[str, str | None]) -> dict[str, str]:
    """Save engine settings over the environment: a value sets one, ``None`` or "" removes it.

    Names not given are left as they are. Every URL must pass the outbound URL
    policy now; a provider must be one the registry knows. Raises
    ``ValidationFailed`` and saves nothing otherwise. Returns the overrides in
    force afterwards; every process reads them on its next engine call.
    """
    unknown = sorted(set(values) - set(overrides.OVERRIDABLE))
    if unknown:
        raise ValidationFailed(f"Not an engine setting: {', '.join(unknown)}.")
    for name, choices in overrides.CHOICES.items():
        if values.get(name) and values[name] not in choices:
            raise ValidationFailed(f"{name} must be one of {', '.join(choices)}.", details={name: ["Unknown."]})
    for name in overrides.URLS:
        if values.get(name):
            check_engine_url(name, values[name])
    with transaction.atomic():
        for name, value in values.items():
            if value in (None, ""):
                EngineOverride.objects.filter(name=name).delete()
            else:
                EngineOverride.objects.update_or_create(
                    name=name, defaults={"encrypted_value": crypto.encrypt(str(value)), "updated_by": user})
        # Names only: the values may be keys, and the audit log is shown to staff as is.
        audit.record(AuditAction.ADMIN_CHANGE, actor=user, target_type="ai.engineoverride", detail={
            "set": sorted(name for name, value in values.items() if value not in (None, "")),
            "cleared": sorted(name for name, value in values.items() if value in (None, ""))})
        # Again once committed: a process that read the old rows meanwhile cached them under the old version.
        transaction.on_commit(overrides.invalidate)
    overrides.invalidate()
    return overrides.current()
