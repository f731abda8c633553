"""Fetch the configured diffusers weights into the model cache.

Run it once on a machine that can reach the Hugging Face hub; requests and
tasks then load the weights from disk and never download.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.ai.image.weights import DiffusersWeights


class Command(BaseCommand):
    help = "Download the configured diffusers models (base, inpainting, ControlNets) into AI_MODEL_CACHE."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", nargs="+", metavar="PART",
            help="Fetch only these parts: base, inpaint, controlnet:mlsd, controlnet:canny, controlnet:depth.",
        )

    def handle(self, *args, only: list[str] | None = None, **options):
        try:
            from huggingface_hub import snapshot_download
        except ImportError:
            raise CommandError("huggingface_hub is not installed: pip install -r requirements-ai.txt") from None
        weights = DiffusersWeights.from_settings()
        parts = [part for part in weights.parts() if not only or part.key in only]
        if not any(part.key == "base" for part in weights.parts()):
            self.stderr.write("AI_IMAGE_MODEL is blank; AI_IMAGE_PROVIDER=diffusers selects the default base model.")
        for part in parts:
            if Path(part.source).is_dir():
                self.stdout.write(f"{part.key}: {part.source} is a local folder; nothing to fetch.")
                continue
            allow, ignore = part.download_patterns
            self.stdout.write(f"{part.key}: fetching {part.source} ...")
            try:
                folder = snapshot_download(
                    part.source, cache_dir=weights.cache_dir, allow_patterns=allow, ignore_patterns=ignore or None
                )
            except Exception as exc:  # the hub client raises many types; all mean "not fetched"
                raise CommandError(f"Could not fetch {part.source}: {exc}") from exc
            self.stdout.write(self.style.SUCCESS(f"{part.key}: {part.source} -> {folder}"))
