"""Platform connectors: one class per platform behind the interface in ``base``.

``connector_for(account)`` gives the connector for a stored account (its
server and decrypted credentials); ``connector_class(platform)`` the class for
connecting a new one.
"""

from config.crypto import decrypt_json
from config.errors import ValidationFailed
from personas.connectors.base import (
    AccountInfo,
    AccountMetrics,
    ActionDone,
    AuthExpired,
    Connector,
    ConnectorError,
    MediaFile,
    Notification,
    PostMetrics,
    Published,
    PublishRequest,
    Target,
)
from personas.connectors.bluesky import BlueskyConnector
from personas.connectors.instagram import InstagramConnector
from personas.connectors.linkedin import LinkedInConnector
from personas.connectors.mastodon import MastodonConnector
from personas.connectors.threads import ThreadsConnector
from personas.connectors.x import XConnector
from personas.connectors.youtube import YouTubeConnector

CONNECTORS: dict[str, type[Connector]] = {
    "mastodon": MastodonConnector,
    "bluesky": BlueskyConnector,
    "instagram": InstagramConnector,
    "twitter": XConnector,
    "youtube": YouTubeConnector,
    "linkedin": LinkedInConnector,
    "threads": ThreadsConnector,
}


def connector_class(platform: str) -> type[Connector]:
    """The connector class for ``platform``; ``ValidationFailed`` for an unknown one."""
    try:
        return CONNECTORS[platform]
    except KeyError:
        raise ValidationFailed(f"Unknown platform {platform!r}.", details={"platforms": sorted(CONNECTORS)}) from None


def all_post_types() -> list[str]:
    """Every post type some platform publishes (each platform's own are ``post_types``)."""
    return sorted({post_type for connector in CONNECTORS.values() for post_type in connector.post_types})


def connector_for(account) -> Connector:
    """The connector of a stored ``PlatformAccount``, holding its decrypted credentials."""
    return connector_class(account.platform)(server_url=account.server_url,
                                             credentials=decrypt_json(account.credentials_encrypted))


__all__ = [
    "AccountInfo",
    "AccountMetrics",
    "ActionDone",
    "AuthExpired",
    "Connector",
    "ConnectorError",
    "MediaFile",
    "Notification",
    "PostMetrics",
    "PublishRequest",
    "Published",
    "Target",
    "all_post_types",
    "connector_class",
    "connector_for",
]
