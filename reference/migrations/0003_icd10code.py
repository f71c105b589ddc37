"""The ICD-10-CM code list in a table of its own, loaded from the `simple-icd-10-cm` package.

A new release of the package, or new everyday words for a chiropractic code
(reference.icd10.CHIROPRACTIC_CODES), comes with a migration that runs `load_icd10` again.
"""

from django.db import migrations, models

from reference.icd10_loading import load_icd10

CREATE = """
CREATE TABLE reference_icd10code (
    code varchar(8) COLLATE "C" PRIMARY KEY,
    compact varchar(7) COLLATE "C" NOT NULL,
    description text NOT NULL,
    billable boolean NOT NULL,
    search_words text NOT NULL
);
CREATE INDEX reference_icd10code_compact ON reference_icd10code (compact);
CREATE INDEX reference_icd10code_words ON reference_icd10code
    USING gin (to_tsvector('simple'::regconfig, search_words));
"""


class Migration(migrations.Migration):
    dependencies = [("reference", "0002_load_catalog")]

    operations = [
        migrations.CreateModel(
            name="Icd10Code",
            fields=[
                (
                    "code",
                    models.CharField(
                        db_collation="C", max_length=8, primary_key=True, serialize=False
                    ),
                ),
                ("compact", models.CharField(db_collation="C", max_length=7)),
                ("description", models.TextField()),
                ("billable", models.BooleanField()),
                ("search_words", models.TextField()),
            ],
            options={"db_table": "reference_icd10code", "managed": False},
        ),
        migrations.RunSQL(CREATE, "DROP TABLE reference_icd10code"),
        migrations.RunPython(load_icd10, migrations.RunPython.noop),
    ]
