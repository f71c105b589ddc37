"""Each audit event carries an HMAC-SHA256 of its content under a key the database does not
hold (audit.row_hmac); the event's time is the writer's, inside what the HMAC covers.

Events written before this migration are given their HMAC here, once, with the key the
migration runs with: the trail is checked (its hash chains) before they are."""

from django.db import migrations, models

# As 0002's, but the event's time is the one its writer signed (clock_timestamp() only for an
# event that brings none).
CHAIN = """
CREATE OR REPLACE FUNCTION audit_chain_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
    chain uuid := coalesce(NEW.clinic_id, '00000000-0000-0000-0000-000000000000');
    head audit_chainhead%ROWTYPE;
BEGIN
    INSERT INTO audit_chainhead (chain_key, seq, hash) VALUES (chain, 0, repeat('0', 64))
        ON CONFLICT (chain_key) DO NOTHING;
    SELECT * INTO head FROM audit_chainhead WHERE chain_key = chain FOR UPDATE;
    NEW.seq := head.seq + 1;
    NEW.prev_hash := head.hash;
    NEW.occurred_at := coalesce(NEW.occurred_at, clock_timestamp());
    NEW.hash := audit_event_digest(NEW);
    UPDATE audit_chainhead SET seq = NEW.seq, hash = NEW.hash WHERE chain_key = chain;
    RETURN NEW;
END
$fn$;
"""

APPEND = """
DROP FUNCTION audit_append(
    uuid, uuid, text, text, inet, text, uuid, text, text, text, text, text[], uuid[], integer,
    text[]);
CREATE FUNCTION audit_append(
    p_clinic_id uuid, p_occurred_at timestamptz, p_user_id uuid, p_username text, p_role text,
    p_client_ip inet, p_user_agent text, p_request_id uuid, p_method text, p_path text,
    p_action text, p_resource_type text, p_object_ids text[], p_patient_ids uuid[],
    p_status_code integer, p_changed_fields text[], p_hmac text)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
    INSERT INTO audit_auditevent (
        clinic_id, seq, occurred_at, user_id, username, role, client_ip, user_agent,
        request_id, method, path, action, resource_type, object_ids, patient_ids,
        status_code, changed_fields, prev_hash, hash, hmac)
    VALUES (
        p_clinic_id, 0, p_occurred_at, p_user_id, p_username, p_role, p_client_ip,
        p_user_agent, p_request_id, p_method, p_path, p_action, p_resource_type,
        p_object_ids, p_patient_ids, p_status_code, p_changed_fields, '', '', p_hmac)
    RETURNING id
$fn$;
"""

OLD_APPEND = """
DROP FUNCTION audit_append(
    uuid, timestamptz, uuid, text, text, inet, text, uuid, text, text, text, text, text[],
    uuid[], integer, text[], text);
CREATE FUNCTION audit_append(
    p_clinic_id uuid, p_user_id uuid, p_username text, p_role text, p_client_ip inet,
    p_user_agent text, p_request_id uuid, p_method text, p_path text, p_action text,
    p_resource_type text, p_object_ids text[], p_patient_ids uuid[], p_status_code integer,
    p_changed_fields text[])
RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
    INSERT INTO audit_auditevent (
        clinic_id, seq, occurred_at, user_id, username, role, client_ip, user_agent,
        request_id, method, path, action, resource_type, object_ids, patient_ids,
        status_code, changed_fields, prev_hash, hash)
    VALUES (
        p_clinic_id, 0, clock_timestamp(), p_user_id, p_username, p_role, p_client_ip,
        p_user_agent, p_request_id, p_method, p_path, p_action, p_resource_type,
        p_object_ids, p_patient_ids, p_status_code, p_changed_fields, '', '')
    RETURNING id
$fn$;
"""


def sign_existing_events(apps, schema_editor) -> None:
    from audit.migrations._legacy_chain import check_chains
    from audit.row_hmac import SIGNED_FIELDS, event_hmac

    connection = schema_editor.connection
    check_chains(connection)
    columns = ", ".join(SIGNED_FIELDS)
    after, page = 0, 5000  # in pages: a trail of millions is signed in bounded memory
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        while True:
            cursor.execute(
                f"SELECT id, {columns} FROM audit_auditevent WHERE id > %s ORDER BY id LIMIT %s",
                [after, page],
            )
            rows = cursor.fetchall()
            cursor.executemany(
                "UPDATE audit_auditevent SET hmac = %s WHERE id = %s",
                [(event_hmac(dict(zip(SIGNED_FIELDS, row[1:], strict=True))), row[0]) for row in rows],
            )
            if len(rows) < page:
                break
            after = rows[-1][0]
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_mfa_and_break_glass_actions")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="hmac",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunSQL(CHAIN, migrations.RunSQL.noop),
        migrations.RunSQL(APPEND, OLD_APPEND),
        migrations.RunPython(sign_existing_events, migrations.RunPython.noop),
    ]
