"""Every main page in real Chromium, at desktop size and on a phone (390 x 844).

On each page: no horizontal scroll, no console error or uncaught exception (a
Content-Security-Policy refusal is a console error), and no serious or critical
accessibility violation found by axe-core (from the npm registry,
``node_modules/axe-core``). A screenshot of each page at each size lands in
``artifacts/screenshots/every-page-*``. The phone menu is followed on its own.
"""

from pathlib import Path

import pytest

from tests.catalog.factories import ProductFactory
from tests.conftest import require
from tests.designs.factories import DesignVersionFactory
from tests.e2e.browser import chromium_page, screenshot
from tests.e2e.processes import REPO, asgi_server, process_env
from tests.factories import PASSWORD, UserFactory
from tests.floorplans.factories import FloorplanSessionFactory, MeasuredRoomFactory
from tests.personas.factories import AutomationRuleFactory, CharacterFactory

pytestmark = [pytest.mark.browser, pytest.mark.processes, pytest.mark.django_db(transaction=True)]

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WEBGL = ["--enable-unsafe-swiftshader", "--use-angle=swiftshader"]  # the designs 3D preview
BLOCKING = {"serious", "critical"}


@pytest.fixture
def operator():
    """A staff member with one object in every product, so every page has something to show."""
    user = UserFactory(email="walkthrough@example.com", is_staff=True)
    session = FloorplanSessionFactory(owner=user, address="12 Harbour View Rd, Oakland, CA 94601")
    MeasuredRoomFactory(session=session)
    character = CharacterFactory(owner=user)
    return {
        "user": user,
        "product": ProductFactory(owner=user, title="Walnut side table"),
        "design": DesignVersionFactory(spec__owner=user).spec,
        "session": session,
        "character": character,
        "rule": AutomationRuleFactory(character=character),
    }


def main_pages(objects) -> dict[str, str]:
    """Name → path of every page a signed-in person reaches from the navigation and the products."""
    return {
        "dashboard": "/dashboard/",
        "staging-upload": "/staging/",
        "staging-history": "/staging/history/",
        "floorplans-sessions": "/floorplans/",
        "floorplans-session": f"/floorplans/{objects['session'].pk}/",
        "catalog-products": "/catalog/",
        "catalog-product": f"/catalog/{objects['product'].pk}/",
        "catalog-dashboard": "/catalog/dashboard/",
        "catalog-feeds": "/catalog/feeds/",
        "designs-list": "/designs/",
        "designs-detail": f"/designs/{objects['design'].pk}/",
        "personas-characters": "/personas/",
        "personas-new": "/personas/new/",
        "personas-studio": f"/personas/{objects['character'].pk}/studio/",
        "personas-calendar": "/personas/calendar/",
        "personas-connections": "/personas/connections/",
        "personas-analytics": "/personas/analytics/",
        "personas-rules": "/personas/rules/",
        "personas-rule": f"/personas/rules/{objects['rule'].pk}/",
        "api-keys": "/accounts/api-keys/",
        "profile": "/accounts/profile/",
        "engines": "/admin/ai/engines/",
    }


def sign_in(page, url: str, email: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/dashboard/")


def problems_on(page, url: str, path: str, errors: list[str]) -> list[str]:
    """Open ``path`` and say everything wrong with it (an empty list when nothing is)."""
    errors.clear()
    response = page.goto(f"{url}{path}")
    page.wait_for_load_state("networkidle")
    found = [f"HTTP {response.status}"] if response.status != 200 else []
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        found.append(f"scrolls sideways by {overflow}px")
    found += [f"console: {error}" for error in errors]
    found += [f"axe {v['impact']} {v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
              for v in axe_violations(page) if v["impact"] in BLOCKING]
    return found


def axe_violations(page) -> list[dict]:
    # Evaluated through the DevTools protocol, which the page's CSP does not govern (a <script> would be refused).
    page.evaluate(Path(AXE).read_text(encoding="utf-8") + "\n;0")
    return page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")


def check_every_size(page, url: str, pages: dict[str, str], *, signed_in_as: str = "") -> dict[str, list[str]]:
    """Open each page at desktop and phone sizes, screenshot it, and collect what is wrong, by size and path."""
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if signed_in_as:
        sign_in(page, url, signed_in_as)
    report = {}
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        for name, path in pages.items():
            found = problems_on(page, url, path, errors)
            screenshot(page, f"every-page-{size_name}-{name}")
            if found:
                report[f"{size_name} {path}"] = found
    return report


def in_words(report: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {'; '.join(found)}" for where, found in report.items())


def test_every_main_page_fits_a_phone_has_no_console_errors_and_passes_axe(monkeypatch, operator):
    require(AXE.is_file(), "axe-core is not installed (npm ci)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop on this thread; the ORM is plain
    with asgi_server(process_env()) as url, chromium_page(extra_args=WEBGL) as page:
        report = check_every_size(page, url, main_pages(operator), signed_in_as=operator["user"].email)

    assert report == {}, in_words(report)


def test_the_signed_out_pages_fit_a_phone_and_pass_axe(monkeypatch, operator):
    require(AXE.is_file(), "axe-core is not installed (npm ci)")
    pages = {"landing": "/", "sign-in": "/accounts/login/", "sign-up": "/accounts/signup/", "redoc": "/redoc"}
    with asgi_server(process_env()) as url, chromium_page() as page:
        report = check_every_size(page, url, pages)

    assert report == {}, in_words(report)


def test_on_a_phone_the_navigation_is_a_menu(monkeypatch, operator):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with asgi_server(process_env()) as url, chromium_page(viewport=(PHONE["width"], PHONE["height"])) as page:
        sign_in(page, url, operator["user"].email)
        menu = page.get_by_role("button", name="Menu")
        catalog = page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog")
        assert menu.is_visible() and not catalog.is_visible()
        assert menu.get_attribute("aria-expanded") == "false"

        menu.click()
        screenshot(page, "every-page-phone-menu-open")
        assert menu.get_attribute("aria-expanded") == "true" and catalog.is_visible()
        catalog.click()
        page.wait_for_url(f"{url}/catalog/")

        page.set_viewport_size(DESKTOP)
        assert not page.get_by_role("button", name="Menu").is_visible()
        assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Designs").is_visible()
