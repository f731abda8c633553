"""Recurring django-q2 schedules, created by data migrations.

Each app that needs a periodic task (a sweep, a retention purge) adds one
migration operation with ``schedule(...)``, so schedules exist wherever the
database is migrated and staff can see and pause them in the admin.
"""

from django.db import migrations


def schedule(name: str, func: str, *, schedule_type: str, minutes: int | None = None) -> migrations.RunPython:
    """A reversible migration operation that creates (or updates) the named schedule."""

    def create(apps, schema_editor):
        apps.get_model("django_q", "Schedule").objects.update_or_create(
            name=name, defaults={"func": func, "schedule_type": schedule_type, "minutes": minutes, "repeats": -1},
        )

    def delete(apps, schema_editor):
        apps.get_model("django_q", "Schedule").objects.filter(name=name).delete()

    return migrations.RunPython(create, delete)
