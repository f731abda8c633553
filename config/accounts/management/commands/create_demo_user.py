"""Create (or reset) the demo login the README's run command prints."""

from django.core.management.base import BaseCommand

from config.accounts.choices import Plan
from config.accounts.models import User

DEMO_EMAIL = "demo@stagecraft.local"


class Command(BaseCommand):
    help = "Create the demo staff user and print its login."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="stagecraft-demo",
                            help="Password to set (the embedded demo's default is printed).")

    def handle(self, *args, password: str, **options):
        user, created = User.objects.get_or_create(
            email=DEMO_EMAIL,
            defaults={"full_name": "Demo Agent", "plan": Plan.PROFESSIONAL, "is_staff": True, "is_superuser": True},
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        verb = "Created" if created else "Reset"
        self.stdout.write(self.style.SUCCESS(f"{verb} demo login: {DEMO_EMAIL} / {password}"))
