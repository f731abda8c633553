"""Stable Diffusion 1.5-family pipelines run in-process with diffusers.

Each part (base model, inpainting model, one ControlNet per kind) loads on
first use, once per process, from files already on disk (``local_files_only``);
a request never downloads. The pipelines for the six mode/ControlNet
combinations are thin wrappers built per call around the shared parts.
"""

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image

from config.ai.errors import EngineUnavailable
from config.ai.image.base import ImageGenerator, ImageRequest, Mode
from config.ai.image.weights import DiffusersWeights, Part, weights_bytes
from config.ai.loading import installed, load_once
from config.ai.status import EngineStatus, Status

REQUIRED_MODULES = ("torch", "diffusers", "transformers", "huggingface_hub")
COMPONENTS = ("vae", "text_encoder", "tokenizer", "unet", "scheduler")
PIPELINES = {
    (Mode.TXT2IMG, False): "StableDiffusionPipeline",
    (Mode.TXT2IMG, True): "StableDiffusionControlNetPipeline",
    (Mode.IMG2IMG, False): "StableDiffusionImg2ImgPipeline",
    (Mode.IMG2IMG, True): "StableDiffusionControlNetImg2ImgPipeline",
    (Mode.INPAINT, False): "StableDiffusionInpaintPipeline",
    (Mode.INPAINT, True): "StableDiffusionControlNetInpaintPipeline",
}

# One generation at a time per process: the pipelines share a scheduler whose
# timesteps every run resets, and a GPU runs one diffusion at a time anyway.
_generation_lock = threading.Lock()


class DiffusersImageGenerator(ImageGenerator):
    provider = "diffusers"

    def __init__(self, *, weights: DiffusersWeights, device: str = "auto") -> None:
        super().__init__(model=weights.base)
        self.weights = weights
        self.device_setting = device
        self._parts: dict[str, Any] = {}

    @classmethod
    def with_components(
        cls,
        *,
        base: Mapping[str, Any],
        inpaint: Mapping[str, Any] | None = None,
        controlnets: Mapping[str, Any] | None = None,
    ) -> "DiffusersImageGenerator":
        """An engine over components already in memory, run on the device they are on.

        ``base`` and ``inpaint`` map vae, text_encoder, tokenizer, unet and
        scheduler to models; ``controlnets`` maps a kind to a ControlNetModel.
        Nothing is loaded; a part not given is unavailable.
        """
        engine = cls(weights=DiffusersWeights(base="in-memory", inpaint=""))
        engine._parts["base"] = dict(base)
        if inpaint is not None:
            engine._parts["inpaint"] = dict(inpaint)
        for kind, controlnet in (controlnets or {}).items():
            engine._parts[f"controlnet:{kind}"] = controlnet
        return engine

    def status(self, timeout: float) -> EngineStatus:
        if not installed(*REQUIRED_MODULES):
            return EngineStatus(Status.NOT_INSTALLED, "pip install -r requirements-ai.txt")
        missing = [part.source for part in self.weights.parts()
                   if part.key not in self._parts and self.weights.local_path(part) is None]
        if missing:
            return EngineStatus(Status.WEIGHTS_NOT_PRESENT, f"run manage.py download_models for: {', '.join(missing)}")
        loaded = [part.key for part in self.weights.parts() if part.key in self._parts]
        return EngineStatus(Status.READY, f"loaded: {', '.join(loaded)}" if loaded else "loads on first use")

    def _generate(self, request: ImageRequest, seed: int) -> tuple[Image.Image, int]:
        mode = request.mode
        components = self._part("inpaint" if mode == Mode.INPAINT else "base")
        controlnet = self._part(f"controlnet:{request.control.kind}") if request.control else None

        import diffusers
        import torch

        pipeline_class = getattr(diffusers, PIPELINES[(mode, controlnet is not None)])
        extra = {} if controlnet is None else {"controlnet": controlnet}
        pipeline = pipeline_class(
            **components, **extra, safety_checker=None, feature_extractor=None, requires_safety_checker=False
        )
        pipeline.set_progress_bar_config(disable=True)
        with _generation_lock, torch.inference_mode():
            image = pipeline(**self._arguments(request, seed)).images[0]
        return image, 1

    def _arguments(self, request: ImageRequest, seed: int) -> dict:
        import torch

        # A CPU generator gives the same noise for a seed on every device.
        arguments: dict = {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt or None,
            "num_inference_steps": request.steps,
            "guidance_scale": request.guidance,
            "generator": torch.Generator("cpu").manual_seed(seed),
            "output_type": "pil",
        }
        if request.mode in (Mode.TXT2IMG, Mode.INPAINT):
            arguments |= {"width": request.width, "height": request.height}
        if request.mode != Mode.TXT2IMG:
            arguments |= {"image": request.sized_init(), "strength": request.denoising_strength}
        if request.mode == Mode.INPAINT:
            arguments["mask_image"] = request.sized_mask()
        if request.control is not None:
            control_argument = "image" if request.mode == Mode.TXT2IMG else "control_image"
            arguments[control_argument] = request.sized_control()
            arguments["controlnet_conditioning_scale"] = request.control.scale
        return arguments

    def _part(self, key: str) -> Any:
        part = self._parts.get(key)
        if part is None:
            part = self._parts[key] = self._load(key)
        return part

    def _load(self, key: str) -> Any:
        part = self.weights.part(key)
        if part is None:
            raise EngineUnavailable(f"No diffusers model is configured for {key}.")
        if not installed(*REQUIRED_MODULES):
            raise EngineUnavailable("diffusers is not installed (pip install -r requirements-ai.txt).")
        folder = self.weights.local_path(part)
        if folder is None:
            raise EngineUnavailable(
                f"Weights for {part.source} are not present; run manage.py download_models where the hub is reachable."
            )
        device, half = self._device()
        size = weights_bytes(folder) // (2 if half else 1)
        cache_key = f"diffusers:{folder}:{device}:{'fp16' if half else 'fp32'}"
        return load_once(cache_key, size_bytes=size, load=lambda: _from_folder(part, folder, device, half))

    def _device(self) -> tuple[str, bool]:
        """The device to run on and whether to use half precision (on any GPU)."""
        import torch

        device = self.device_setting
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
        return device, device != "cpu"


def _from_folder(part: Part, folder: Path, device: str, half: bool) -> Any:
    import diffusers
    import torch

    dtype = torch.float16 if half else torch.float32
    if part.is_controlnet:
        return diffusers.ControlNetModel.from_pretrained(folder, dtype=dtype, local_files_only=True).to(device)
    pipeline = diffusers.DiffusionPipeline.from_pretrained(
        folder,
        dtype=dtype,
        local_files_only=True,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    ).to(device)
    return {name: pipeline.components[name] for name in COMPONENTS}
