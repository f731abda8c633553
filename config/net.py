"""The outbound URL policy: which addresses the server may send HTTP requests to.

Users can make StageCraft fetch URLs: a Mastodon or Bluesky server URL, the
engine base URLs in the persona settings. Without a policy a user could point
those at ``http://127.0.0.1:6379``, the cloud metadata service
(``169.254.169.254``) or a database on the private network (SSRF). So every
outbound request is checked against the addresses the host *resolves to*:

* refused: private (RFC 1918, ``fc00::/7``), loopback, link-local (including
  ``169.254.169.254``), multicast, reserved, unspecified (``0.0.0.0``, ``::``),
  shared (``100.64.0.0/10``) and every other non-global address, IPv4 and IPv6
  (an IPv4-mapped IPv6 address is judged as the IPv4 address it carries);
* allowed anyway: a host named in ``OUTBOUND_ALLOWED_HOSTS`` (exact names, or
  ``.example.internal`` for the domain and its subdomains), an address inside a
  network of ``OUTBOUND_ALLOWED_NETWORKS`` (CIDRs such as ``10.0.5.0/24``), or
  everything when ``OUTBOUND_ALLOW_PRIVATE`` is true.

``OUTBOUND_ALLOW_PRIVATE`` defaults to **false in production**
(``STAGECRAFT_PRODUCTION=true``) and **true in the embedded mode**, where a
developer's Ollama on ``127.0.0.1:11434`` or a GPU box on the LAN is the point.
A production deployment with a local engine names it instead, e.g.
``OUTBOUND_ALLOWED_HOSTS=127.0.0.1`` or ``OUTBOUND_ALLOWED_NETWORKS=10.0.5.0/24``.

Enforcement happens where the connection is made, not only where the URL is
typed: ``transport()`` returns an httpx transport whose connections resolve the
host, check every address and then connect to exactly the checked address, so a
DNS answer that changes between check and use (DNS rebinding) and every redirect
hop (each hop opens its connection through the same transport) are covered.
``check_url`` gives forms and serializers the same verdict early, with a clear
message. Clients built with an explicit transport ignore ``HTTP(S)_PROXY``
environment variables, so the policy cannot be bypassed through a proxy.
"""

import importlib
import ipaddress
import re
import socket
import ssl
from collections.abc import Iterable
from functools import cache
from types import ModuleType
from urllib.parse import urlsplit

import certifi
import httpx
from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = ("http", "https")


class OutboundRefused(Exception):
    """The outbound URL policy refused a URL or an address. ``str()`` is a message fit for the user."""


class OutboundRefusedError(OutboundRefused, httpx.ConnectError):
    """The refusal as httpx raises it, so callers' existing ``httpx.TransportError`` handling applies."""


# The shape of a URL a person gives us to call (a webhook, a server): http(s), a host that is a
# dotted name, an IPv4 address or localhost, a port that exists. The API schema states it and the
# services check it, so both say the same; Django's URLValidator and ``check_url`` take all of
# these. Where a host points (a private address) is ``check_url``'s to say.
_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_PORT = "([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
HTTP_URL_PATTERN = (f"^[Hh][Tt][Tt][Pp][Ss]?://(({_LABEL}\\.)+[A-Za-z]{{2,63}}|{_OCTET}(\\.{_OCTET}){{3}}|localhost)"
                    f"(:{_PORT})?([/?#][!-~]*)?$")


HTTP_URL_HINT = "Enter an http(s) URL with a host name, e.g. https://hooks.example.com/in."


def is_http_url(url: str) -> bool:
    """Whether ``url`` has the shape ``HTTP_URL_PATTERN`` states."""
    return re.fullmatch(HTTP_URL_PATTERN, url) is not None


def _kind(address: Address) -> str | None:
    """Why ``address`` is not a public one (``None`` when it is)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if not address.is_global:  # shared 100.64/10, documentation ranges, 6to4 of private space...
        return "non-public"
    return None


def _host_allowed(host: str) -> bool:
    host = host.lower().rstrip(".").strip("[]")
    for allowed in settings.OUTBOUND_ALLOWED_HOSTS:
        allowed = allowed.lower().rstrip(".").strip("[]")
        if host == allowed or (allowed.startswith(".") and (host.endswith(allowed) or host == allowed[1:])):
            return True
    return False


@cache
def _networks(cidrs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def check_address(host: str, address: str) -> None:
    """Raise ``OutboundRefused`` unless the policy lets us connect to ``address`` (which ``host`` resolved to)."""
    if settings.OUTBOUND_ALLOW_PRIVATE or _host_allowed(host):
        return
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    kind = _kind(ip)
    if kind is None or any(ip in network for network in _networks(tuple(settings.OUTBOUND_ALLOWED_NETWORKS))):
        return
    shown = host if host.strip("[]") == str(ip) else f"{host} ({ip})"
    raise OutboundRefused(
        f"Requests to {shown} are not allowed: it is a {kind} address. The operator can allow it with "
        "OUTBOUND_ALLOWED_HOSTS, OUTBOUND_ALLOWED_NETWORKS or OUTBOUND_ALLOW_PRIVATE."
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP literal is its own answer); ``socket.gaierror`` when none."""
    infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def check_host(host: str, port: int) -> list[str]:
    """Resolve ``host`` and check every address; return them in order for connecting.

    All addresses must pass: a name answering one public and one private
    address is refused rather than raced.
    """
    if settings.OUTBOUND_ALLOW_PRIVATE or _host_allowed(host):
        return [host]
    addresses = resolve(host, port)
    for address in addresses:
        check_address(host, address)
    return addresses


def check_url(url: str) -> None:
    """Raise ``OutboundRefused`` unless ``url`` is an http(s) URL the policy lets the server fetch.

    A host that does not resolve now passes: there is nothing to connect to, and
    the connection-time check of ``transport()`` runs again on whatever it
    resolves to later.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise OutboundRefused(f"Only http and https URLs with a host can be fetched, not {url[:100]!r}.")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise OutboundRefused("The URL's port is not a number between 0 and 65535.") from None
    try:
        check_host(parts.hostname, port)
    except (socket.gaierror, UnicodeError):
        return


class _PolicyBackend:
    """An httpcore network backend that connects only to addresses the policy allows.

    It resolves the host itself, checks every address and connects to the
    checked address, never to a second lookup's answer (DNS rebinding).
    ``start_tls`` still uses the URL's host name for SNI and certificate checks.
    """

    def __init__(self, inner, core: ModuleType) -> None:
        self._inner = inner
        self._core = core

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable | None = None):
        try:
            addresses = check_host(host, port)
        except OutboundRefused as exc:
            raise self._core.ConnectError(str(exc)) from exc
        except (socket.gaierror, UnicodeError) as exc:
            raise self._core.ConnectError(f"{host} could not be resolved: {exc}") from exc
        last: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                               socket_options=socket_options)
            except (self._core.ConnectError, self._core.ConnectTimeout) as exc:
                last = exc  # try the next address, as socket.create_connection does
        assert last is not None
        raise last

    def __getattr__(self, name: str):
        # connect_unix_socket, sleep: unchanged (no URL reaches a unix socket here).
        return getattr(self._inner, name)


@cache
def _transport_class(lib: ModuleType) -> type:
    """A policy-checking ``HTTPTransport`` of ``lib`` (``httpx``, or the ``httpx2`` fork newer SDKs use)."""
    core = importlib.import_module(_core_name(lib))
    refused = OutboundRefusedError if lib is httpx else type(
        "OutboundRefusedError", (OutboundRefused, lib.ConnectError), {"__module__": __name__})

    class PolicyTransport(lib.HTTPTransport):
        """Checks the URL of every request (so every redirect hop) and the address of every connection."""

        def __init__(self, **kwargs) -> None:
            if kwargs.get("proxy") or kwargs.get("uds"):
                raise ValueError("The outbound policy transport connects directly: no proxy, no unix socket.")
            super().__init__(**kwargs)
            pool = self._pool
            # httpx builds its pool without a way to pass a network backend; fail loudly
            # if a new release renames the attribute rather than run unchecked.
            if not hasattr(pool, "_network_backend"):
                raise RuntimeError(f"{lib.__name__} changed: the outbound policy cannot be installed.")
            pool._network_backend = _PolicyBackend(pool._network_backend, core)

        def handle_request(self, request):
            try:
                check_url(str(request.url))
            except OutboundRefused as exc:
                raise refused(str(exc), request=request) from None
            return super().handle_request(request)

    PolicyTransport.__qualname__ = PolicyTransport.__name__ = f"PolicyTransport[{lib.__name__}]"
    return PolicyTransport


def _core_name(lib: ModuleType) -> str:
    # httpx runs on httpcore; its fork httpx2 on httpcore2.
    return "httpcore" if lib.__name__ == "httpx" else f"httpcore{lib.__name__.removeprefix('httpx')}"


def transport(lib: ModuleType = httpx, **kwargs) -> httpx.HTTPTransport:
    """An ``HTTPTransport`` (of ``lib``) that enforces the outbound policy; pass it as ``transport=``.

    ``kwargs`` go to ``HTTPTransport`` (``verify``, ``retries``...). Refusals
    raise ``OutboundRefused`` that is also the library's ``ConnectError``.
    """
    kwargs.setdefault("verify", ssl_context())
    return _transport_class(lib)(**kwargs)


@cache
def ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process: loading the CA bundle costs ~25 ms, more than a request."""
    return ssl.create_default_context(cafile=certifi.where())


def sdk_http_client(client_class: type, **kwargs):
    """An instance of an SDK's httpx client class (``openai.DefaultHttpxClient``...) with the policy transport.

    SDKs pin either ``httpx`` or its fork ``httpx2``; the transport must come
    from the same library as the client.
    """
    lib_name = next(base.__module__.partition(".")[0] for base in client_class.__mro__
                    if base.__module__.partition(".")[0] in ("httpx", "httpx2"))
    return client_class(transport=transport(importlib.import_module(lib_name)), **kwargs)
