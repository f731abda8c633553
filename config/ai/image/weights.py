"""Where diffusers weights come from: a folder, or the Hugging Face cache.

Requests and tasks only ever read weights already on disk; ``manage.py
download_models`` is the one place that fetches them.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from config.ai.image.base import ControlKind
from config.ai.overrides import setting

# Diffusers-format pipeline files, without the safety checker (not loaded) and
# without the single-file checkpoints and fp16 copies some repositories add.
PIPELINE_FILES = [
    "model_index.json", "*/*.json", "*/*.txt", "*/model.safetensors", "*/diffusion_pytorch_model.safetensors",
]
PIPELINE_SKIP = ["safety_checker/*", "feature_extractor/*"]
CONTROLNET_FILES = ["config.json", "diffusion_pytorch_model.safetensors"]

# A snapshot counts as present when these files are there.
PIPELINE_REQUIRED = ("model_index.json", "unet/diffusion_pytorch_model.safetensors")
CONTROLNET_REQUIRED = ("config.json", "diffusion_pytorch_model.safetensors")


@dataclass(frozen=True)
class Part:
    """One loadable model: ``base``, ``inpaint`` or ``controlnet:<kind>``."""

    key: str
    source: str

    @property
    def is_controlnet(self) -> bool:
        return self.key.startswith("controlnet:")

    @property
    def download_patterns(self) -> tuple[list[str], list[str]]:
        """(allow, ignore) patterns for ``snapshot_download``."""
        return (CONTROLNET_FILES, []) if self.is_controlnet else (PIPELINE_FILES, PIPELINE_SKIP)


@dataclass(frozen=True)
class DiffusersWeights:
    """The configured models: each a hub repository id or a local folder; blank = none."""

    base: str
    inpaint: str
    controlnets: dict[str, str] = field(default_factory=dict)
    cache_dir: str | None = None

    @classmethod
    def from_settings(cls) -> "DiffusersWeights":
        return cls(
            base=setting("AI_IMAGE_MODEL"),
            inpaint=settings.AI_IMAGE_INPAINT_MODEL,
            controlnets={
                ControlKind.MLSD: settings.AI_IMAGE_CONTROLNET_MLSD,
                ControlKind.CANNY: settings.AI_IMAGE_CONTROLNET_CANNY,
                ControlKind.DEPTH: settings.AI_IMAGE_CONTROLNET_DEPTH,
            },
            cache_dir=settings.AI_MODEL_CACHE or None,
        )

    def parts(self) -> list[Part]:
        """Every configured part, base first."""
        sources = {"base": self.base, "inpaint": self.inpaint}
        sources |= {f"controlnet:{kind}": source for kind, source in self.controlnets.items()}
        return [Part(key, source) for key, source in sources.items() if source]

    def part(self, key: str) -> Part | None:
        return next((part for part in self.parts() if part.key == key), None)

    def local_path(self, part: Part) -> Path | None:
        """The folder holding the part's files, or ``None`` when they are not on disk."""
        folder = Path(part.source)
        if not folder.is_dir():
            from huggingface_hub import snapshot_download
            from huggingface_hub.errors import LocalEntryNotFoundError

            try:
                folder = Path(snapshot_download(part.source, cache_dir=self.cache_dir, local_files_only=True))
            except (LocalEntryNotFoundError, ValueError):  # ValueError: not a valid repository id
                return None
        required = CONTROLNET_REQUIRED if part.is_controlnet else PIPELINE_REQUIRED
        return folder if all((folder / name).exists() for name in required) else None


def weights_bytes(folder: Path) -> int:
    """Bytes of the safetensors files in ``folder`` (the hub cache links them to blobs)."""
    return sum(path.stat().st_size for path in folder.rglob("*.safetensors") if "safety_checker" not in path.parts)
