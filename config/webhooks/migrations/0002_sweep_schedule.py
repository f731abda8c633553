"""Schedule the sweep that sends due webhook retries (every minute)."""

from django.db import migrations

from config.jobs.schedules import schedule


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_initial"),
                    ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]
    operations = [schedule("webhooks.sweep_deliveries", "config.webhooks.tasks.sweep_deliveries", schedule_type="I",
                           minutes=1)]
