"""The image-generation capability: txt2img, img2img and inpainting, optionally
conditioned by a ControlNet map, with the same request on every provider."""

import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass

from PIL import Image

from config.ai import vision
from config.ai.errors import EngineUnavailable
from config.ai.status import EngineStatus
from config.ai.usage import CallRecord, Stopwatch


class Mode:
    TXT2IMG = "txt2img"
    IMG2IMG = "img2img"
    INPAINT = "inpaint"


class ControlKind:
    """ControlNet conditionings the engines know (SD 1.5 family models)."""

    MLSD = "mlsd"
    CANNY = "canny"
    DEPTH = "depth"
    ALL = (MLSD, CANNY, DEPTH)


@dataclass(frozen=True)
class ControlNetCondition:
    """A ready conditioning map: white lines (mlsd) or edges (canny) on black,
    or a depth map with near surfaces bright."""

    kind: str
    image: Image.Image
    scale: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in ControlKind.ALL:
            raise ValueError(f"kind must be one of {ControlKind.ALL}, not {self.kind!r}.")

    @classmethod
    def from_photo(cls, kind: str, photo: Image.Image, *, scale: float = 1.0) -> "ControlNetCondition":
        """Build an mlsd or canny map from a photo with ``config.ai.vision``.

        Depth needs an estimator this platform does not run; pass a depth map instead.
        """
        if kind == ControlKind.MLSD:
            return cls(kind, Image.fromarray(vision.line_map(photo).image), scale)
        if kind == ControlKind.CANNY:
            return cls(kind, Image.fromarray(vision.edge_map(photo)), scale)
        raise ValueError(f"A {kind} map cannot be made from a photo here; pass the map itself.")


@dataclass(frozen=True)
class ReferenceImage:
    """An image whose look (furniture, colours, materials) the result should share.

    ``weight`` is how strongly: 0 ignores it, 1 follows it closely. Only engines
    with ``supports_reference`` accept one (IP-Adapter in diffusers, the
    ControlNet extension's reference unit in AUTOMATIC1111).
    """

    image: Image.Image
    weight: float = 0.6

    def __post_init__(self) -> None:
        if not 0 < self.weight <= 2:
            raise ValueError("reference weight must be in (0, 2].")


@dataclass(frozen=True)
class ImageRequest:
    """One image to generate.

    No ``init_image``: txt2img. ``init_image``: img2img. ``init_image`` and
    ``mask`` (white = repaint): inpainting, where every pixel outside the mask is
    returned unchanged. ``strength`` defaults to 0.75 for img2img and 1.0 for
    inpainting. A random seed is chosen when none is given and returned in the
    result, so any image can be made again.
    """

    prompt: str
    negative_prompt: str = ""
    width: int = 512
    height: int = 512
    steps: int = 30
    guidance: float = 7.5
    seed: int | None = None
    init_image: Image.Image | None = None
    mask: Image.Image | None = None
    strength: float | None = None
    control: ControlNetCondition | None = None
    reference: ReferenceImage | None = None
    # False returns the generator's raw inpainting, where diffusion may have
    # drifted outside the mask, for callers that measure that drift themselves
    # (staging's integrity check) before locking pixels at full resolution.
    preserve_unmasked: bool = True

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0 or self.width % 8 or self.height % 8:
            raise ValueError("width and height must be positive multiples of 8.")
        if self.steps < 1:
            raise ValueError("steps must be at least 1.")
        if self.mask is not None and self.init_image is None:
            raise ValueError("Inpainting needs init_image as well as mask.")
        if self.strength is not None and not 0 < self.strength <= 1:
            raise ValueError("strength must be in (0, 1].")
        if self.init_image is not None and int(self.steps * self.denoising_strength) < 1:
            raise ValueError("steps * strength must be at least 1, or no denoising step runs.")

    @property
    def mode(self) -> str:
        if self.init_image is None:
            return Mode.TXT2IMG
        return Mode.IMG2IMG if self.mask is None else Mode.INPAINT

    @property
    def denoising_strength(self) -> float:
        if self.strength is not None:
            return self.strength
        return 1.0 if self.mode == Mode.INPAINT else 0.75

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def sized_init(self) -> Image.Image:
        return self.init_image.convert("RGB").resize(self.size, Image.Resampling.LANCZOS)

    def sized_mask(self) -> Image.Image:
        """The mask at output size, hard-edged: a pixel is either repainted or kept."""
        mask = self.mask.convert("L").resize(self.size, Image.Resampling.NEAREST)
        return mask.point(lambda value: 255 if value >= 128 else 0)

    def sized_control(self) -> Image.Image:
        return self.control.image.convert("RGB").resize(self.size, Image.Resampling.BILINEAR)

    def sized_reference(self) -> Image.Image:
        return self.reference.image.convert("RGB").resize(self.size, Image.Resampling.LANCZOS)


@dataclass(frozen=True)
class ImageResult:
    image: Image.Image
    seed: int
    usage: CallRecord


class ImageGenerator(ABC):
    """A configured image generator; ``generate`` is safe to call from several threads."""

    provider = ""

    def __init__(self, *, model: str) -> None:
        self.model = model
        self.last_call: CallRecord | None = None

    @property
    def supports_reference(self) -> bool:
        """Whether ``generate`` accepts a request with a ``reference`` image."""
        return False

    def generate(self, request: ImageRequest) -> ImageResult:
        """Generate one image. Raises ``EngineUnavailable`` when the engine cannot, or when
        the request has a reference and the engine does not ``support_reference``."""
        if request.reference is not None and not self.supports_reference:
            raise EngineUnavailable(f"The {self.provider} engine cannot take a reference image.")
        watch = Stopwatch()
        seed = request.seed if request.seed is not None else secrets.randbelow(2**31)
        image, attempts = self._generate(request, seed)
        image = image.convert("RGB").resize(request.size) if image.size != request.size else image.convert("RGB")
        if request.mode == Mode.INPAINT and request.preserve_unmasked:
            # Diffusion re-encodes the whole frame through the VAE, which shifts
            # colours everywhere; only the masked area may change.
            image = Image.composite(image, request.sized_init(), request.sized_mask())
        self.last_call = CallRecord(self.provider, self.model, watch.elapsed_ms(), attempts=attempts)
        return ImageResult(image=image, seed=seed, usage=self.last_call)

    @abstractmethod
    def _generate(self, request: ImageRequest, seed: int) -> tuple[Image.Image, int]:
        """Return the raw generated image and the number of attempts it took."""

    @abstractmethod
    def status(self, timeout: float) -> EngineStatus:
        """Whether the engine can generate now; remote checks finish within ``timeout``."""
