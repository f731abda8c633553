from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('personas', '0009_quality_parts'),
    ]

    operations = [
        migrations.AddField(
            model_name='oauthattempt',
            name='atproto_encrypted',
            field=models.TextField(blank=True),
        ),
    ]
