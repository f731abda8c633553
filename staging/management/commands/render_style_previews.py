"""Render each active style's preview image with the configured image engine."""

from django.core.management.base import BaseCommand, CommandError

from config.errors import ApplicationError
from staging import services
from staging.models import Style


class Command(BaseCommand):
    help = "Render and store the preview image of each active style (or the ones named) with the image engine."

    def add_arguments(self, parser):
        parser.add_argument("styles", nargs="*", help="style ids (default: every active style)")
        parser.add_argument("--missing", action="store_true", help="only styles without a preview yet")
        parser.add_argument("--seed", type=int, default=7, help="generation seed (default 7)")

    def handle(self, *args, styles, missing, seed, **options):
        chosen = Style.objects.filter(pk__in=styles) if styles else Style.objects.active()
        if missing:
            chosen = chosen.filter(preview_image="")
        unknown = set(styles) - set(chosen.values_list("pk", flat=True))
        if unknown and not missing:
            raise CommandError(f"Unknown style(s): {', '.join(sorted(unknown))}")
        for style in chosen:
            try:
                services.render_style_preview(style, seed=seed)
            except ApplicationError as exc:
                raise CommandError(f"{style.pk}: {exc.message}") from exc
            self.stdout.write(f"{style.pk}: {style.preview_image.name}")
