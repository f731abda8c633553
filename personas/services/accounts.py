"""Platform accounts: connect, disconnect, keep tokens fresh, and hand out ready connectors.

Credentials reach the database only through ``config.crypto.encrypt_json``;
nothing here returns or logs them. Only official APIs are used: an OAuth
access token (Mastodon) or an app password exchanged for session tokens
(Bluesky). Account passwords and browser sessions are refused.
"""

import logging
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from config import net
from config.crypto import decrypt_json, encrypt_json
from config.errors import ValidationFailed
from personas import selectors
from personas.choices import AuthType, CharacterStatus, ConnectionStatus
from personas.connectors import AccountInfo, AuthExpired, Connector, ConnectorError, connector_class, connector_for
from personas.connectors.base import refusal_in_words
from personas.errors import PlatformConnectionFailed
from personas.events import EventName, notify
from personas.models import Character, PlatformAccount

logger = logging.getLogger("stagecraft.personas")

OFFICIAL_APIS_ONLY = (
    "StageCraft connects through official platform APIs only: a Mastodon OAuth access token or a Bluesky "
    "app password (Settings > Privacy and security > App passwords). Account passwords and browser "
    "sessions are never accepted."
)
# Tokens expiring within this window are refreshed (the refresh task runs every 10 minutes).
REFRESH_WINDOW = timedelta(minutes=15)
REFRESH_LOCK_SECONDS = 60


def connect_account(owner, *, platform: str, character_id, auth_data: dict) -> PlatformAccount:
    """Verify ``auth_data`` live with the platform and store the account for the character.

    Raises ``ValidationFailed`` (unknown platform, missing fields), ``CharacterNotFound``,
    ``PlatformConnectionFailed`` 400 (passwords, browser sessions, refused credentials,
    unconfigured platforms) or 503 (platform unreachable). Reconnecting the same platform
    user updates its row.
    """
    connector_cls = connector_class(platform)
    character = selectors.character_for(owner, character_id)
    credentials, server_url, auth_type = _credentials_from(connector_cls, auth_data)
    try:
        info = connector_cls(server_url=server_url).connect(credentials)
    except (KeyError, TypeError, ValueError):  # a 200 that is not the platform's documented answer
        raise PlatformConnectionFailed(
            f"{server_url or platform} did not answer like a {platform.title()} server.") from None
    return store_account(owner, character, platform=platform, info=info, server_url=server_url, auth_type=auth_type)


def store_account(owner, character: Character, *, platform: str, info: AccountInfo, server_url: str,
                  auth_type: str) -> PlatformAccount:
    """Save a verified account for the character (reconnecting the same platform user updates its row)."""
    with transaction.atomic():
        account = PlatformAccount.objects.filter(character=character, platform=platform,
                                                 platform_user_id=info.platform_user_id).first()
        account = account or PlatformAccount(character=character, platform=platform,
                                             platform_user_id=info.platform_user_id)
        account.auth_type = auth_type
        account.server_url = server_url
        account.account_username = info.username
        account.account_url = info.url
        account.follower_count = info.follower_count
        account.credentials_encrypted = encrypt_json(info.credentials)
        account.token_expires_at = info.token_expires_at
        account.connection_status = ConnectionStatus.CONNECTED
        account.status_detail = ""
        account.save()
        notify(owner, EventName.ACCOUNT_CONNECTED, _event(account))
    return account


def _credentials_from(connector_cls: type[Connector], auth_data) -> tuple[dict, str, str]:
    """``(credentials, server_url, auth_type)`` from the request's ``auth_data``, or the refusal."""
    if not isinstance(auth_data, dict):
        raise ValidationFailed("auth_data must be an object.")
    auth_type = auth_data.get("auth_type", "")
    if auth_type == "browser_session" or "password" in auth_data:
        raise PlatformConnectionFailed(OFFICIAL_APIS_ONLY, details={"auth_type": auth_type or None})
    if auth_type not in AuthType.values:
        raise ValidationFailed("auth_type must be oauth or api_key.", details={"auth_type": auth_type})
    server_url = check_server_url(auth_data.get("server_url"))
    credentials, server_url = connector_cls.credentials_from(auth_data, server_url)
    return credentials, server_url, auth_type


def check_server_url(value, *, required: bool = False) -> str:
    """The account's server (a Mastodon instance, a Bluesky PDS), stripped; ``ValidationFailed`` if unusable.

    No private or loopback servers (SSRF): the outbound policy is asked now, and again on every connection.
    """
    server_url = str(value or "").strip().rstrip("/")
    if not server_url:
        if required:
            raise ValidationFailed("server_url is required: the address of the Mastodon instance.",
                                   details={"server_url": ["This field is required."]})
        return ""
    if not net.is_http_url(server_url):
        raise ValidationFailed(f"server_url: {net.HTTP_URL_HINT}")
    try:
        net.check_url(server_url)
    except net.OutboundRefused as exc:
        raise ValidationFailed(f"server_url is not allowed: {refusal_in_words(exc)}",
                               details={"field": "server_url"}) from None
    return server_url


def disconnect_account(owner, *, account_id) -> PlatformAccount:
    """Mark the account disconnected and wipe its stored credentials."""
    account = selectors.account_for(owner, account_id)
    with transaction.atomic():
        account.connection_status = ConnectionStatus.DISCONNECTED
        account.status_detail = "Disconnected by the user."
        account.credentials_encrypted = ""
        account.token_expires_at = None
        account.save(update_fields=["connection_status", "status_detail", "credentials_encrypted",
                                    "token_expires_at"])
        notify(owner, EventName.ACCOUNT_DISCONNECTED, _event(account))
    return account


def ready_connector(account: PlatformAccount) -> Connector:
    """The account's connector, its token refreshed first when it expires soon.

    Raises ``PlatformConnectionFailed`` (400) when the account is not connected;
    a refused refresh marks the account and its character as in error.
    """
    if account.connection_status != ConnectionStatus.CONNECTED:
        raise PlatformConnectionFailed(
            f"The {account.get_platform_display()} account is {account.connection_status}; reconnect it first.",
            details={"account_id": str(account.pk), "connection_status": account.connection_status})
    if _expires_soon(account.token_expires_at):
        try:
            refresh_account(account)
        except AuthExpired as exc:
            mark_account_error(account, exc.message)
            raise
    return connector_for(account)


def _expires_soon(expires_at: datetime | None) -> bool:
    return expires_at is not None and expires_at <= timezone.now() + REFRESH_WINDOW


def refresh_account(account: PlatformAccount) -> bool:
    """Exchange the account's tokens for fresh ones; ``False`` when another process is already doing it.

    Bluesky rotates the refresh token on use, so two processes refreshing at once
    would leave one holding a dead token: a short cache lock lets only one try.
    """
    lock = f"personas:token-refresh:{account.pk}"
    if not cache.add(lock, 1, timeout=REFRESH_LOCK_SECONDS):
        return False
    try:
        connector = connector_for(account)
        credentials = connector.refresh(decrypt_json(account.credentials_encrypted))
        expires_at = credentials.get("expires_at")
        account.credentials_encrypted = encrypt_json(credentials)
        account.token_expires_at = datetime.fromisoformat(expires_at) if expires_at else None
        account.save(update_fields=["credentials_encrypted", "token_expires_at"])
    finally:
        cache.delete(lock)
    return True


def refresh_expiring_tokens() -> int:
    """Refresh every connected account whose token expires within 15 minutes; return how many were.

    A refusal (expired or revoked refresh token) marks the account and its
    character as in error and tells the owner; a transient failure is logged and
    tried again on the next run.
    """
    due = PlatformAccount.objects.filter(
        connection_status=ConnectionStatus.CONNECTED, token_expires_at__isnull=False,
        token_expires_at__lte=timezone.now() + REFRESH_WINDOW, character__deleted_at__isnull=True,
    ).select_related("character__owner")
    refreshed = 0
    for account in due:
        try:
            refreshed += refresh_account(account)
        except ConnectorError as exc:
            if exc.retryable:
                logger.warning("Token refresh of account %s deferred: %s", account.pk, exc.message)
                continue
            mark_account_error(account, f"Token refresh failed: {exc.message}")
    return refreshed


def mark_account_error(account: PlatformAccount, reason: str) -> None:
    """Record that the account cannot be used: account and character in error, the owner told."""
    character: Character = account.character
    with transaction.atomic():
        PlatformAccount.objects.filter(pk=account.pk).update(connection_status=ConnectionStatus.ERROR,
                                                             status_detail=reason)
        account.connection_status, account.status_detail = ConnectionStatus.ERROR, reason
        character.status = CharacterStatus.ERROR
        character.status_reason = f"{account.get_platform_display()} account {account.account_username}: {reason}"
        character.save(update_fields=["status", "status_reason", "updated_at"])
        notify(character.owner, EventName.ERROR_OCCURRED,
               {**_event(account), "message": character.status_reason})


def note_failure(account: PlatformAccount, exc: ConnectorError) -> None:
    """After a live call failed: refused credentials put the account in error."""
    if isinstance(exc, AuthExpired):
        mark_account_error(account, exc.message)


def _event(account: PlatformAccount) -> dict:
    return {"character_id": str(account.character_id), "account_id": str(account.pk),
            "platform": account.platform, "account_username": account.account_username,
            "connection_status": account.connection_status}
