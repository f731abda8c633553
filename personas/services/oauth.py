"""Connecting an account through the platform's consent page (OAuth 2.0 authorization code).

``start_oauth`` answers the URL to send the person to; the platform sends the
browser back to ``/personas/oauth/<platform>/callback`` with ``code`` and
``state``, and ``finish_oauth`` checks the state (same person, unused, fresh),
exchanges the code with the PKCE verifier kept here, verifies the account live
and stores it like a pasted token. See ``personas/oauth.py`` for the settings.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.crypto import decrypt, encrypt
from personas import oauth, selectors
from personas.choices import AuthType, Platform
from personas.connectors import connector_class
from personas.errors import PlatformConnectionFailed
from personas.models import OAuthAttempt, OAuthRegistration, PlatformAccount
from personas.services.accounts import check_server_url, store_account

ATTEMPT_MINUTES = 10


def start_oauth(owner, *, platform: str, character_id, server_url: str = "") -> str:
    """Remember a new attempt for the character and answer the platform's consent URL.

    Raises ``ValidationFailed`` (unknown platform, a Mastodon instance URL missing or
    refused), ``CharacterNotFound``, or ``PlatformConnectionFailed`` 400 when the
    platform has no OAuth flow or this deployment has no app on it (the details say
    what to set).
    """
    connector_cls = connector_class(platform)
    character = selectors.character_for(owner, character_id)
    spec = connector_cls.oauth
    if spec is None:
        raise PlatformConnectionFailed(
            f"{Platform(platform).label} connects with an app password, not a consent page: send auth_data.")
    redirect_uri = oauth.callback_url(platform)
    if platform == Platform.MASTODON:
        server_url = check_server_url(server_url, required=True)
        app = _mastodon_app(server_url, redirect_uri)
    else:
        server_url = ""
        app = oauth.app_for(spec)
        if app is None:
            raise PlatformConnectionFailed(
                f"{Platform(platform).label} is not configured in this deployment.",
                details={"platform": platform, "configure": oauth.not_configured_hint(spec)})
    verifier, challenge = oauth.pkce_pair()
    attempt = OAuthAttempt.objects.create(state=oauth.new_state(), owner=owner, character=character,
                                          platform=platform, server_url=server_url,
                                          code_verifier_encrypted=encrypt(verifier))
    return oauth.authorization_url(spec, app, state=attempt.state, code_challenge=challenge,
                                   redirect_uri=redirect_uri)


def finish_oauth(owner, *, platform: str, state: str, code: str = "", error: str = "") -> PlatformAccount:
    """Exchange the code the platform sent back and store the account.

    The attempt is used once whatever happens. Raises ``PlatformConnectionFailed``
    400 when the state is unknown, another person's, expired or for another
    platform, when the person declined, or when the platform refuses the code;
    503 when the platform cannot be reached.
    """
    with transaction.atomic():
        attempt = OAuthAttempt.objects.select_for_update().filter(state=state, owner=owner, platform=platform) \
            .select_related("character").first() if state else None
        if attempt is not None:
            attempt.delete()
    if attempt is None or attempt.created_at < timezone.now() - timedelta(minutes=ATTEMPT_MINUTES):
        raise PlatformConnectionFailed("This connection link has expired or was already used; start again.")
    if error or not code:
        raise PlatformConnectionFailed(f"{Platform(platform).label} did not grant access"
                                       f"{': ' + error if error else ''}. Nothing was connected.")
    connector_cls = connector_class(platform)
    redirect_uri = oauth.callback_url(platform)
    if platform == Platform.MASTODON:
        app = _mastodon_app(attempt.server_url, redirect_uri)
    else:
        app = oauth.app_for(connector_cls.oauth)
        if app is None:
            raise PlatformConnectionFailed(f"{Platform(platform).label} is no longer configured here.")
    connector = connector_cls(server_url=attempt.server_url)
    try:
        credentials = connector.exchange_code(app, code=code, code_verifier=decrypt(attempt.code_verifier_encrypted),
                                              redirect_uri=redirect_uri)
        info = connector.connect(credentials)
    except (KeyError, TypeError, ValueError):  # a 200 that is not the platform's documented answer
        raise PlatformConnectionFailed(f"{Platform(platform).label} did not answer as documented.") from None
    return store_account(owner, attempt.character, platform=platform, info=info, server_url=attempt.server_url,
                         auth_type=AuthType.OAUTH)


def forget_stale_attempts() -> int:
    """Delete attempts nobody came back from (run with the retention sweep); how many went."""
    cutoff = timezone.now() - timedelta(minutes=ATTEMPT_MINUTES)
    return OAuthAttempt.objects.filter(created_at__lt=cutoff).delete()[0]


def _mastodon_app(server_url: str, redirect_uri: str) -> oauth.OAuthApp:
    """StageCraft's app on the instance: registered on first use, then read back."""
    found = OAuthRegistration.objects.filter(platform=Platform.MASTODON, server_url=server_url,
                                             redirect_uri=redirect_uri).first()
    if found is None:
        try:
            app = connector_class(Platform.MASTODON)(server_url=server_url).register_app(
                redirect_uri=redirect_uri, website=settings.SITE_URL)
        except (KeyError, TypeError, ValueError):
            raise PlatformConnectionFailed(f"{server_url} did not answer like a Mastodon server.") from None
        found, _ = OAuthRegistration.objects.get_or_create(
            platform=Platform.MASTODON, server_url=server_url, redirect_uri=redirect_uri,
            defaults={"client_id": app.client_id, "client_secret_encrypted": encrypt(app.client_secret)})
    return oauth.OAuthApp(client_id=found.client_id, client_secret=decrypt(found.client_secret_encrypted),
                          api_base=server_url, auth_base=server_url)

