"""Give every stored product photo without one its perceptual hash, so duplicates can be found."""

from django.core.management.base import BaseCommand

from catalog.services.hashing import hash_unhashed_photos


class Command(BaseCommand):
    help = ("Compute the perceptual hash of product photos stored before duplicate finding existed "
            "(new photos are hashed on upload). Safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="hash at most this many photos")

    def handle(self, *args, limit, **options):
        hashed, unreadable = hash_unhashed_photos(limit=limit)
        self.stdout.write(f"Hashed {hashed} photo(s); {unreadable} could not be read.")
