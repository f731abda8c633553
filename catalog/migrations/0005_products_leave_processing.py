"""Products an earlier version put in ``processing`` while analysing go back to ``draft``.

From now on no analysis moves a product's status; the owner does. The reverse is
a no-op: which drafts were once ``processing`` is not recorded.
"""

from django.db import migrations


def back_to_draft(apps, schema_editor):
    apps.get_model("catalog", "Product").objects.filter(status="processing").update(status="draft")


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0004_analysis_frames"),
    ]

    operations = [
        migrations.RunPython(back_to_draft, migrations.RunPython.noop),
    ]
