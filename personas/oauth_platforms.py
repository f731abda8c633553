"""The platforms a person connects through a consent page, and whether this deployment can."""

from dataclasses import dataclass

from django.conf import settings

from personas import oauth
from personas.choices import Platform
from personas.connectors import CONNECTORS


@dataclass(frozen=True)
class ConsentPlatform:
    value: str
    label: str
    configured: bool
    configure: str  # what an operator sets (shown to staff only)


def available() -> list[ConsentPlatform]:
    """Every platform with an OAuth flow except Mastodon (its instance is typed in), configured or not.

    Bluesky's AT Protocol OAuth needs no app credentials, only a public https ``SITE_URL`` its
    authorization server can fetch our client metadata from.
    """
    found = []
    for value, connector in CONNECTORS.items():
        if connector.oauth is None or connector.registers_app_per_server:
            continue
        found.append(ConsentPlatform(value=value, label=Platform(value).label,
                                     configured=oauth.app_for(connector.oauth) is not None,
                                     configure=oauth.not_configured_hint(connector.oauth)))
    found.append(ConsentPlatform(value=Platform.BLUESKY, label=Platform.BLUESKY.label,
                                 configured=settings.SITE_URL.startswith("https://"),
                                 configure="SITE_URL=https://<this deployment's public address>"))
    return found
