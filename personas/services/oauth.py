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

from config.crypto import decrypt, decrypt_json, encrypt, encrypt_json
from personas import oauth, selectors
from personas.choices import AuthType, Platform
from personas.connectors import Connector, atproto_oauth, connector_class
from personas.errors import PlatformConnectionFailed
from personas.models import OAuthAttempt, OAuthRegistration, PlatformAccount
from personas.services.accounts import check_server_url, store_account

ATTEMPT_MINUTES = 10


def start_oauth(owner, *, platform: str, character_id, server_url: str = "", login_hint: str = "") -> str:
    """Remember a new attempt for the character and answer the platform's consent URL.

    Raises ``ValidationFailed`` (unknown platform, a Mastodon instance URL missing or
    refused), ``CharacterNotFound``, or ``PlatformConnectionFailed`` 400 when the
    platform has no OAuth flow or this deployment has no app on it (the details say
    what to set). Bluesky: ``server_url`` is the person's PDS (default the entryway),
    ``login_hint`` their handle; 503 when its servers cannot be reached.
    """
    connector_cls = connector_class(platform)
    character = selectors.character_for(owner, character_id)
    if platform == Platform.BLUESKY:
        return _start_bluesky(owner, character, server_url=server_url, login_hint=login_hint)
    spec = connector_cls.oauth
    if spec is None:
        raise PlatformConnectionFailed(
            f"{Platform(platform).label} connects with an app password, not a consent page: send auth_data.")
    redirect_uri = oauth.callback_url(platform)
    if connector_cls.registers_app_per_server:
        server_url = check_server_url(server_url, required=True)
        app = _server_app(connector_cls, server_url, redirect_uri)
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


def finish_oauth(owner, *, platform: str, state: str, code: str = "", error: str = "",
                 iss: str = "") -> PlatformAccount:
    """Exchange the code the platform sent back and store the account.

    The attempt is used once whatever happens. Raises ``PlatformConnectionFailed``
    400 when the state is unknown, another person's, expired or for another
    platform, when the person declined, or when the platform refuses the code;
    503 when the platform cannot be reached. ``iss`` is the issuer Bluesky names.
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
    if platform == Platform.BLUESKY:
        return _finish_bluesky(owner, attempt, code=code, iss=iss)
    connector_cls = connector_class(platform)
    redirect_uri = oauth.callback_url(platform)
    if connector_cls.registers_app_per_server:
        app = _server_app(connector_cls, attempt.server_url, redirect_uri)
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


def _start_bluesky(owner, character, *, server_url: str, login_hint: str) -> str:
    """AT Protocol OAuth: discover the PDS's authorization server, push the request, keep the DPoP key."""
    atproto_oauth.require_public_site()
    pds_url = check_server_url(server_url) or atproto_oauth.default_server()
    server = atproto_oauth.discover(pds_url)
    key = atproto_oauth.DPoPKey.generate()
    verifier, challenge = oauth.pkce_pair()
    state = oauth.new_state()
    url, nonce = atproto_oauth.push_authorization(server, key, state=state, code_challenge=challenge,
                                                  login_hint=login_hint)
    saved = {"issuer": server.issuer, "token_endpoint": server.token_endpoint, "dpop_key": key.pem,
             "dpop_nonce": nonce}
    OAuthAttempt.objects.create(state=state, owner=owner, character=character, platform=Platform.BLUESKY,
                                server_url=pds_url, code_verifier_encrypted=encrypt(verifier),
                                atproto_encrypted=encrypt_json(saved))
    return url


def _finish_bluesky(owner, attempt: OAuthAttempt, *, code: str, iss: str) -> PlatformAccount:
    """Check the issuer, redeem the code with the attempt's DPoP key, check the DID's PDS trusts that issuer."""
    saved = decrypt_json(attempt.atproto_encrypted)
    if iss != saved["issuer"]:
        raise PlatformConnectionFailed(f"The answer names the issuer {iss or 'nobody'!r}, not the Bluesky server "
                                       "this connection started with; nothing was connected.")
    key = atproto_oauth.DPoPKey.from_pem(saved["dpop_key"])
    body, nonce = atproto_oauth.token_request(
        saved["token_endpoint"], key, saved["dpop_nonce"],
        {"grant_type": "authorization_code", "code": code, "redirect_uri": atproto_oauth.redirect_uri(),
         "code_verifier": decrypt(attempt.code_verifier_encrypted)}, "exchange the authorization code")
    # The issuer must be the one the account's own PDS names, or any server could claim any DID.
    pds_url = atproto_oauth.pds_of(body["sub"])
    if atproto_oauth.authorization_server_of(pds_url) != saved["issuer"]:
        raise PlatformConnectionFailed("Bluesky's authorization server is not the one the account's PDS trusts; "
                                       "nothing was connected.")
    credentials = atproto_oauth.credentials_from(body, key=key, issuer=saved["issuer"],
                                                 token_endpoint=saved["token_endpoint"], nonce=nonce)
    try:
        info = connector_class(Platform.BLUESKY)(server_url=pds_url).connect(credentials)
    except (KeyError, TypeError, ValueError):
        raise PlatformConnectionFailed("Bluesky did not answer as documented.") from None
    return store_account(owner, attempt.character, platform=Platform.BLUESKY, info=info, server_url=pds_url,
                         auth_type=AuthType.OAUTH)


def forget_stale_attempts() -> int:
    """Delete attempts nobody came back from (run with the retention sweep); how many went."""
    cutoff = timezone.now() - timedelta(minutes=ATTEMPT_MINUTES)
    return OAuthAttempt.objects.filter(created_at__lt=cutoff).delete()[0]


def _server_app(connector_cls: type[Connector], server_url: str, redirect_uri: str) -> oauth.OAuthApp:
    """StageCraft's app on the account's server (a Mastodon instance): registered on first use, then read back."""
    platform = connector_cls.platform
    found = OAuthRegistration.objects.filter(platform=platform, server_url=server_url,
                                             redirect_uri=redirect_uri).first()
    if found is None:
        try:
            app = connector_cls(server_url=server_url).register_app(redirect_uri=redirect_uri,
                                                                    website=settings.SITE_URL)
        except (KeyError, TypeError, ValueError):
            raise PlatformConnectionFailed(
                f"{server_url} did not answer like a {Platform(platform).label} server.") from None
        found, _ = OAuthRegistration.objects.get_or_create(
            platform=platform, server_url=server_url, redirect_uri=redirect_uri,
            defaults={"client_id": app.client_id, "client_secret_encrypted": encrypt(app.client_secret)})
    return oauth.OAuthApp(client_id=found.client_id, client_secret=decrypt(found.client_secret_encrypted),
                          api_base=server_url, auth_base=server_url)

