"""A stand-in AT Protocol PDS that is its own OAuth authorization server (atproto.com/specs/oauth).

It serves what a self-hosted PDS serves: the protected-resource and
authorization-server metadata, PAR, the consent page, the token endpoint
(authorization code with PKCE, refresh tokens that rotate), DPoP nonces, and the
XRPC the Bluesky stand-in already answers, now only to DPoP-bound tokens. It
also plays the PLC directory for its one account's DID document.

Like the real servers it refuses wrong shapes: a missing or badly signed DPoP
proof, a proof whose ``htm``/``htu`` do not match the request, a proof without
the current nonce (400 or 401 ``use_dpop_nonce`` with a ``DPoP-Nonce`` header),
a client id or redirect URI its metadata does not list, a wrong PKCE verifier,
a token used with another key, and a resource proof whose ``ath`` is not the
token's hash.
"""

import base64
import hashlib
import json
import secrets
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
from jwt.algorithms import ECAlgorithm

from tests.personas.standins import BlueskyStandIn, Seen, StandInServer

SCOPE = "atproto transition:generic"
POST_COLLECTION = "app.bsky.feed.post"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def thumbprint(jwk: dict) -> str:
    """RFC 7638 JWK thumbprint of an EC key: what a DPoP-bound token's ``cnf.jkt`` holds."""
    canonical = json.dumps({name: jwk[name] for name in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    return _b64(hashlib.sha256(canonical.encode()).digest())


class AtprotoStandIn(BlueskyStandIn):
    """PDS + authorization server at one origin; ``client_metadata`` is what it fetched for the client id."""

    routes = [
        *BlueskyStandIn.routes,
        ("GET", r"/\.well-known/oauth-protected-resource", "protected_resource"),
        ("GET", r"/\.well-known/oauth-authorization-server", "authorization_server"),
        ("POST", r"/oauth/par", "par"),
        ("GET", r"/oauth/authorize", "authorize"),
        ("POST", r"/oauth/token", "token"),
        ("GET", r"/xrpc/com\.atproto\.repo\.describeRepo", "describe_repo"),
        ("GET", r"/(did:plc:[a-z0-9]+)", "did_document"),
    ]
    public_prefixes = ("/.well-known/", "/oauth/", "/did:")

    def __init__(self, *, access_lifetime: timedelta = timedelta(hours=1)) -> None:
        super().__init__(access_lifetime=access_lifetime)
        self.client_metadata: dict = {}
        self.auth_nonce = secrets.token_urlsafe(12)
        self.pds_nonce = secrets.token_urlsafe(12)
        self.rotate_nonce_every_time = False  # a server that never accepts a nonce it handed out
        self.issuer_claim = ""  # when set, the metadata's issuer (a server that is not who it says)
        self.pushed: dict[str, dict] = {}  # request_uri -> the pushed request and its key
        self.codes: dict[str, dict] = {}  # code -> the request it answers
        self.tokens: dict[str, dict] = {}  # access token -> {jkt, sub, exp}
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> jkt
        self.jtis: set[str] = set()
        self.pushed_scope = SCOPE  # what the last code granted: a refresh keeps it

    @property
    def issuer(self) -> str:
        return self.url

    # -- routing: metadata and OAuth endpoints are public; XRPC needs a DPoP-bound token ------------------------

    def dispatch(self, seen: Seen) -> tuple[int, Any, dict]:
        if seen.path.startswith(self.public_prefixes):
            return StandInServer.dispatch(self, seen)
        authorization = seen.headers.get("authorization", "")
        if not authorization.startswith("DPoP "):
            return super().dispatch(seen)  # an app-password session (Bearer), as the Bluesky stand-in answers
        refusal = self._check_resource(seen, authorization.removeprefix("DPoP "))
        if refusal:
            self.requests.append(seen)
            return refusal
        return StandInServer.dispatch(self, seen)

    def _check_resource(self, seen: Seen, token: str) -> tuple[int, Any, dict] | None:
        grant = self.tokens.get(token)
        if grant is None or grant["exp"] < time.time():
            return 401, {"error": "invalid_token", "message": "Invalid or expired token"}, {
                "WWW-Authenticate": 'DPoP error="invalid_token"'}
        jkt, problem = self._check_proof(seen, self.pds_nonce, access_token=token)
        if problem == "use_dpop_nonce":
            return 401, {"error": "use_dpop_nonce", "message": "Authorization server requires nonce in DPoP proof"}, {
                "WWW-Authenticate": 'DPoP error="use_dpop_nonce"', "DPoP-Nonce": self._next_nonce("pds")}
        if problem or jkt != grant["jkt"]:
            return 401, {"error": "invalid_dpop_proof", "message": problem or "DPoP key does not match the token"}, {
                "WWW-Authenticate": 'DPoP error="invalid_dpop_proof"'}
        return None

    def _next_nonce(self, which: str) -> str:
        handed = getattr(self, f"{which}_nonce")
        if self.rotate_nonce_every_time:  # stale by the time the client uses it
            setattr(self, f"{which}_nonce", secrets.token_urlsafe(12))
        return handed

    def _check_proof(self, seen: Seen, nonce: str, *, access_token: str = "") -> tuple[str, str]:
        """``(jkt, problem)``: the proof's key thumbprint, or what is wrong with the proof (RFC 9449 4.3)."""
        proof = seen.headers.get("dpop", "")
        if not proof:
            return "", "DPoP proof required"
        try:
            header = jwt.get_unverified_header(proof)
            if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256" or "d" in header.get("jwk", {}):
                return "", "Invalid DPoP proof header"
            key = ECAlgorithm.from_jwk(json.dumps(header["jwk"]))
            claims = jwt.decode(proof, key, algorithms=["ES256"], options={"verify_aud": False})
        except (jwt.PyJWTError, KeyError, ValueError, TypeError):
            return "", "Invalid DPoP proof signature"
        if claims.get("htm") != seen.method or claims.get("htu") != self.url + seen.path:
            return "", "DPoP htm/htu mismatch"
        if abs(time.time() - int(claims.get("iat", 0))) > 60 or claims.get("jti") in self.jtis:
            return "", "DPoP proof replayed or stale"
        self.jtis.add(claims.get("jti"))
        if claims.get("nonce") != nonce:
            return "", "use_dpop_nonce"
        if access_token and claims.get("ath") != _b64(hashlib.sha256(access_token.encode()).digest()):
            return "", "DPoP ath mismatch"
        return thumbprint(header["jwk"]), ""

    def _auth_refusal(self, problem: str) -> tuple[int, Any, dict]:
        if problem == "use_dpop_nonce":
            return 400, {"error": "use_dpop_nonce", "error_description": "Authorization server requires nonce in "
                                                                         "DPoP proof"}, {
                "DPoP-Nonce": self._next_nonce("auth")}
        return 400, {"error": "invalid_dpop_proof", "error_description": problem}, {}

    # -- metadata ---------------------------------------------------------------------------------------------

    def protected_resource(self, seen: Seen):
        return 200, {"resource": self.url, "authorization_servers": [self.issuer],
                     "scopes_supported": [], "bearer_methods_supported": ["header"]}, {}

    def authorization_server(self, seen: Seen):
        return 200, {
            "issuer": self.issuer_claim or self.issuer, "scopes_supported": ["atproto", "transition:generic"],
            "response_types_supported": ["code"], "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"], "token_endpoint_auth_methods_supported": ["none"],
            "dpop_signing_alg_values_supported": ["ES256"], "require_pushed_authorization_requests": True,
            "authorization_response_iss_parameter_supported": True, "client_id_metadata_document_supported": True,
            "pushed_authorization_request_endpoint": f"{self.url}/oauth/par",
            "authorization_endpoint": f"{self.url}/oauth/authorize", "token_endpoint": f"{self.url}/oauth/token",
        }, {}

    def did_document(self, seen: Seen, did: str):
        if did != self.did:
            return 404, {"message": f"DID not registered: {did}"}, {}
        return 200, {"id": did, "alsoKnownAs": [f"at://{self.handle}"],
                     "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                                  "serviceEndpoint": self.url}]}, {}

    # -- the grant --------------------------------------------------------------------------------------------

    def par(self, seen: Seen):
        jkt, problem = self._check_proof(seen, self.auth_nonce)
        if problem:
            return self._auth_refusal(problem)
        form = {name: values[0] for name, values in seen.form.items()}
        meta = self.client_metadata
        if not meta or form.get("client_id") != meta.get("client_id") or not meta.get("dpop_bound_access_tokens"):
            return 400, {"error": "invalid_client", "error_description": "Unknown client"}, {}
        if form.get("redirect_uri") not in meta.get("redirect_uris", []):
            return 400, {"error": "invalid_request", "error_description": "Invalid redirect_uri"}, {}
        if form.get("response_type") != "code" or form.get("code_challenge_method") != "S256" \
                or not form.get("code_challenge") or not form.get("state") \
                or "atproto" not in form.get("scope", "").split():
            return 400, {"error": "invalid_request", "error_description": "Invalid authorization request"}, {}
        request_uri = f"urn:ietf:params:oauth:request_uri:req-{secrets.token_hex(8)}"
        self.pushed[request_uri] = {**form, "jkt": jkt}
        return 201, {"request_uri": request_uri, "expires_in": 299}, {"DPoP-Nonce": self.auth_nonce}

    def authorize(self, seen: Seen):
        """The consent page, approved at once: a redirect to the client with code, state and iss."""
        query = {name: values[0] for name, values in seen.query.items()}
        pushed = self.pushed.pop(query.get("request_uri", ""), None)
        if pushed is None or query.get("client_id") != pushed["client_id"]:
            return 400, {"error": "invalid_request", "error_description": "Unknown request_uri"}, {}
        code = f"cod-{secrets.token_hex(8)}"
        self.codes[code] = pushed
        back = urlencode({"code": code, "state": pushed["state"], "iss": self.issuer})
        return 302, b"", {"Location": f"{pushed['redirect_uri']}?{back}"}

    def consent(self, authorization_url: str) -> dict[str, str]:
        """Follow the authorization URL as the person's browser does; the callback's query."""
        response = httpx.get(authorization_url, follow_redirects=False)
        assert response.status_code == 302, response.text
        return {name: values[0] for name, values in parse_qs(urlsplit(response.headers["Location"]).query).items()}

    def token(self, seen: Seen):
        jkt, problem = self._check_proof(seen, self.auth_nonce)
        if problem:
            return self._auth_refusal(problem)
        form = {name: values[0] for name, values in seen.form.items()}
        if form.get("client_id") != self.client_metadata.get("client_id"):
            return 400, {"error": "invalid_client", "error_description": "Unknown client"}, {}
        if form.get("grant_type") == "refresh_token":
            if self.refresh_tokens.pop(form.get("refresh_token", ""), None) != jkt:
                return 400, {"error": "invalid_grant", "error_description": "Invalid refresh token"}, {}
            return self._issue(jkt, self.pushed_scope)
        grant = self.codes.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None \
                or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "Invalid code"}, {}
        challenge = _b64(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
        if challenge != grant["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "Invalid code_verifier"}, {}
        if jkt != grant["jkt"]:
            return 400, {"error": "invalid_dpop_key_binding", "error_description": "DPoP key mismatch"}, {}
        self.pushed_scope = grant["scope"]
        return self._issue(jkt, grant["scope"])

    def _issue(self, jkt: str, scope: str):
        access, refresh = f"at-{secrets.token_hex(12)}", f"rt-{secrets.token_hex(12)}"
        lifetime = int(self.access_lifetime.total_seconds())
        self.tokens[access] = {"jkt": jkt, "sub": self.did, "exp": time.time() + lifetime}
        self.refresh_tokens[refresh] = jkt
        return 200, {"access_token": access, "token_type": "DPoP", "expires_in": lifetime,
                     "refresh_token": refresh, "scope": scope, "sub": self.did}, {"DPoP-Nonce": self.auth_nonce}

    # -- XRPC added for OAuth sign-in ---------------------------------------------------------------------------

    def describe_repo(self, seen: Seen):
        if seen.query.get("repo", [""])[0] not in (self.did, self.handle):
            return 400, {"error": "RepoNotFound", "message": "Could not find repo"}, {}
        return 200, {"handle": self.handle, "did": self.did, "didDoc": {}, "collections": [POST_COLLECTION],
                     "handleIsCorrect": True}, {}


@pytest.fixture(name="atproto")
def atproto_fixture(settings):
    """A running stand-in PDS + authorization server; StageCraft at a public https address, resolving DIDs here."""
    server = AtprotoStandIn().start()
    settings.SITE_URL = "https://stagecraft.example"
    settings.PERSONAS_BLUESKY_AUTH_BASE = server.url
    settings.PERSONAS_BLUESKY_PLC_DIRECTORY = server.url
    yield server
    server.stop()
