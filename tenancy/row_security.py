"""Tenant isolation enforced by PostgreSQL: the API's database role, its grants, the row-level
security policies and the functions that open a request's clinic context.

Two roles share the database. The owner (`DATABASE_URL`) owns the tables, runs migrations and
management commands, and bypasses row-level security (it is a superuser or has BYPASSRLS).
The API role (`DATABASE_APP_ROLE`, connected through `DATABASE_APP_URL`) is neither owner nor
superuser, has NOBYPASSRLS, may not DELETE clinical rows, and sees only the rows whose
`clinic_id` is the transaction's clinic context. The SECURITY DEFINER functions below open it,
in the statement that reads the caller's token: they write the clinic (`app.clinic_id`) with
its signature (`app.clinic_sig`, a keyed SHA-256 under a key in `api_context_key`, a table the
API role cannot read). The policies read the clinic through `api_current_clinic()`, which
answers it only when its signature checks, so SQL run as the API role (a raw query, an
injection) cannot choose a clinic by writing the setting itself. The context dies with the
request's transaction, so a pooled connection never carries one request's clinic into the
next.

`secure_database()` runs after every `migrate` and is idempotent: every table with a
`clinic_id` column gets its policy, so a new clinical table cannot be forgotten. The job
queue's tables have no clinic: the API role may only add jobs to them (QUEUE_TABLE_PRIVILEGES).
A partitioned table (the audit trail, audit.partitions) is reached through its parent only: the
parent has the grant and the policy, which PostgreSQL applies to every partition read through
it; the partitions themselves grant the API role nothing, so none can be read or written around
the parent's policy, and a partition made between two migrates needs nothing more.
"""

from django.conf import settings
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import sql

# The per-request clinic, when its signature checks: NULL (no rows visible) until a token has
# been read. A sub-select, so that it is worked out once per statement, not once per row.
CURRENT_CLINIC = "(SELECT api_current_clinic())"

# The key of the context's signatures: one row, made once, readable by the owner only.
CONTEXT_KEY = """
CREATE TABLE IF NOT EXISTS api_context_key (
    id integer PRIMARY KEY CHECK (id = 1),
    key text NOT NULL
);
INSERT INTO api_context_key (id, key)
VALUES (1, gen_random_uuid()::text || gen_random_uuid()::text)
ON CONFLICT (id) DO NOTHING;
"""

# sha256(key || sha256(key || clinic)): a keyed hash that a length extension cannot forge.
CLINIC_SIGNATURE = """
CREATE OR REPLACE FUNCTION api_clinic_signature(p_clinic uuid)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
    SELECT encode(sha256(convert_to(k.key, 'UTF8')
                         || sha256(convert_to(k.key || ':' || p_clinic::text, 'UTF8'))), 'hex')
      FROM api_context_key k WHERE k.id = 1
$fn$;
"""

# What the policies read: the context's clinic when its signature is the definer's.
CURRENT_CLINIC_FUNCTION = """
CREATE OR REPLACE FUNCTION api_current_clinic()
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
    SELECT c.id
      FROM (SELECT nullif(current_setting('app.clinic_id', true), '')::uuid AS id) AS c
     WHERE c.id IS NOT NULL
       AND current_setting('app.clinic_sig', true) = api_clinic_signature(c.id)
$fn$;
"""

# How the definer functions open a clinic's context (`found` names the clinic, or is NULL).
SET_CLINIC = (
    "set_config('app.clinic_id', coalesce({found}::text, ''), true), "
    "set_config('app.clinic_sig', coalesce(api_clinic_signature({found}), ''), true)"
)

# Tables whose rows the API may delete: bearer tokens (logout), admin sessions, the shared
# cache and the failed-login counts (a success or an unlock clears them). Nothing
# clinical is ever deleted: records are archived, discarded, amended, or marked removed.
DELETABLE_TABLES = frozenset(
    {
        "knox_authtoken",
        "django_session",
        "api_cache",
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accessfailurelog",
        "otp_totp_totpdevice",  # a second factor turned off takes its secret along
    }
)

# Tables the API role may read but never write directly: the audit trail (appended through
# audit_append()), its seals (made by the sealer, as the owner), and the schema bookkeeping.
# The sealer's checkpoints are hidden.
READ_ONLY_TABLES = frozenset(
    {
        "audit_auditevent",
        "audit_auditseal",
        "django_migrations",
        "django_content_type",
        "reference_icd10code",
        # A clinic's feed so far: moved by the numbering pass, as the owner.
        "changes_feedhorizon",
        # Webhook attempts: written by the delivery workers, as the owner.
        "webhooks_webhookattempt",
    }
)
# Tables the API role may read and add to, never change: the change feed's events, inserted
# by the tracked tables' triggers in the request's transaction and numbered by the owner.
APPEND_ONLY_TABLES = frozenset({"changes_changeevent"})
HIDDEN_TABLES = frozenset({"audit_auditcheckpoint", "api_context_key"})

# Reference tables where rows without a clinic ship with the product and are shared.
SHARED_ROW_TABLES = frozenset({"reference_technique", "reference_exercise"})

# The job queue's tables (procrastinate: `jobs`) carry no clinic, so no policy can scope them:
# the API role may only add jobs, in its request's transaction. procrastinate defers through
# procrastinate_defer_jobs_v1(), which runs with its caller's rights: it inserts the jobs and
# answers their ids (INSERT … RETURNING id), and a trigger records each job's `deferred` event.
# Reading jobs (their arguments), fetching, finishing and retrying them, the workers and the
# periodic schedule are the workers', which connect as the owner. A queue table procrastinate
# adds later gets nothing until it is declared here.
QUEUE_TABLE_PREFIX = "procrastinate_"
QUEUE_TABLE_PRIVILEGES = {
    "procrastinate_jobs": "INSERT, SELECT (id)",
    "procrastinate_events": "INSERT",
    "procrastinate_periodic_defers": "",
    "procrastinate_workers": "",
}
# The one queue function the API role may call (PUBLIC may call none of them).
QUEUE_DEFER_FUNCTION = "procrastinate_defer_jobs_v1(procrastinate_job_to_defer_v1[])"


def _tables_with_clinic(cursor) -> list[tuple[str, bool]]:
    cursor.execute(
        """SELECT c.relname, NOT a.attnotnull
             FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'clinic_id'
                                AND NOT a.attisdropped
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
              AND NOT c.relispartition
            ORDER BY c.relname"""
    )
    return [(name, nullable) for name, nullable in cursor.fetchall()]


def _tables_with_user_only(cursor) -> list[str]:
    """Tables tied to a staff user but not to a clinic (bearer tokens, TOTP devices): their
    rows are visible where their user is, which the users' own policy decides."""
    cursor.execute(
        """SELECT DISTINCT c.relname
             FROM pg_constraint k
             JOIN pg_class c ON c.oid = k.conrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.conkey[1]
            WHERE n.nspname = current_schema() AND k.contype = 'f'
              AND k.confrelid = 'clinics_user'::regclass AND a.attname = 'user_id'
              AND NOT EXISTS (SELECT 1 FROM pg_attribute x
                               WHERE x.attrelid = c.oid AND x.attname = 'clinic_id'
                                 AND NOT x.attisdropped)
            ORDER BY c.relname"""
    )
    return [name for (name,) in cursor.fetchall()]


def _all_tables(cursor) -> list[tuple[str, bool]]:
    """Every table, and whether it is a partition."""
    cursor.execute(
        """SELECT c.relname, c.relispartition
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"""
    )
    return [(name, partition) for name, partition in cursor.fetchall()]


def _ensure_role(cursor, role: str) -> None:
    cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
    row = cursor.fetchone()
    if row is None:
        # Deployments whose owner may not create roles create this one beforehand (README).
        # Roles belong to the server, not to a database: another database's migration (a
        # parallel test worker's) may be creating it at this moment, and either may win.
        cursor.execute(
            sql.SQL(
                "DO $$BEGIN CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END$$"
            ).format(sql.Identifier(role))
        )
    elif any(row):
        raise RuntimeError(
            f"The API's database role {role!r} must not be a superuser nor bypass row-level "
            "security."
        )


def _grant(cursor, role: str, tables: list[tuple[str, bool]]) -> None:
    ident = sql.Identifier(role)
    cursor.execute("SELECT current_schema()")
    schema = sql.Identifier(cursor.fetchone()[0])
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, ident))
    cursor.execute(
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, ident)
    )
    history = _history_tables(cursor)
    for table, partition in tables:
        target = sql.Identifier(table)
        cursor.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(target, ident))
        if table in HIDDEN_TABLES or partition:
            continue
        if table.startswith(QUEUE_TABLE_PREFIX):
            privileges = QUEUE_TABLE_PRIVILEGES.get(table, "")
            if not privileges:
                continue
        elif table in READ_ONLY_TABLES:
            privileges = "SELECT"
        elif table in history or table in APPEND_ONLY_TABLES:  # they only ever grow
            privileges = "SELECT, INSERT"
        elif table in DELETABLE_TABLES:
            privileges = "SELECT, INSERT, UPDATE, DELETE"
        else:
            privileges = "SELECT, INSERT, UPDATE"
        cursor.execute(sql.SQL("GRANT {} ON {} TO {}").format(sql.SQL(privileges), target, ident))


def _history_tables(cursor) -> set[str]:
    cursor.execute(
        """SELECT table_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name = 'pgh_obj_id'"""
    )
    return {name for (name,) in cursor.fetchall()}


def _protect(cursor, table: str, column: str, shared_rows: bool) -> None:
    visible = sql.SQL("{} = " + CURRENT_CLINIC).format(sql.Identifier(column))
    if shared_rows:
        visible = sql.SQL("({} IS NULL OR {})").format(sql.Identifier(column), visible)
    writable = sql.SQL("{} = " + CURRENT_CLINIC).format(sql.Identifier(column))
    _apply_policy(cursor, table, visible, writable)


def _protect_through_user(cursor, table: str) -> None:
    # clinics_user's own policy applies inside this subquery: only the clinic's users match.
    through_user = sql.SQL("EXISTS (SELECT 1 FROM clinics_user u WHERE u.id = {}.user_id)").format(
        sql.Identifier(table)
    )
    _apply_policy(cursor, table, through_user, through_user)


def _apply_policy(cursor, table: str, visible: sql.Composable, writable: sql.Composable) -> None:
    target = sql.Identifier(table)
    cursor.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(target))
    cursor.execute(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(target))
    cursor.execute(sql.SQL("DROP POLICY IF EXISTS clinic_isolation ON {}").format(target))
    cursor.execute(
        sql.SQL("CREATE POLICY clinic_isolation ON {} USING ({}) WITH CHECK ({})").format(
            target, visible, writable
        )
    )


# The request's context, opened in the same statement that reads the bearer token: the token
# must exist, be unexpired and within its absolute lifetime, its user active. The idle expiry
# is pushed forward (at most every `refresh_seconds`). Then the clinic and the history context
# (user, role, request id: django-pghistory reads pghistory.context_*) are set for this
# transaction only.
OPEN_TOKEN_CONTEXT = (
    """
CREATE OR REPLACE FUNCTION api_open_token_context(
    p_digest text, p_request_id uuid, p_idle_seconds integer, p_max_seconds integer,
    p_refresh_seconds integer)
RETURNS TABLE (
    id uuid, password varchar, last_login timestamptz, is_superuser boolean,
    username varchar, first_name varchar, last_name varchar, email varchar,
    is_staff boolean, is_active boolean, date_joined timestamptz, clinic_id uuid, role varchar,
    clinic_name varchar, clinic_slug varchar, clinic_time_zone varchar,
    clinic_is_active boolean, clinic_created_at timestamptz, token_created timestamptz,
    token_expiry timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
#variable_conflict use_column
DECLARE
    t knox_authtoken%ROWTYPE;
    u clinics_user%ROWTYPE;
    renewed timestamptz;
BEGIN
    SELECT * INTO t FROM knox_authtoken WHERE knox_authtoken.digest = p_digest;
    IF NOT FOUND
       OR (t.expiry IS NOT NULL AND t.expiry < now())
       OR t.created + make_interval(secs => p_max_seconds) <= now() THEN
        RETURN;
    END IF;
    renewed := least(now() + make_interval(secs => p_idle_seconds),
                     t.created + make_interval(secs => p_max_seconds));
    IF t.expiry IS NOT NULL AND renewed - t.expiry > make_interval(secs => p_refresh_seconds) THEN
        UPDATE knox_authtoken SET expiry = renewed WHERE knox_authtoken.digest = p_digest;
        t.expiry := renewed;
    END IF;
    SELECT * INTO u FROM clinics_user WHERE clinics_user.id = t.user_id;
    IF NOT FOUND OR NOT u.is_active THEN
        RETURN;
    END IF;
    PERFORM """
    + SET_CLINIC.format(found="u.clinic_id")
    + """,
            set_config('pghistory.context_id', p_request_id::text, true),
            set_config('pghistory.context_metadata',
                       json_build_object('user', u.id, 'username', u.username, 'role', u.role,
                                         'request_id', p_request_id)::text, true);
    RETURN QUERY
    SELECT u.id, u.password, u.last_login, u.is_superuser, u.username, u.first_name,
           u.last_name, u.email, u.is_staff, u.is_active, u.date_joined, u.clinic_id, u.role,
           c.name, c.slug, c.time_zone, c.is_active, c.created_at, t.created, t.expiry
      FROM (SELECT 1) AS one LEFT JOIN clinics_clinic c ON c.id = u.clinic_id;
END
$fn$;
"""
)

# Login looks the user up by name before a clinic is known: this sets the clinic of the user
# of that name (if any) for the transaction, so that the ordinary password check can read it.
OPEN_LOGIN_CONTEXT = (
    """
CREATE OR REPLACE FUNCTION api_open_login_context(p_username text, p_request_id uuid)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
#variable_conflict use_column
DECLARE
    found_clinic uuid;
BEGIN
    SELECT u.clinic_id INTO found_clinic FROM clinics_user u WHERE u.username = p_username;
    PERFORM """
    + SET_CLINIC.format(found="found_clinic")
    + """,
            set_config('pghistory.context_id', p_request_id::text, true),
            set_config('pghistory.context_metadata',
                       json_build_object('username', p_username,
                                         'request_id', p_request_id)::text, true);
    RETURN found_clinic;
END
$fn$;
"""
)


# The second login step (a TOTP or recovery code) names its user by the id the password step
# signed: this sets that user's clinic for the transaction, as the login context does.
OPEN_USER_CONTEXT = (
    """
CREATE OR REPLACE FUNCTION api_open_user_context(p_user_id uuid, p_request_id uuid)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
#variable_conflict use_column
DECLARE
    found_clinic uuid;
    found_name text;
BEGIN
    SELECT u.clinic_id, u.username INTO found_clinic, found_name
      FROM clinics_user u WHERE u.id = p_user_id;
    PERFORM """
    + SET_CLINIC.format(found="found_clinic")
    + """,
            set_config('pghistory.context_id', p_request_id::text, true),
            set_config('pghistory.context_metadata',
                       json_build_object('user', p_user_id, 'username', found_name,
                                         'request_id', p_request_id)::text, true);
    RETURN found_clinic;
END
$fn$;
"""
)


# A calendar feed is read by a calendar app with the feed's secret instead of a token: this
# sets the clinic of the feed's owner for the transaction when the secret's digest names an
# unrevoked feed of an active chiropractor of an active clinic, and answers that user.
OPEN_FEED_CONTEXT = (
    """
CREATE OR REPLACE FUNCTION api_open_feed_context(p_digest text, p_request_id uuid)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
#variable_conflict use_column
DECLARE
    found_user uuid;
    found_clinic uuid;
BEGIN
    SELECT u.id, u.clinic_id INTO found_user, found_clinic
      FROM scheduling_calendarfeed f
      JOIN clinics_user u ON u.id = f.user_id
      JOIN clinics_clinic c ON c.id = u.clinic_id
     WHERE f.secret_digest = p_digest AND f.revoked_at IS NULL
       AND u.is_active AND u.role = 'chiropractor' AND c.is_active;
    PERFORM """
    + SET_CLINIC.format(found="found_clinic")
    + """,
            set_config('pghistory.context_id', p_request_id::text, true),
            set_config('pghistory.context_metadata',
                       json_build_object('user', found_user, 'request_id', p_request_id)::text,
                       true);
    RETURN found_user;
END
$fn$;
"""
)


# What the API role may call; everything else it does is plain SQL under the policies.
APP_FUNCTIONS = (
    "api_open_token_context(text, uuid, integer, integer, integer)",
    "api_open_login_context(text, uuid)",
    "api_open_user_context(uuid, uuid)",
    "api_open_feed_context(text, uuid)",
    "audit_append(uuid, timestamptz, uuid, text, text, inet, text, uuid, text, text, text, text, "
    "text[], uuid[], integer, text[], text)",
    # Read by every policy: a context the API role wrote itself answers no clinic.
    "api_current_clinic()",
)


def secure_database(connection: BaseDatabaseWrapper) -> None:
    """Create the API role if needed, grant it what it may do, protect every clinic table."""
    if connection.vendor != "postgresql":
        return
    role = settings.DATABASE_APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass('knox_authtoken') IS NULL OR to_regclass('clinics_user') IS NULL"
            " OR to_regclass('scheduling_calendarfeed') IS NULL"
        )
        if cursor.fetchone()[0]:
            return  # a partial migrate: the functions' tables come later, and so does this
    # One transaction: no table is ever seen with its old policy dropped and no new one yet.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        _ensure_role(cursor, role)
        cursor.execute(CONTEXT_KEY)
        cursor.execute(CLINIC_SIGNATURE)
        cursor.execute(CURRENT_CLINIC_FUNCTION)
        # Signing is the definer functions' alone.
        cursor.execute("REVOKE ALL ON FUNCTION api_clinic_signature(uuid) FROM PUBLIC")
        _grant(cursor, role, _all_tables(cursor))
        for table, nullable in _tables_with_clinic(cursor):
            _protect(
                cursor, table, "clinic_id", shared_rows=nullable and table in SHARED_ROW_TABLES
            )
        _protect(cursor, "clinics_clinic", "id", shared_rows=False)
        for table in _tables_with_user_only(cursor):
            _protect_through_user(cursor, table)
        # Its columns change with the user and clinic models; REPLACE cannot change them.
        cursor.execute(f"DROP FUNCTION IF EXISTS {APP_FUNCTIONS[0]}")
        cursor.execute(OPEN_TOKEN_CONTEXT)
        cursor.execute(OPEN_LOGIN_CONTEXT)
        cursor.execute(OPEN_USER_CONTEXT)
        cursor.execute(OPEN_FEED_CONTEXT)
        _grant_functions(cursor, role, [*APP_FUNCTIONS, *_queue_defer_function(cursor)])


def _queue_defer_function(cursor) -> list[str]:
    """Take every queue function from PUBLIC; answer the one the API role may call, once the
    queue's migrations have made it."""
    cursor.execute(
        """SELECT p.oid::regprocedure::text FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = current_schema() AND p.proname LIKE %s""",
        [QUEUE_TABLE_PREFIX + "%"],
    )
    functions = [name for (name,) in cursor.fetchall()]
    for function in functions:
        cursor.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    return [QUEUE_DEFER_FUNCTION] if QUEUE_DEFER_FUNCTION in functions else []


def _grant_functions(cursor, role: str, functions: list[str]) -> None:
    for function in functions:
        cursor.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        cursor.execute(
            sql.SQL(f"GRANT EXECUTE ON FUNCTION {function} TO {{}}").format(sql.Identifier(role))
        )
