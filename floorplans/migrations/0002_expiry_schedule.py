"""Schedule the daily deletion of floor plan sessions past their 30 days."""

from django.db import migrations

NAME = "floorplans.purge_expired_sessions"


def create_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME, defaults={"func": "floorplans.services.purge_expired_sessions", "schedule_type": "D",
                             "repeats": -1},
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("floorplans", "0001_initial"), ("jobs", "0002_sweep_schedule")]
    operations = [migrations.RunPython(create_schedule, delete_schedule)]
