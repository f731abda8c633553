"""Analyses record how many frames the analysed file has (an animated GIF or WebP: its first is analysed).

Until now animations were refused at upload, so every completed analysis was
of a still: one frame. Other rows may never have loaded their image and stay
unknown (null).
"""

from django.db import migrations, models


def completed_analyses_were_of_stills(apps, schema_editor):
    apps.get_model("catalog", "AnalysisResult").objects.filter(status="completed").update(frames=1)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0003_jobs_settle_on_finish"),
    ]

    operations = [
        migrations.AddField(
            model_name="analysisresult",
            name="frames",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(completed_analyses_were_of_stills, migrations.RunPython.noop),
    ]
