"""Writes of the AI engine settings."""

from django.db import transaction

from config import crypto, net
from config.ai import overrides
from config.ai.models import EngineOverride
from config.errors import ValidationFailed


def save_overrides(user, values: dict[str, str | None]) -> dict[str, str]:
    """Save engine settings over the environment: a value sets one, ``None`` or "" removes it.

    Every URL must pass the outbound URL policy (``config.net``) now; the
    engines' own transport checks it again on each connection. Returns the
    overrides in force afterwards.
    """
    unknown = sorted(set(values) - set(overrides.OVERRIDABLE))
    if unknown:
        raise ValidationFailed(f"Not an engine setting: {', '.join(unknown)}.")
    for name in overrides.URLS:
        if values.get(name):
            try:
                net.check_url(values[name])
            except net.OutboundRefused as exc:
                raise ValidationFailed(f"{name}: {exc}") from None
    with transaction.atomic():
        for name, value in values.items():
            if value in (None, ""):
                EngineOverride.objects.filter(name=name).delete()
            else:
                EngineOverride.objects.update_or_create(
                    name=name, defaults={"encrypted_value": crypto.encrypt(str(value)), "updated_by": user})
        transaction.on_commit(overrides.invalidate)
    overrides.invalidate()
    return overrides.current()
