"""AT Protocol OAuth for Bluesky (atproto.com/specs/oauth): discovery, PAR, PKCE and DPoP.

Bluesky's consent page is OAuth 2.1 with three extra rules. The client is the
URL of its metadata document (``client_metadata``, served publicly at
``/personas/oauth/bluesky/client-metadata.json``), so the authorization server
must be able to fetch it: ``SITE_URL`` has to be a public https address. The
authorization request is pushed first (PAR, RFC 9126) and the consent page only
sees its ``request_uri``. Every token is bound to a per-account ES256 key
(DPoP, RFC 9449): each request carries a proof signed with it, and servers
hand out nonces (``use_dpop_nonce``) the next proof must carry.

No database here: ``services.oauth`` keeps the attempt, the connector the account.
"""

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.urls import reverse

from config import net
from personas.connectors.base import TIMEOUT, ConnectorError, network_error
from personas.errors import PlatformConnectionFailed
from personas.oauth import env

DEFAULT_SERVER = "https://bsky.social"
DEFAULT_PLC_DIRECTORY = "https://plc.directory"
SCOPE = "atproto transition:generic"


def default_server() -> str:
    """Where discovery starts without a PDS: ``PERSONAS_BLUESKY_AUTH_BASE``, else Bluesky's entryway."""
    return (env("PERSONAS_BLUESKY_AUTH_BASE") or DEFAULT_SERVER).rstrip("/")


def client_id() -> str:
    """This deployment's client id: the absolute URL of its metadata document."""
    return settings.SITE_URL + reverse("personas:bluesky_client_metadata")


def redirect_uri() -> str:
    return settings.SITE_URL + reverse("personas:oauth_callback", args=["bluesky"])


def client_metadata() -> dict:
    """The client metadata document the authorization server fetches from ``client_id``."""
    return {"client_id": client_id(), "application_type": "web", "client_name": "StageCraft",
            "client_uri": settings.SITE_URL, "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"], "redirect_uris": [redirect_uri()], "scope": SCOPE,
            "token_endpoint_auth_method": "none", "dpop_bound_access_tokens": True}


def require_public_site() -> None:
    """Refuse early when the authorization server could not fetch our metadata (no https ``SITE_URL``)."""
    if not settings.SITE_URL.startswith("https://"):
        raise PlatformConnectionFailed(
            "Bluesky's consent page needs this deployment at a public https address (SITE_URL); until then "
            "connect with an app password: send auth_data.", details={"configure": "SITE_URL=https://..."})


# -- DPoP ---------------------------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def access_token_hash(access_token: str) -> str:
    """The ``ath`` claim: base64url(SHA-256(access token))."""
    return _b64(hashlib.sha256(access_token.encode("ascii")).digest())


class DPoPKey:
    """One ES256 (P-256) key a token is bound to; ``pem`` is what gets stored (encrypted)."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        self._key = private_key

    @classmethod
    def generate(cls) -> "DPoPKey":
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_pem(cls, pem: str) -> "DPoPKey":
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("Not an EC key.")
        return cls(key)

    @property
    def pem(self) -> str:
        return self._key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()).decode("ascii")

    @property
    def public_jwk(self) -> dict:
        numbers = self._key.public_key().public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": _b64(numbers.x.to_bytes(32, "big")),
                "y": _b64(numbers.y.to_bytes(32, "big"))}

    def proof(self, method: str, url: str, *, nonce: str = "", access_token: str = "") -> str:
        """A DPoP proof JWT for one request (``htu`` without query or fragment)."""
        parts = urlsplit(url)
        claims = {"jti": secrets.token_urlsafe(16), "htm": method.upper(),
                  "htu": f"{parts.scheme}://{parts.netloc}{parts.path}", "iat": int(time.time())}
        if nonce:
            claims["nonce"] = nonce
        if access_token:
            claims["ath"] = access_token_hash(access_token)
        return jwt.encode(claims, self._key, algorithm="ES256", headers={"typ": "dpop+jwt", "jwk": self.public_jwk})


def needs_nonce(response: httpx.Response) -> bool:
    """The server's ``use_dpop_nonce`` answer (400 from an authorization server, 401 from a resource server)."""
    if response.status_code not in (400, 401) or not response.headers.get("DPoP-Nonce"):
        return False
    if "use_dpop_nonce" in response.headers.get("WWW-Authenticate", ""):
        return True
    try:
        return (response.json() or {}).get("error") == "use_dpop_nonce"
    except (ValueError, AttributeError):
        return False


def dpop_request(method: str, url: str, key: DPoPKey, nonce: str, *, access_token: str = "",
                 transport: httpx.BaseTransport | None = None, **kwargs) -> tuple[httpx.Response, str]:
    """Send one DPoP-proven request, retried once with the server's nonce; ``(response, latest nonce)``.

    Goes through the outbound URL policy (``config/net.py``); a transport failure is a ``ConnectorError``.
    """
    headers = dict(kwargs.pop("headers", {}))
    if access_token:
        headers["Authorization"] = f"DPoP {access_token}"
    try:
        with httpx.Client(timeout=TIMEOUT, transport=transport or net.transport(), follow_redirects=False) as client:
            for attempt in range(2):
                headers["DPoP"] = key.proof(method, url, nonce=nonce, access_token=access_token)
                response = client.request(method, url, headers=headers, **kwargs)
                nonce = response.headers.get("DPoP-Nonce") or nonce
                if attempt or not needs_nonce(response):
                    return response, nonce
    except httpx.HTTPError as exc:
        raise network_error("Bluesky", exc) from None
    return response, nonce


# -- discovery ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthServer:
    issuer: str
    par_endpoint: str
    authorization_endpoint: str
    token_endpoint: str


def _get_json(url: str, what: str) -> dict:
    try:
        with httpx.Client(timeout=TIMEOUT, transport=net.transport(), follow_redirects=False) as client:
            response = client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise network_error("Bluesky", exc) from None
    if response.status_code >= 500:
        raise ConnectorError(f"Bluesky failed to {what} (HTTP {response.status_code}).", retryable=True)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not response.is_success or not isinstance(body, dict):
        raise PlatformConnectionFailed(f"{url} did not answer as documented while trying to {what} "
                                       f"(HTTP {response.status_code}).")
    return body


def _https_or_policy(url: object, what: str) -> str:
    if not isinstance(url, str) or not net.is_http_url(url):
        raise PlatformConnectionFailed(f"Bluesky's {what} is not an http(s) URL.")
    return url.rstrip("/")


def authorization_server_of(pds_url: str) -> str:
    """The issuer a PDS names in its protected-resource metadata (RFC 9728)."""
    body = _get_json(f"{pds_url}/.well-known/oauth-protected-resource", "find the authorization server")
    servers = body.get("authorization_servers")
    if not isinstance(servers, list) or not servers:
        raise PlatformConnectionFailed(f"{pds_url} names no authorization server.")
    return _https_or_policy(servers[0], "authorization server")


def discover(pds_url: str) -> AuthServer:
    """The authorization server for a PDS (or entryway), checked against the atproto profile."""
    issuer = authorization_server_of(pds_url)
    meta = _get_json(f"{issuer}/.well-known/oauth-authorization-server", "read the authorization server")
    if meta.get("issuer") != issuer:
        raise PlatformConnectionFailed(f"Bluesky's authorization server calls itself {meta.get('issuer')!r}, "
                                       f"not {issuer!r}; nothing was connected.")
    if "ES256" not in (meta.get("dpop_signing_alg_values_supported") or []):
        raise PlatformConnectionFailed("Bluesky's authorization server does not take ES256 DPoP proofs.")
    return AuthServer(issuer=issuer,
                      par_endpoint=_https_or_policy(meta.get("pushed_authorization_request_endpoint"), "PAR endpoint"),
                      authorization_endpoint=_https_or_policy(meta.get("authorization_endpoint"),
                                                              "authorization endpoint"),
                      token_endpoint=_https_or_policy(meta.get("token_endpoint"), "token endpoint"))


def pds_of(did: str) -> str:
    """The PDS a DID document names (``#atproto_pds``): did:plc through the PLC directory, or did:web."""
    if did.startswith("did:plc:"):
        directory = (env("PERSONAS_BLUESKY_PLC_DIRECTORY") or DEFAULT_PLC_DIRECTORY).rstrip("/")
        url = f"{directory}/{did}"
    elif did.startswith("did:web:"):
        url = f"https://{did.removeprefix('did:web:')}/.well-known/did.json"
    else:
        raise PlatformConnectionFailed(f"Bluesky answered an account id that is not a DID: {did!r}.")
    document = _get_json(url, "resolve the account's DID")
    for service in document.get("service") or []:
        if isinstance(service, dict) and str(service.get("id", "")).endswith("#atproto_pds"):
            return _https_or_policy(service.get("serviceEndpoint"), "PDS address")
    raise PlatformConnectionFailed(f"The DID document of {did} names no PDS.")


# -- the grant ----------------------------------------------------------------------------------------------------


def _refused(response: httpx.Response, what: str) -> PlatformConnectionFailed:
    if response.status_code >= 500:
        return ConnectorError(f"Bluesky failed to {what} (HTTP {response.status_code}).", retryable=True)
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    reason = body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
    return PlatformConnectionFailed(f"Bluesky refused to {what}: {str(reason)[:300]}.",
                                    details={"platform_status": response.status_code,
                                             "platform_error": body.get("error")})


def push_authorization(server: AuthServer, key: DPoPKey, *, state: str, code_challenge: str,
                       login_hint: str = "") -> tuple[str, str]:
    """PAR: ``(authorization URL for the browser, the server's latest DPoP nonce)``."""
    form = {"client_id": client_id(), "response_type": "code", "code_challenge": code_challenge,
            "code_challenge_method": "S256", "state": state, "redirect_uri": redirect_uri(), "scope": SCOPE}
    if login_hint:
        form["login_hint"] = login_hint
    response, nonce = dpop_request("POST", server.par_endpoint, key, "", data=form)
    if not response.is_success:
        raise _refused(response, "start the authorization")
    try:
        request_uri = response.json()["request_uri"]
    except (ValueError, KeyError, TypeError):
        raise PlatformConnectionFailed("Bluesky's PAR answer had no request_uri.") from None
    query = urlencode({"client_id": client_id(), "request_uri": request_uri})
    return f"{server.authorization_endpoint}?{query}", nonce


def token_request(token_endpoint: str, key: DPoPKey, nonce: str, form: dict, what: str,
                  transport: httpx.BaseTransport | None = None) -> tuple[dict, str]:
    """A grant at the token endpoint; ``(checked token answer, latest nonce)``.

    The answer must be a DPoP token for a DID (``sub``) with the ``atproto`` scope.
    """
    response, nonce = dpop_request("POST", token_endpoint, key, nonce, transport=transport,
                                   data={**form, "client_id": client_id()})
    if not response.is_success:
        raise _refused(response, what)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not body.get("access_token"):
        raise PlatformConnectionFailed("Bluesky's token answer had no access_token.")
    if str(body.get("token_type", "")).lower() != "dpop":
        raise PlatformConnectionFailed(f"Bluesky answered a {body.get('token_type')!r} token, not a DPoP-bound one.")
    if not str(body.get("sub", "")).startswith("did:"):
        raise PlatformConnectionFailed("Bluesky's token answer named no account (sub is not a DID).")
    if "atproto" not in str(body.get("scope", "")).split():
        raise PlatformConnectionFailed("Bluesky's token answer lacks the atproto scope.")
    return body, nonce


def credentials_from(body: dict, *, key: DPoPKey, issuer: str, token_endpoint: str, nonce: str,
                     now: float | None = None) -> dict:
    """A checked token answer as the account's stored credentials (``store_account`` encrypts them)."""
    expires_in = int(body.get("expires_in") or 3600)
    expires_at = (now or time.time()) + expires_in
    return {"auth": "atproto_oauth", "did": body["sub"], "access_token": body["access_token"],
            "refresh_token": body.get("refresh_token", ""),
            "expires_at": datetime.fromtimestamp(expires_at, UTC).isoformat(), "scope": body.get("scope", ""),
            "dpop_key": key.pem, "dpop_auth_nonce": nonce, "issuer": issuer, "token_endpoint": token_endpoint}
