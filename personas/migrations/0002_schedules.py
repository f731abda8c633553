"""The personas app's django-q2 schedules: publish due posts, run due rules, sync accounts, refresh tokens."""

from django.db import migrations

from config.jobs.schedules import schedule


class Migration(migrations.Migration):
    dependencies = [("personas", "0001_initial"), ("jobs", "0002_sweep_schedule")]
    operations = [
        schedule("personas.publish_due_posts", "personas.tasks.publish_due_posts", schedule_type="I", minutes=1),
        schedule("personas.run_due_rules", "personas.tasks.run_due_rules", schedule_type="I", minutes=1),
        schedule("personas.sync_accounts", "personas.tasks.sync_accounts", schedule_type="I", minutes=15),
        schedule("personas.refresh_tokens", "personas.tasks.refresh_tokens", schedule_type="I", minutes=10),
    ]
