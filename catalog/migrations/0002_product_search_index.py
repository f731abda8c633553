"""A GIN index for the product list's full-text search, on PostgreSQL only.

The index is on the same expression ``catalog.models.search_vector()`` builds,
so PostgreSQL can use it for ``ProductQuerySet.search``. SQLite has no such
index type and searches with ``icontains`` instead, so the index is not part
of the model state: this migration creates it where it can exist.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(SearchVector("title", "description", config="english"), name="catalog_product_search")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("catalog", "Product"), INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("catalog", "Product"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
