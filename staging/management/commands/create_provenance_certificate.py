"""Make the development C2PA signing certificate (a CA and a leaf) at the configured paths."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from staging import provenance


class Command(BaseCommand):
    help = ("Create a development C2PA certificate chain and key at STAGING_C2PA_CERT_PATH and "
            "STAGING_C2PA_KEY_PATH if they are missing. Production uses a certificate from a trusted CA.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="replace an existing certificate and key")

    def handle(self, *args, force, **options):
        present = Path(settings.STAGING_C2PA_CERT_PATH).exists() and Path(settings.STAGING_C2PA_KEY_PATH).exists()
        chain, key = provenance.ensure_certificate(force=force)
        verb = "Kept the existing" if present and not force else "Made a development"
        self.stdout.write(f"{verb} C2PA certificate.\nC2PA certificate chain: {chain}\nC2PA signing key: {key}")
