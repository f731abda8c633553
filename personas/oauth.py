"""OAuth 2.0 for the platform connectors: the app's credentials, PKCE, and the grant's shape.

A platform whose connector sets ``oauth`` (an ``OAuthSpec``) connects by the
authorization-code flow a person clicks through: ``services.accounts.start_oauth``
stores an attempt (state, PKCE verifier) and answers the platform's consent URL;
the platform sends the browser back to ``/personas/oauth/<platform>/callback``,
where ``services.accounts.finish_oauth`` checks the state and exchanges the code.

The app's own credentials come from the environment,
``PERSONAS_<PLATFORM>_CLIENT_ID`` / ``_CLIENT_SECRET``, with ``_API_BASE``,
``_AUTH_BASE`` and ``_TOKEN_BASE`` defaulting to the platform's own hosts (tests and private gateways
point them elsewhere). Mastodon instances are the exception: the app is
registered per instance at connect time (``/api/v1/apps``) and remembered.
"""

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


@dataclass(frozen=True)
class OAuthSpec:
    """How one platform runs the authorization-code grant (what its connector declares)."""

    env_name: str  # INSTAGRAM, X, YOUTUBE, LINKEDIN, THREADS (the PERSONAS_<NAME>_* variables)
    api_base: str  # default of PERSONAS_<NAME>_API_BASE
    auth_base: str  # default of PERSONAS_<NAME>_AUTH_BASE: where the person consents
    authorize_path: str
    token_path: str  # on api_base
    scopes: tuple[str, ...]
    pkce: bool = True
    # How the app proves itself at the token endpoint: "basic" (HTTP Basic, RFC 6749 2.3.1) or "body".
    client_auth: str = "body"
    # Where token_path lives when it is not api_base (Google: oauth2.googleapis.com; LinkedIn: www.linkedin.com).
    token_base: str = ""
    scope_separator: str = " "
    extra_authorize_params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OAuthApp:
    """This deployment's app on a platform (or on one Mastodon instance)."""

    client_id: str
    client_secret: str
    api_base: str
    auth_base: str
    token_base: str = ""  # empty: api_base

    @property
    def token_url_base(self) -> str:
        return self.token_base or self.api_base


def app_for(spec: OAuthSpec) -> OAuthApp | None:
    """The app's credentials from the environment; ``None`` when no client id is set (not configured)."""
    prefix = f"PERSONAS_{spec.env_name}_"
    client_id = env(prefix + "CLIENT_ID")
    if not client_id:
        return None
    return OAuthApp(client_id=client_id, client_secret=env(prefix + "CLIENT_SECRET"),
                    api_base=(env(prefix + "API_BASE") or spec.api_base).rstrip("/"),
                    auth_base=(env(prefix + "AUTH_BASE") or spec.auth_base).rstrip("/"),
                    token_base=(env(prefix + "TOKEN_BASE") or spec.token_base).rstrip("/"))


def not_configured_hint(spec: OAuthSpec) -> str:
    """What an operator sets to switch the platform on (shown to staff and in the API's error details)."""
    return f"Set PERSONAS_{spec.env_name}_CLIENT_ID and PERSONAS_{spec.env_name}_CLIENT_SECRET."


def env(name: str) -> str:
    # Read at call time, so a deployment (or a test) changes a platform without a restart of this module.
    return str(getattr(settings, name, "") or os.environ.get(name, "")).strip()


def new_state() -> str:
    return secrets.token_urlsafe(32)


def pkce_pair() -> tuple[str, str]:
    """``(code_verifier, code_challenge)`` for PKCE with S256 (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def callback_url(platform: str) -> str:
    """The redirect URI registered with each platform: ``SITE_URL`` + ``/personas/oauth/<platform>/callback``."""
    return settings.SITE_URL + reverse("personas:oauth_callback", args=[platform])


def authorization_url(spec: OAuthSpec, app: OAuthApp, *, state: str, code_challenge: str, redirect_uri: str) -> str:
    """The consent page's URL with the client id, redirect URI, scopes, state and (PKCE) challenge."""
    params = {"response_type": "code", "client_id": app.client_id, "redirect_uri": redirect_uri,
              "scope": spec.scope_separator.join(spec.scopes), "state": state, **dict(spec.extra_authorize_params)}
    if spec.pkce:
        params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
    return f"{app.auth_base}{spec.authorize_path}?{urlencode(params)}"
