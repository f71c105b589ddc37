"""The audit trail without a lock: an event is a plain INSERT (no chain head, no per-clinic
number at insert time); the sealer numbers events into signed seals (audit.sealing).

The hash chains are checked one last time, then dropped; events written before are
unnumbered, to be sealed by the sealer's first passes like any new event."""

import django.db.models.expressions
from django.db import migrations, models

DROP_CHAIN = """
DROP TRIGGER audit_event_chain ON audit_auditevent;
DROP FUNCTION audit_chain_event();
DROP FUNCTION audit_event_digest(audit_auditevent);
"""

# Events of the chain era get their numbers again from the sealer.
UNNUMBER = """
ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only;
UPDATE audit_auditevent SET seq = NULL WHERE seq IS NOT NULL;
ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only;
"""

# A plain INSERT: no row is locked, nothing is numbered.
APPEND = """
CREATE OR REPLACE FUNCTION audit_append(
    p_clinic_id uuid, p_occurred_at timestamptz, p_user_id uuid, p_username text, p_role text,
    p_client_ip inet, p_user_agent text, p_request_id uuid, p_method text, p_path text,
    p_action text, p_resource_type text, p_object_ids text[], p_patient_ids uuid[],
    p_status_code integer, p_changed_fields text[], p_hmac text)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
    INSERT INTO audit_auditevent (
        clinic_id, occurred_at, user_id, username, role, client_ip, user_agent, request_id,
        method, path, action, resource_type, object_ids, patient_ids, status_code,
        changed_fields, hmac)
    VALUES (
        p_clinic_id, p_occurred_at, p_user_id, p_username, p_role, p_client_ip, p_user_agent,
        p_request_id, p_method, p_path, p_action, p_resource_type, p_object_ids, p_patient_ids,
        p_status_code, p_changed_fields, p_hmac)
    RETURNING id
$fn$;
"""

# The one change an event may see: the sealer giving it its number, once, nothing else.
GUARD = """
CREATE FUNCTION audit_event_guard() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND to_jsonb(NEW) - 'seq' = to_jsonb(OLD) - 'seq' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;

DROP TRIGGER audit_event_append_only ON audit_auditevent;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_guard();

CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE ON audit_auditseal
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_auditseal
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""


def check_legacy_chains(apps, schema_editor) -> None:
    from audit.migrations._legacy_chain import check_chains

    check_chains(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_event_hmac"),
    ]

    operations = [
        migrations.RunPython(check_legacy_chains, migrations.RunPython.noop),
        migrations.RunSQL(DROP_CHAIN),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("chain_key", models.UUIDField(primary_key=True, serialize=False)),
                ("number", models.BigIntegerField()),
                ("hash", models.CharField(max_length=64)),
                ("verified_at", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("clinic_id", models.UUIDField(blank=True, null=True)),
                ("number", models.BigIntegerField()),
                ("first_seq", models.BigIntegerField()),
                ("last_seq", models.BigIntegerField()),
                ("tree_size", models.IntegerField()),
                ("root", models.CharField(max_length=64)),
                ("prev_hash", models.CharField(max_length=64)),
                ("sealed_at", models.DateTimeField()),
                ("key_id", models.CharField(max_length=64)),
                ("signature", models.CharField(max_length=88)),
                ("hash", models.CharField(max_length=64)),
            ],
        ),
        migrations.DeleteModel(
            name="ChainHead",
        ),
        migrations.RemoveConstraint(
            model_name="auditevent",
            name="audit_event_seq_unique",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_event_user_idx",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_event_action_idx",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_event_resource_idx",
        ),
        migrations.RemoveField(
            model_name="auditevent",
            name="hash",
        ),
        migrations.RemoveField(
            model_name="auditevent",
            name="prev_hash",
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["clinic_id", "id"], name="audit_event_clinic_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["clinic_id", "user_id", "id"], name="audit_event_user_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["clinic_id", "action", "id"], name="audit_event_action_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["clinic_id", "resource_type", "id"], name="audit_event_resource_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["clinic_id", "seq"], name="audit_event_seq_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)),
                fields=["clinic_id", "id"],
                name="audit_event_unsealed_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditseal",
            constraint=models.UniqueConstraint(
                fields=("clinic_id", "number"),
                name="audit_seal_number_unique",
                nulls_distinct=False,
            ),
        ),
        migrations.AddConstraint(
            model_name="auditseal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("first_seq__gte", 1),
                    ("number__gte", 1),
                    ("tree_size__gte", 1),
                    (
                        "last_seq",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                models.F("first_seq"), "+", models.F("tree_size")
                            ),
                            "-",
                            models.Value(1),
                        ),
                    ),
                ),
                name="audit_seal_range",
            ),
        ),
        migrations.RunSQL(UNNUMBER),
        migrations.RunSQL(APPEND),
        migrations.RunSQL(GUARD),
    ]
