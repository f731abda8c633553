"""Schedule the daily deletion of floor plan sessions past their 30 days."""

from django.db import migrations

from config.jobs.schedules import schedule


class Migration(migrations.Migration):
    dependencies = [("floorplans", "0001_initial"), ("jobs", "0002_sweep_schedule")]
    operations = [schedule("floorplans.purge_expired_sessions", "floorplans.services.purge_expired_sessions",
                           schedule_type="D")]
