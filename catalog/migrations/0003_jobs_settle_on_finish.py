"""Catalog jobs settle through their ``on_finish``; give it to the jobs queued or running before that.

Until then the task settled a job on its way out, which the sweep, lost-worker
recovery and the failure hook skipped. A job still unfinished at deploy time
would otherwise end with nobody to settle it. The path is
``catalog.services.analysis.ON_FINISH``, written out: a migration must not
change when the code does.
"""

from django.db import migrations

ON_FINISH = "catalog.services.settling.settle_job"
FINISHED = ("completed", "failed", "cancelled")


def give_unfinished_jobs_on_finish(apps, schema_editor):
    job_model = apps.get_model("jobs", "Job")
    job_model.objects.filter(kind__startswith="catalog.", on_finish="").exclude(status__in=FINISHED).update(
        on_finish=ON_FINISH)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_product_search_index"),
        ("jobs", "0004_job_on_finish"),
    ]

    operations = [migrations.RunPython(give_unfinished_jobs_on_finish, migrations.RunPython.noop)]
