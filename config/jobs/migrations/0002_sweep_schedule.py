"""Schedule the sweep that fails jobs whose worker died (every minute)."""

from django.db import migrations

from config.jobs.schedules import schedule


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial"), ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]
    operations = [schedule("jobs.sweep_stuck_jobs", "config.jobs.services.sweep_stuck_jobs", schedule_type="I",
                           minutes=1)]
