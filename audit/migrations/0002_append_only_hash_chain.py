"""The audit table is append-only and hash-chained, enforced by PostgreSQL itself."""

from django.db import migrations

DIGEST = """
CREATE OR REPLACE FUNCTION audit_event_digest(e audit_auditevent) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $fn$
    SELECT encode(sha256(convert_to(concat_ws(chr(31),
        e.seq::text,
        coalesce(e.clinic_id::text, ''),
        to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        coalesce(e.user_id::text, ''), e.username, e.role,
        coalesce(host(e.client_ip), ''), e.user_agent, coalesce(e.request_id::text, ''),
        e.method, e.path, e.action, e.resource_type,
        array_to_string(e.object_ids, ','), array_to_string(e.patient_ids, ','),
        e.status_code::text, array_to_string(e.changed_fields, ','),
        e.prev_hash), 'UTF8')), 'hex')
$fn$;
"""

# Every insert, whoever makes it, is numbered, timed and chained here: the clinic's chain
# head is locked, so concurrent appends of one clinic queue and the chain stays linear.
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
    NEW.occurred_at := clock_timestamp();
    NEW.hash := audit_event_digest(NEW);
    UPDATE audit_chainhead SET seq = NEW.seq, hash = NEW.hash WHERE chain_key = chain;
    RETURN NEW;
END
$fn$;

CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_chain_event();
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;

CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chainhead_no_delete BEFORE DELETE ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chainhead_no_truncate BEFORE TRUNCATE ON audit_chainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""

# The API role may not write the table: it appends through this function, which works
# outside the request's clinic context too (an event of a request that was rolled back).
APPEND = """
CREATE OR REPLACE FUNCTION audit_append(
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


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunSQL(DIGEST, "DROP FUNCTION audit_event_digest(audit_auditevent)"),
        migrations.RunSQL(
            CHAIN,
            "DROP TRIGGER audit_event_chain ON audit_auditevent; DROP FUNCTION audit_chain_event()",
        ),
        migrations.RunSQL(
            APPEND_ONLY,
            "DROP TRIGGER audit_event_append_only ON audit_auditevent; "
            "DROP TRIGGER audit_event_no_truncate ON audit_auditevent; "
            "DROP TRIGGER audit_chainhead_no_delete ON audit_chainhead; "
            "DROP TRIGGER audit_chainhead_no_truncate ON audit_chainhead; "
            "DROP FUNCTION audit_refuse_change()",
        ),
        migrations.RunSQL(APPEND, "DROP FUNCTION audit_append"),
    ]
