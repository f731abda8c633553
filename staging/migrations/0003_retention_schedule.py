"""Schedule the daily retention sweep that deletes staging files after STAGING_RETENTION_DAYS."""

from django.db import migrations

from config.jobs.schedules import schedule


class Migration(migrations.Migration):
    dependencies = [("staging", "0002_default_styles_and_disclosure_profiles"), ("jobs", "0002_sweep_schedule")]
    operations = [schedule("staging.delete_expired_files", "staging.services.delete_expired_files",
                           schedule_type="D")]
