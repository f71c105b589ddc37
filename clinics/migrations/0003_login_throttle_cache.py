"""The table of the database cache that holds login throttle counts for every worker."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Creates the tables of database caches in CACHES; does nothing for Redis.
    call_command("createcachetable", database=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("clinics", "0002_user_user_clinic_role_idx_and_more")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
