"""The satellite status is read from the session's lookup job instead of being copied onto the session."""

import django.db.models.deletion
from django.db import migrations, models


def link_latest_lookup(apps, schema_editor):
    """Point each session that had a lookup at its latest satellite job, so its status survives."""
    session_model = apps.get_model("floorplans", "FloorplanSession")
    job_model = apps.get_model("jobs", "Job")
    for session in session_model.objects.exclude(satellite_status="").only("pk"):
        job = (job_model.objects.filter(kind="floorplans.satellite", params__session_id=str(session.pk))
               .order_by("-created_at").first())
        if job is not None:
            session_model.objects.filter(pk=session.pk).update(satellite_job=job)


class Migration(migrations.Migration):

    dependencies = [
        ("floorplans", "0002_expiry_schedule"),
        ("jobs", "0004_job_on_finish"),
    ]

    operations = [
        migrations.AddField(
            model_name="floorplansession",
            name="satellite_job",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="jobs.job"),
        ),
        migrations.RunPython(link_latest_lookup, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="floorplansession",
            name="satellite_status",
        ),
    ]
