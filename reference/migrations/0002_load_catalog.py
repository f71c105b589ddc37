from django.db import migrations

from reference.loading import sync_catalog


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(sync_catalog, migrations.RunPython.noop),
    ]
