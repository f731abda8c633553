"""Staging fixtures: engines (tiny real diffusers, or scripted stand-ins) and inline task runs."""

import importlib.util
import io

import pytest
from PIL import Image

from config.accounts import services as accounts
from config.ai import registry
from config.ai.image.base import ImageGenerator, ImageRequest
from tests.conftest import require
from tests.staging.drawings import Room, add_furniture, draw_room, paint_box


def jpeg_bytes(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, **options)
    return out.getvalue()


@pytest.fixture
def room_jpeg() -> bytes:
    """A drawn 3:2 empty room as a JPEG upload."""
    return jpeg_bytes(draw_room())


class ScriptedGenerator(ImageGenerator):
    """An engine whose output the test decides: ``paint(request) -> Image`` at the request size."""

    provider = "scripted"

    def __init__(self, paint, *, reference: bool = False) -> None:
        super().__init__(model="scripted-test-engine")
        self.paint = paint
        self.reference = reference
        self.requests: list[ImageRequest] = []

    @property
    def supports_reference(self) -> bool:
        return self.reference

    def _generate(self, request: ImageRequest, seed: int):
        self.requests.append(request)
        return self.paint(request), 1

    def status(self, timeout: float):
        from config.ai.status import EngineStatus, Status

        return EngineStatus(Status.READY, "scripted")


@pytest.fixture
def use_engine(monkeypatch):
    """Make ``registry.image_generator()`` return the given engine."""

    def use(engine):
        monkeypatch.setattr(registry, "image_generator", lambda: engine)
        return engine

    return use


@pytest.fixture
def furnishing_engine(use_engine):
    """Adds furniture only inside the mask: what a good staging model does."""
    return use_engine(ScriptedGenerator(lambda r: add_furniture(r.sized_init(), r.sized_mask())))


@pytest.fixture
def window_erasing_engine(use_engine):
    """Paints the window over with wall colour: a generator that broke the room."""

    def paint(request):
        room = Room()
        scale = request.width / room.width
        box = tuple(int(v * scale) for v in room.window)
        return add_furniture(paint_box(request.sized_init(), box, (204, 193, 176)), request.sized_mask())

    return use_engine(ScriptedGenerator(paint))


@pytest.fixture
def tiny_diffusers(use_engine, tmp_path_factory):
    """The real diffusers pipelines on tiny random weights (no download)."""
    require(importlib.util.find_spec("diffusers") is not None, "diffusers is not installed (requirements-ai.txt)")
    from config.ai.image.diffusers_engine import DiffusersImageGenerator
    from tests.tiny_diffusers import tiny_components, tiny_controlnet

    folder = tmp_path_factory.mktemp("tiny")
    (folder / "base").mkdir()
    (folder / "inpaint").mkdir()
    engine = DiffusersImageGenerator.with_components(
        base=tiny_components(folder / "base", unet_in_channels=4),
        inpaint=tiny_components(folder / "inpaint", unet_in_channels=9),
        controlnets={"mlsd": tiny_controlnet()},
    )
    return use_engine(engine)


@pytest.fixture
def small_generation(settings):
    """Generate at 64 px in 2 steps: the pipeline's plumbing is under test, not the art.

    A plain resize to the photo's size: the tiled upscale has its own tests (test_scale.py).
    """
    settings.STAGING_QUALITY = {"standard": {"short_edge": 64, "steps": 2, "guidance": 7.0},
                                "premium": {"short_edge": 64, "steps": 3, "guidance": 7.5}}
    settings.STAGING_UPSCALE_STRENGTH = 0.0


@pytest.fixture
def labeler_present():
    """Skip, saying why, where the local labeler (requirements-ai.txt) is not installed."""
    require(importlib.util.find_spec("efficientnet_lite_pytorch") is not None,
            "the local labeler is not installed (requirements-ai.txt)")


@pytest.fixture
def working_size(settings):
    """Generate at about 500 px in 2 steps: large enough for the room's lines and
    the furnished area to be measured, small enough to stay fast (and a plain resize to the
    photo's size: the tiled upscale has its own tests)."""
    settings.STAGING_QUALITY = {"standard": {"short_edge": 320, "steps": 2, "guidance": 7.0},
                                "premium": {"short_edge": 344, "steps": 2, "guidance": 7.5}}
    settings.STAGING_UPSCALE_STRENGTH = 0.0


@pytest.fixture
def key_api(api, owner):
    _, raw = accounts.create_api_key(owner, name="tests")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


@pytest.fixture
def accepting(monkeypatch):
    """An image engine is 'configured' and nothing reaches a real queue (the pages and API only queue)."""
    monkeypatch.setattr("config.ai.registry.ready_image_generator", lambda: object())
    monkeypatch.setattr("config.jobs.services.async_task", lambda *args, **kwargs: None)


@pytest.fixture
def signed_in(client, owner):
    """The owner's browser session."""
    client.force_login(owner)
    return client
