"""The AUTOMATIC1111 Stable Diffusion web UI, over its HTTP API.

txt2img posts to /sdapi/v1/txt2img; img2img and inpainting (``mask``) to
/sdapi/v1/img2img; ControlNet goes through the sd-webui-controlnet extension's
``alwayson_scripts`` unit, with our own map and no preprocessor.
"""

import base64
import io
from collections.abc import Mapping
from functools import cached_property

import httpx
from PIL import Image

from config import net
from config.ai.errors import EngineUnavailable
from config.ai.image.base import ImageGenerator, ImageRequest, Mode
from config.ai.retry import RetryPolicy, call_with_retries, fail_for_status
from config.ai.status import EngineStatus, Status

# Inpainting starts from the original pixels under the mask ("original" fill).
FILL_ORIGINAL = 1


class Automatic1111ImageGenerator(ImageGenerator):
    provider = "automatic1111"

    def __init__(
        self,
        *,
        base_url: str,
        checkpoint: str,
        controlnet_models: Mapping[str, str],
        reference_module: str = "",
        reference_model: str = "None",
        timeout: float,
        retry: RetryPolicy,
    ) -> None:
        """``checkpoint`` blank keeps the web UI's loaded model; ``controlnet_models``
        maps a kind to the extension's model name. ``reference_module`` (e.g.
        ``reference_only``, or an IP-Adapter preprocessor with its ``reference_model``)
        is the extension unit that carries a reference image; blank: none."""
        super().__init__(model=checkpoint or "(loaded checkpoint)")
        self.base_url = base_url.rstrip("/")
        self.checkpoint = checkpoint
        self.controlnet_models = dict(controlnet_models)
        self.reference_module = reference_module
        self.reference_model = reference_model or "None"
        self.timeout = timeout
        self.retry = retry

    @cached_property
    def _client(self) -> httpx.Client:
        # The base URL is a setting: connect only where the outbound policy allows (config/net.py).
        return httpx.Client(base_url=self.base_url, timeout=self.timeout, transport=net.transport())

    def list_models(self, timeout: float) -> list[str]:
        """The web UI's checkpoints (``GET /sdapi/v1/sd-models``); ``EngineUnavailable`` with the reason otherwise."""
        try:
            response = self._sd_models(timeout)
        except httpx.TransportError as exc:
            raise EngineUnavailable(f"automatic1111 is unreachable at {self.base_url}: {exc}") from exc
        if response.status_code != 200:
            raise EngineUnavailable(f"automatic1111 answered HTTP {response.status_code} at {self.base_url}")
        return [model.get("title") or model.get("model_name") or "?" for model in response.json()]

    def status(self, timeout: float) -> EngineStatus:
        try:
            response = self._sd_models(timeout)
        except httpx.TransportError as exc:
            return EngineStatus(Status.UNREACHABLE, f"{self.base_url}: {exc}")
        if response.status_code != 200:
            return EngineStatus(Status.ERROR, f"HTTP {response.status_code} from {self.base_url}")
        names = {name for model in response.json() for name in (model.get("title"), model.get("model_name"))}
        if self.checkpoint and self.checkpoint not in names:
            return EngineStatus(Status.WEIGHTS_NOT_PRESENT, f"{self.checkpoint} is not among the web UI's models")
        return EngineStatus(Status.READY, f"reachable at {self.base_url}")

    @property
    def supports_reference(self) -> bool:
        return bool(self.reference_module)

    def _sd_models(self, timeout: float) -> httpx.Response:
        return self._client.get("/sdapi/v1/sd-models", timeout=timeout)

    def _generate(self, request: ImageRequest, seed: int) -> tuple[Image.Image, int]:
        path = "/sdapi/v1/txt2img" if request.mode == Mode.TXT2IMG else "/sdapi/v1/img2img"
        payload = self._payload(request, seed)
        response, attempts = call_with_retries(lambda: self._post(path, payload), self.retry)
        try:
            encoded = response.json()["images"][0]
            return Image.open(io.BytesIO(base64.b64decode(encoded))), attempts
        except (ValueError, KeyError, IndexError, OSError) as exc:
            raise EngineUnavailable(f"automatic1111 answered without a readable image: {exc}") from exc

    def _payload(self, request: ImageRequest, seed: int) -> dict:
        payload: dict = {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt,
            "seed": seed,
            "steps": request.steps,
            "cfg_scale": request.guidance,
            "width": request.width,
            "height": request.height,
            "batch_size": 1,
            "n_iter": 1,
            "send_images": True,
            "save_images": False,
        }
        if self.checkpoint:
            # Restoring afterwards would reload the previous checkpoint after every request.
            payload["override_settings"] = {"sd_model_checkpoint": self.checkpoint}
            payload["override_settings_restore_afterwards"] = False
        if request.mode != Mode.TXT2IMG:
            payload["init_images"] = [_png_base64(request.sized_init())]
            payload["denoising_strength"] = request.denoising_strength
        if request.mode == Mode.INPAINT:
            payload |= {
                "mask": _png_base64(request.sized_mask()),
                "inpainting_fill": FILL_ORIGINAL,
                "inpaint_full_res": False,
                "inpainting_mask_invert": 0,
                "mask_blur": 0,
            }
        units = []
        if request.control is not None:
            units.append(self._controlnet_unit(request))
        if request.reference is not None:
            units.append(self._reference_unit(request))
        if units:
            payload["alwayson_scripts"] = {"controlnet": {"args": units}}
        return payload

    def _controlnet_unit(self, request: ImageRequest) -> dict:
        model = self.controlnet_models.get(request.control.kind)
        if not model:
            raise EngineUnavailable(f"No {request.control.kind} ControlNet model is configured.")
        return {
            "enabled": True,
            "module": "none",  # the map is ready; the extension must not preprocess it again
            "model": model,
            "weight": request.control.scale,
            "image": _png_base64(request.sized_control()),
            "resize_mode": "Just Resize",
        }

    def _reference_unit(self, request: ImageRequest) -> dict:
        # reference_only needs no model ("None"); an IP-Adapter module needs its model.
        return {
            "enabled": True,
            "module": self.reference_module,
            "model": self.reference_model,
            "weight": request.reference.weight,
            "image": _png_base64(request.sized_reference()),
            "resize_mode": "Just Resize",
        }

    def _post(self, path: str, payload: dict) -> httpx.Response:
        try:
            response = self._client.post(path, json=payload)
        except httpx.TimeoutException as exc:
            raise EngineUnavailable(f"automatic1111 did not answer within {self.timeout:g} s.") from exc
        except httpx.TransportError as exc:
            raise EngineUnavailable(f"automatic1111 is unreachable at {self.base_url}: {exc}") from exc
        if response.status_code >= 400:
            fail_for_status(self.provider, response.status_code, response.headers, response.text[:200])
        return response


def _png_base64(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")
