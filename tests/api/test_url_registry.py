"""Each URL path is registered once, in the HTTP URL conf and among the WebSocket routes.

Django answers a path with the first pattern that matches, so a second
registration of the same path is dead code at best; at worst it is the route
someone later edits, wondering why nothing changes. The resolver is walked
(as ``tests/hardening/test_idor_sweep.py`` does) rather than listing routes by
hand, so a new route is checked without being named here.

Two patterns are the same path when they differ only in parameter names
(``<uuid:job_id>`` and ``<uuid:pk>`` match the same URLs); different converters
(``<int:n>`` and ``<uuid:n>``) match different URLs and are not duplicates.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.urls import URLPattern, URLResolver, get_resolver

PARAM_NAME = re.compile(r"<(?:(?P<converter>[^>:]+):)?[^>]+>")
# Paths the project registers again on purpose, ahead of a third-party URLconf, to wrap that
# route's view; the project's own registration must come first (it is the one Django uses).
SHADOWED = {
    "admin/login/": "config/urls.py throttles the Django admin's sign-in like the site's; admin.site.urls "
                    "registers the same path after it, unthrottled and never reached",
}


def walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route)
        else:
            yield route, entry


def shape(route: str) -> str:
    """The route with its parameter names dropped: ``jobs/<uuid:job_id>`` becomes ``jobs/<uuid>``."""
    return PARAM_NAME.sub(lambda match: f"<{match['converter'] or 'str'}>", route)


def duplicates(routes: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Shapes registered more than once, each with where its registrations point."""
    seen: dict[str, list[str]] = defaultdict(list)
    for route, target in routes:
        seen[shape(route)].append(f"{route} -> {target}")
    return {path: targets for path, targets in seen.items() if len(targets) > 1}


def target(pattern: URLPattern) -> str:
    callback = pattern.callback
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
    return f"{view.__module__}.{getattr(view, '__qualname__', view)}"


def test_no_http_path_is_registered_twice():
    found = duplicates((route, target(pattern)) for route, pattern in walk(get_resolver()))
    for path in SHADOWED:
        assert len(found.pop(path, [])) == 2, f"{path} is no longer registered exactly twice: update SHADOWED"
    assert not found, "URL paths registered more than once (the first one wins):\n" + "\n".join(
        f"  /{path}: {', '.join(targets)}" for path, targets in sorted(found.items()))


def test_no_websocket_path_is_registered_twice():
    from config.routing import websocket_urlpatterns

    found = duplicates((str(pattern.pattern), target(pattern)) for pattern in websocket_urlpatterns)
    assert not found, f"WebSocket paths registered more than once: {found}"


def test_the_shadowing_registration_is_the_one_that_answers():
    for path in SHADOWED:
        assert get_resolver().resolve("/" + path).namespaces == [], f"/{path} resolves into a third-party URLconf"


def test_paths_differing_only_in_parameter_names_count_as_duplicates():
    routes = [("api/v1/jobs/<uuid:job_id>", "a"), ("api/v1/jobs/<uuid:pk>", "b"), ("api/v1/jobs/<int:pk>", "c")]
    assert duplicates(routes) == {"api/v1/jobs/<uuid>": ["api/v1/jobs/<uuid:job_id> -> a",
                                                         "api/v1/jobs/<uuid:pk> -> b"]}
