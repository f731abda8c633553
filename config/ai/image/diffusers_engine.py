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

    def __init__(self, *, weights: DiffusersWeights, device: str = "auto", ip_adapter: str = "",
                 ip_adapter_weights: str = "ip-adapter_sd15.safetensors") -> None:
        """``ip_adapter`` is a local folder holding the IP-Adapter file ``ip_adapter_weights`` and its
        ``image_encoder/`` (h94/IP-Adapter's ``models`` folder); blank: no reference images."""
        super().__init__(model=weights.base)
        self.weights = weights
        self.device_setting = device
        self.ip_adapter = Path(ip_adapter) if ip_adapter else None
        self.ip_adapter_weights = ip_adapter_weights
        self._parts: dict[str, Any] = {}

    @classmethod
    def with_components(
        cls,
        *,
        base: Mapping[str, Any],
        inpaint: Mapping[str, Any] | None = None,
        controlnets: Mapping[str, Any] | None = None,
        ip_adapter: str = "",
    ) -> "DiffusersImageGenerator":
        """An engine over components already in memory, run on the device they are on.

        ``base`` and ``inpaint`` map vae, text_encoder, tokenizer, unet and
        scheduler to models; ``controlnets`` maps a kind to a ControlNetModel.
        Nothing is loaded; a part not given is unavailable. ``ip_adapter`` is a folder as in ``__init__``.
        """
        engine = cls(weights=DiffusersWeights(base="in-memory", inpaint=""), ip_adapter=ip_adapter)
        engine._parts["base"] = dict(base)
        if inpaint is not None:
            engine._parts["inpaint"] = dict(inpaint)
        for kind, controlnet in (controlnets or {}).items():
            engine._parts[f"controlnet:{kind}"] = controlnet
        return engine

    @property
    def supports_reference(self) -> bool:
        return self.ip_adapter is not None

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
        extra |= self._reference_parts() if request.reference else {"feature_extractor": None}
        pipeline = pipeline_class(**components, **extra, safety_checker=None, requires_safety_checker=False)
        pipeline.set_progress_bar_config(disable=True)
        with _generation_lock, torch.inference_mode():
            if request.reference is None:
                return pipeline(**self._arguments(request, seed)).images[0], 1
            # The adapter changes the shared UNet's attention; it is taken off again before the
            # lock is released, so a request without a reference runs the plain UNet.
            pipeline.load_ip_adapter(str(self.ip_adapter), subfolder="", weight_name=self.ip_adapter_weights,
                                     image_encoder_folder=None, local_files_only=True)
            try:
                pipeline.set_ip_adapter_scale(request.reference.weight)
                image = pipeline(**self._arguments(request, seed)).images[0]
            finally:
                pipeline.unload_ip_adapter()
        return image, 1

    def _reference_parts(self) -> dict:
        """The IP-Adapter's image encoder (loaded once) and the preprocessing its input size needs."""
        if self.ip_adapter is None:
            raise EngineUnavailable("No IP-Adapter is configured (AI_IMAGE_IP_ADAPTER).")
        folder = self.ip_adapter / "image_encoder"
        if not (folder / "config.json").is_file() or not (self.ip_adapter / self.ip_adapter_weights).is_file():
            raise EngineUnavailable(f"The IP-Adapter files are not present in {self.ip_adapter}.")
        import transformers

        device, half = self._device()
        encoder = load_once(f"ip-adapter-encoder:{folder}:{device}", size_bytes=weights_bytes(folder),
                            load=lambda: transformers.CLIPVisionModelWithProjection.from_pretrained(
                                folder, local_files_only=True, dtype=_dtype(half)).to(device))
        side = encoder.config.image_size
        return {"image_encoder": encoder, "feature_extractor": transformers.CLIPImageProcessor(
            size={"shortest_edge": side}, crop_size={"height": side, "width": side})}

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
        if request.reference is not None:
            arguments["ip_adapter_image"] = request.sized_reference()
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


def _dtype(half: bool) -> Any:
    import torch

    return torch.float16 if half else torch.float32


def _from_folder(part: Part, folder: Path, device: str, half: bool) -> Any:
    import diffusers

    dtype = _dtype(half)
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
