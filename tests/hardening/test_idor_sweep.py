"""IDOR sweep: every object route in the URL conf, found by walking the resolver, hides other users' objects.

For each route with an object id in its path, ``owner`` gets one real object
of that kind (``OBJECT_PARAMS``) and ``other_user`` asks for it with every
method the view has: the answer must be 404 (never 200, never 403, which would
confirm the id exists, never 5xx) and nothing of the owner's may change. The
owner then asks for the same GET routes and is served, which proves each id
was a valid object for its route. A route whose path parameter is in none of
the registries below fails the sweep with a message asking to register it, so
a new route cannot go untested.

Staff-only routes: the Django admin and ``/admin/ai/`` redirect a signed-in
non-staff user to the admin login (``302`` to ``/admin/login/?next=…``: that is
what ``admin_view`` and ``staff_member_required`` do, and they check before any
object is looked up); ``PUT /api/v1/settings`` answers 403. WebSocket routes
with an object id close with 4003 for another user's object.
"""

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient
from rest_framework.views import APIView

from config.accounts.services import create_api_key, issue_tokens

pytestmark = pytest.mark.django_db

# -- registries -------------------------------------------------------------------------------------------

# Path parameters naming an owned object: parameter name -> attribute of the owner's ``World``.
OBJECT_PARAMS: dict[str, str] = {
    "key_id": "api_key",
    "job_id": "catalog_batch",  # a Job; a catalog batch job serves the generic job routes too
    "staging_id": "staging",
    "draft_id": "staging_draft",
    "batch_id": "staging_batch",
    "room_set_id": "staging_room_set",
    "session_id": "floorplan_session",
    "room_id": "room",
    "product_id": "product",
    "image_id": "product_image",
    "spec_id": "design",
    "character_id": "character",
    "content_id": "content",
    "generation_id": "generation",
    "account_id": "account",
    "post_id": "post",
    "scheduled_post_id": "scheduled_post",
    "rule_id": "rule",
    "webhook_id": "webhook",
    "delivery_id": "webhook_delivery",
}
# Path parameters that are not objects but must hold a valid value for the route to reach its lookup.
VALUE_PARAMS: dict[str, str] = {
    "number": "1",  # a room revision's number (the room is the owned object)
    "direction": "north",
    "fmt": "csv",
    "label": "1.0",  # a design version
    "export_format": "svg",
    "platform": "mastodon",
}
# Parameters of capability URLs: the signature is the access check, there is no owner to compare.
CAPABILITY_PARAMS = {"token", "uidb64"}
# Object routes that are public on purpose, and why.
PUBLIC_ROUTES = {
    "staging/originals/<uuid:staging_id>": "the permanent URL of the unaltered original that a disclosure "
                                           "(California) prints on the staged photo: public by design",
}

ADMIN_PREFIX = "admin/"
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Route:
    path: str  # the route with its converters, e.g. "api/v1/products/<uuid:product_id>"
    pattern: URLPattern

    @property
    def params(self) -> list[str]:
        return [match["name"] for match in PARAM.finditer(self.path)]

    @property
    def view_class(self):
        callback = self.pattern.callback
        return getattr(callback, "cls", None) or getattr(callback, "view_class", None)

    @property
    def is_api(self) -> bool:
        return isinstance(self.view_class, type) and issubclass(self.view_class, APIView)

    def methods(self) -> list[str]:
        """The view's methods; a function view says nothing, so GET and POST are tried (405 is an answer)."""
        if self.view_class is None:
            return ["get", "post"]
        return [method for method in METHODS if hasattr(self.view_class, method)]

    def url(self, values: dict[str, str], default: str | None = None) -> str:
        return "/" + PARAM.sub(lambda match: values.get(match["name"], default) or values[match["name"]], self.path)


def walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route)
        else:
            yield route, entry


def all_routes() -> list[Route]:
    return [Route(path, pattern) for path, pattern in walk(get_resolver())]


def object_routes(routes: list[Route] | None = None) -> list[Route]:
    """Routes outside the admin with an object id; fails on a parameter no registry knows."""
    found, unknown = [], []
    for route in all_routes() if routes is None else routes:
        if route.path.startswith(ADMIN_PREFIX):
            continue
        if "(?P<" in route.path:
            unknown.append(f"{route.path} (a regular-expression route: give it path converters)")
            continue
        params = set(route.params)
        strangers = params - set(OBJECT_PARAMS) - set(VALUE_PARAMS) - CAPABILITY_PARAMS
        if strangers:
            unknown.append(f"{route.path}: {', '.join(sorted(strangers))}")
        elif params & set(OBJECT_PARAMS) and route.path not in PUBLIC_ROUTES:
            found.append(route)
    assert not unknown, (
        "New URL parameters the IDOR sweep does not know. Register each in tests/hardening/test_idor_sweep.py: "
        "OBJECT_PARAMS (an owned object: add it to World), VALUE_PARAMS (a fixed valid value) or "
        "CAPABILITY_PARAMS (a signed token):\n  " + "\n  ".join(unknown))
    return found


# -- the owner's objects ----------------------------------------------------------------------------------


def _png(colour=(40, 90, 160)) -> bytes:
    import io

    out = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(out, "PNG")
    return out.getvalue()


class World:
    """One object of every kind, owned by ``owner``, each valid for the routes that take it."""

    def __init__(self, owner) -> None:
        self._build_platform(owner)
        self._build_staging(owner)
        self._build_floorplans(owner)
        self._build_catalog(owner)
        self._build_designs(owner)
        self._build_personas(owner)

    def _build_platform(self, owner) -> None:
        self.api_key, _ = create_api_key(owner, name="idor")
        from config.webhooks import services as webhooks

        self.webhook, _ = webhooks.create_endpoint(owner, url="https://hooks.example.com/idor", events=[])
        self.webhook_delivery = webhooks.send_test_event(owner, endpoint_id=self.webhook.pk)

    def _build_staging(self, owner) -> None:
        from config.jobs import services as jobs
        from staging.models import Batch, RoomSet, Staging, StagingDraft, Style

        style = Style.objects.order_by("pk").first()
        self.staging_batch = Batch.objects.create(owner=owner, style=style, total_images=1)
        job = jobs.create_job(owner, kind="staging", task="staging.tasks.run_staging", metered=False)
        original = default_storage.save(f"staging/originals/{owner.pk}/room.png", ContentFile(_png()))
        self.staging = Staging.objects.create(owner=owner, job=job, original_image=original, original_width=64,
                                              original_height=64, style=style, batch=self.staging_batch)
        self.staging_draft = StagingDraft.objects.create(owner=owner, original_image=original, style=style)
        self.staging_room_set = RoomSet.objects.create(owner=owner, style=style, room_type="living_room", seed=1,
                                                       reference=self.staging)

    def _build_floorplans(self, owner) -> None:
        from floorplans import services
        from floorplans.models import RoomRevision

        self.floorplan_session = services.create_session(owner, address="1 Main St, Portland")
        self.room = services.create_room(self.floorplan_session, type="bedroom")
        self.revision = RoomRevision.objects.create(room=self.room, number=1, source="manual", analysis={})

    def _build_catalog(self, owner) -> None:
        from catalog import services
        from catalog.models import AnalysisResult, ProductImage

        self.product = services.create_product(owner, title="Headphones", category="electronics")
        key = default_storage.save(self.product.new_image_key("photo.png"), ContentFile(_png()))
        self.product_image = ProductImage.objects.create(
            product=self.product, s3_key=key, original_filename="photo.png", content_type="image/png",
            file_size_bytes=100, upload_status="uploaded", is_primary=True)
        AnalysisResult.objects.create(image=self.product_image, model_version="sweep")
        self.catalog_batch = services.create_batch(owner, product_id=self.product.pk,
                                                   image_ids=[self.product_image.pk])

    def _build_designs(self, owner) -> None:
        from designs import services

        self.design = services.generate(owner, prompt="a wooden dining table 1.8 m long with four chairs").spec

    def _build_personas(self, owner) -> None:
        from config.crypto import encrypt_json
        from personas.models import (
            AutomationRule,
            Character,
            ContentItem,
            Generation,
            PlatformAccount,
            Post,
            ScheduledPost,
        )

        self.character = Character.objects.create(owner=owner, name="Maya", bio="Runner.", timezone="UTC")
        self.generation = Generation.objects.create(character=self.character, content_type="image", prompt="a run")
        name = default_storage.save(f"personas/content/{self.character.pk}/a.png", ContentFile(_png()))
        self.content = ContentItem.objects.create(
            character=self.character, generation=self.generation, content_type="image", file=name, width=64,
            height=64, file_size=100, prompt="a run", caption="Morning miles.")
        self.account = PlatformAccount.objects.create(
            character=self.character, platform="mastodon", auth_type="oauth", server_url="https://mastodon.example",
            platform_user_id="1", account_username="maya", connection_status="connected",
            credentials_encrypted=encrypt_json({"access_token": "t"}))
        self.post = Post.objects.create(character=self.character, account=self.account, content=self.content,
                                        caption="Morning miles.", status="published", platform_post_id="99",
                                        published_at=timezone.now())
        self.scheduled_post = ScheduledPost.objects.create(
            character=self.character, account=self.account, content=self.content, caption="Later.",
            scheduled_at=timezone.now() + timezone.timedelta(days=1))
        self.rule = AutomationRule.objects.create(character=self.character, name="Daily", trigger_type="schedule",
                                                  trigger_config={"cron": "0 9 * * *", "timezone": "UTC"})

    def values(self) -> dict[str, str]:
        return {**VALUE_PARAMS, **{param: str(getattr(self, attr).pk) for param, attr in OBJECT_PARAMS.items()}}

    def missing_values(self) -> dict[str, str]:
        """Ids of the same kinds that exist for nobody."""
        values = self.values()
        return {**values, **{param: "987654321" if values[param].isdigit() else str(uuid.uuid4())
                             for param in OBJECT_PARAMS}}

    def snapshot(self) -> dict[str, dict]:
        """Every owned row as stored now, to prove another user's requests changed nothing."""
        rows = {}
        for attr in {*OBJECT_PARAMS.values(), "revision"}:
            obj = getattr(self, attr)
            fresh = type(obj).objects.filter(pk=obj.pk).first()
            rows[attr] = model_to_dict(fresh) if fresh is not None else None
        return rows


@pytest.fixture
def world(owner, settings, queued):
    settings.RATELIMIT_ENABLE = False  # hundreds of requests from one address in one test
    settings.DESIGNS_GENERATOR = "rules"
    settings.AI_LOCAL_MODELS = False  # the rules' keyword path: fast and enough for a spec
    return World(owner)


def api_client_for(user) -> APIClient:
    """Both credentials (designs needs the key *and* the JWT; every other API accepts either)."""
    _, raw = create_api_key(user, name="sweep")
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw, HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user)['access_token']}")
    return client


def page_client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"(a file)"
    return response.content[:160]


def send(client, method: str, url: str):
    if isinstance(client, APIClient):
        return getattr(client, method)(url, {}, format="json")
    return getattr(client, method)(url)


# -- the sweep --------------------------------------------------------------------------------------------


def test_the_sweep_finds_the_object_routes_of_every_app():
    paths = {route.path for route in object_routes()}
    for expected in ("api/stage/<uuid:staging_id>", "api/v1/products/<uuid:product_id>",
                     "api/floorplan/sessions/<uuid:session_id>", "designs/<uuid:spec_id>/",
                     "api/v1/characters/<str:character_id>", "api/v1/jobs/<uuid:job_id>",
                     "api/v1/auth/api-keys/<int:key_id>", "preview/<uuid:spec_id>",
                     "api/v1/products/<uuid:product_id>/images/<uuid:image_id>/fix"):
        assert expected in paths
    assert len(paths) > 80


def test_an_unregistered_parameter_fails_the_sweep():
    from django.urls import path as make_path

    new = Route("widgets/<uuid:widget_id>", make_path("widgets/<uuid:widget_id>", lambda request, widget_id: None))
    with pytest.raises(AssertionError, match=r"widgets/<uuid:widget_id>: widget_id"):
        object_routes([*all_routes(), new])


def error_code(response) -> str:
    try:
        data = response.json()
    except (ValueError, AttributeError):
        return ""
    error = data.get("error") if isinstance(data, dict) else None
    return str(error.get("code") if isinstance(error, dict) else data.get("error_code") or data.get("detail"))


def test_another_users_objects_answer_404_on_every_object_route(world, owner, other_user):
    values, missing = world.values(), world.missing_values()
    before = world.snapshot()
    api, page = api_client_for(other_user), page_client_for(other_user)
    wrong, tried = [], 0
    for route in object_routes():
        url = route.url(values)
        client = api if route.is_api else page
        for method in route.methods():
            response = send(client, method, url)
            tried += 1
            allowed = {404} if route.is_api or route.view_class else {404, 405}
            if response.status_code in allowed:
                continue
            # A body refused before any lookup (400) answers the same for an id that exists for nobody:
            # it tells nothing about the owner's object.
            control = send(client, method, route.url(missing))
            if (response.status_code in (400, 422) and control.status_code == response.status_code
                    and error_code(control) == error_code(response)):
                continue
            wrong.append(f"{method.upper()} {url} ({route.path}) -> {response.status_code} {body(response)!r}")
    assert not wrong, f"{len(wrong)} of {tried} requests did not answer 404:\n" + "\n".join(wrong)
    assert world.snapshot() == before, "another user's requests changed the owner's objects"


def test_the_owner_is_served_on_every_object_get_route(world, owner):
    """The control: each id the sweep used is a real object for its route."""
    values = world.values()
    api, page = api_client_for(owner), page_client_for(owner)
    wrong = []
    for route in object_routes():
        if "get" not in route.methods():
            continue
        url = route.url(values)
        response = send(api if route.is_api else page, "get", url)
        # A documented error (an export with nothing to export yet) still proves the object was found.
        crashed = response.status_code >= 500 and b'"code"' not in body(response)
        if response.status_code == 404 or crashed:
            wrong.append(f"GET {url} ({route.path}) -> {response.status_code} {body(response)!r}")
    assert not wrong, "the owner is not served:\n" + "\n".join(wrong)


# -- staff-only routes ------------------------------------------------------------------------------------


def admin_urls() -> list[str]:
    """Every admin page: each path route filled with plausible values, the regex ones reversed."""
    from django.urls import reverse

    app_label = next(iter(admin.site._registry))._meta.app_label
    fill = {"object_id": "1", "content_type_id": "1", "app_label": app_label}
    urls = []
    for route in all_routes():
        if not route.path.startswith(ADMIN_PREFIX) or route.path in ("admin/login/", "admin/logout/"):
            continue
        if route.pattern.name == "app_list":
            urls.append(reverse("admin:app_list", kwargs={"app_label": app_label}))
        elif "(?P<url>" in route.path:  # the catch-all: unknown admin paths
            urls.append("/admin/no-such-page/")
        else:
            urls.append(route.url(fill, default="1"))  # admin pages check staff before any lookup
    return urls


def test_the_admin_sends_a_normal_user_to_its_login(other_user):
    client = page_client_for(other_user)
    urls = admin_urls()
    assert "/admin/" in urls and "/admin/ai/" in urls and len(urls) > 50
    wrong = []
    for url in urls:
        response = client.get(url)
        location = response.get("Location", "")
        # Old-style object URLs (".../<id>/") only redirect to their change page, itself in the list.
        if response.status_code != 302 or not (location.startswith("/admin/login/") or location == url + "change/"):
            wrong.append(f"GET {url} -> {response.status_code} {location}")
    assert not wrong, "admin pages open to a non-staff user:\n" + "\n".join(wrong)


def test_staff_reach_the_admin_and_the_ai_page(staff):
    client = page_client_for(staff)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/ai/").status_code == 200


STAFF_ONLY_API: list[tuple[str, str, dict]] = [
    ("put", "/api/v1/settings", {"ollama": {"default_model": "llama3.2"}}),
]


@pytest.mark.parametrize(("method", "url", "body"), STAFF_ONLY_API)
def test_staff_only_api_routes_answer_403_to_a_normal_user(other_user, staff, method, url, body):
    response = getattr(api_client_for(other_user), method)(url, body, format="json")
    assert response.status_code == 403, response.content
    response = getattr(api_client_for(staff), method)(url, body, format="json")
    assert response.status_code == 200, response.content


def test_every_drf_view_restricted_to_staff_is_in_the_list():
    from rest_framework.permissions import IsAdminUser

    listed = {url for _, url, _ in STAFF_ONLY_API}
    restricted = [route.path for route in all_routes()
                  if route.is_api and any(issubclass(permission, IsAdminUser)
                                          for permission in route.view_class.permission_classes
                                          if isinstance(permission, type))]
    assert all("/" + path in listed for path in restricted), restricted


# -- WebSockets -------------------------------------------------------------------------------------------


def websocket_object_routes() -> list[str]:
    from config.routing import websocket_urlpatterns

    routes = [str(pattern.pattern) for pattern in websocket_urlpatterns]
    unknown = [route for route in routes
               if {match["name"] for match in PARAM.finditer(route)} - set(OBJECT_PARAMS)]
    assert not unknown, f"Register the WebSocket parameters of {unknown} in OBJECT_PARAMS"
    return [route for route in routes if PARAM.search(route)]


@pytest.mark.django_db(transaction=True)
def test_another_users_object_closes_every_websocket_route_with_4003(owner, other_user, queued):
    from asgiref.sync import async_to_sync
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from config.jobs import selftest
    from config.jobs import services as jobs

    job = jobs.create_job(owner, kind=selftest.KIND, task=selftest.TASK, params={"ticks": 1}, metered=False)
    token = issue_tokens(other_user)["access_token"]
    values: dict[str, Callable[[], str]] = {"job_id": lambda: str(job.pk)}
    routes = websocket_object_routes()
    assert routes

    async def close_code(path: str) -> int:
        communicator = WebsocketCommunicator(application, path)
        connected, _ = await communicator.connect()
        assert connected
        message = await communicator.receive_output(timeout=5)
        await communicator.wait()
        return message.get("code") if message["type"] == "websocket.close" else message

    for route in routes:
        path = "/" + PARAM.sub(lambda match: values[match["name"]](), route) + f"?token={token}"
        assert async_to_sync(close_code)(path) == 4003, route
