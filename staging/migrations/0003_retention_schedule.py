"""Schedule the daily retention sweep that deletes staging files after STAGING_RETENTION_DAYS."""

from django.db import migrations

NAME = "staging.delete_expired_files"


def create_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME, defaults={"func": "staging.services.delete_expired_files", "schedule_type": "D", "repeats": -1},
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("staging", "0002_default_styles_and_disclosure_profiles"), ("jobs", "0002_sweep_schedule")]
    operations = [migrations.RunPython(create_schedule, delete_schedule)]
