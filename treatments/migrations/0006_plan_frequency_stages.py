"""A plan's frequency as stages that taper (treatments.frequency)."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('treatments', '0005_keep_replaced_rows_and_record_history'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='treatmentplan',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='treatmentplan',
            name='update_update',
        ),
        migrations.AddField(
            model_name='treatmentplan',
            name='frequency',
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name='treatmentplanevent',
            name='frequency',
            field=models.JSONField(default=list),
        ),
        # Existing plans (and their history) become the one-stage case. The history triggers
        # are off at this point: a change of shape is no change of the record.
        migrations.RunSQL(
            [
                f"UPDATE {table} SET frequency = jsonb_build_array(jsonb_build_object("
                "'visits_per_week', visits_per_week, 'weeks', weeks)) WHERE frequency = '[]'"
                for table in ("treatments_treatmentplan", "treatments_treatmentplanevent")
            ],
            migrations.RunSQL.noop,
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='treatmentplan',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "treatments_treatmentplanevent" ("chiropractor_id", "clinic_id", "created_at", "created_by_id", "frequency", "id", "notes", "patient_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phase", "reexam_interval_days", "reexam_interval_visits", "start_date", "status", "status_changed_at", "updated_at", "version", "visits_per_week", "weeks") VALUES (NEW."chiropractor_id", NEW."clinic_id", NEW."created_at", NEW."created_by_id", NEW."frequency", NEW."id", NEW."notes", NEW."patient_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'insert\', NEW."id", NEW."phase", NEW."reexam_interval_days", NEW."reexam_interval_visits", NEW."start_date", NEW."status", NEW."status_changed_at", NEW."updated_at", NEW."version", NEW."visits_per_week", NEW."weeks"); RETURN NULL;', hash='80fb360bee96fb5cfec49bc6e51483fa78e440c6', operation='INSERT', pgid='pgtrigger_insert_insert_bfba3', table='treatments_treatmentplan', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='treatmentplan',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "treatments_treatmentplanevent" ("chiropractor_id", "clinic_id", "created_at", "created_by_id", "frequency", "id", "notes", "patient_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phase", "reexam_interval_days", "reexam_interval_visits", "start_date", "status", "status_changed_at", "updated_at", "version", "visits_per_week", "weeks") VALUES (NEW."chiropractor_id", NEW."clinic_id", NEW."created_at", NEW."created_by_id", NEW."frequency", NEW."id", NEW."notes", NEW."patient_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'update\', NEW."id", NEW."phase", NEW."reexam_interval_days", NEW."reexam_interval_visits", NEW."start_date", NEW."status", NEW."status_changed_at", NEW."updated_at", NEW."version", NEW."visits_per_week", NEW."weeks"); RETURN NULL;', hash='6c47b817fb262d70b48312a9357609e6fcb607c5', operation='UPDATE', pgid='pgtrigger_update_update_581f9', table='treatments_treatmentplan', when='AFTER')),
        ),
    ]
