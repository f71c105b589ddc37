"""Tenant isolation enforced by PostgreSQL: the catalog, the API role's powers, and pooled
connections that serve one clinic after another."""

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from procrastinate.contrib.django import app as queue

from api.roles import Role
from tenancy.job_context import open_clinic_context
from tenancy.row_security import (
    DELETABLE_TABLES,
    QUEUE_TABLE_PREFIX,
    QUEUE_TABLE_PRIVILEGES,
    SHARED_ROW_TABLES,
)
from tests.conftest import FLUSHABLE_APPS, client_for
from tests.factories import ConditionFactory, PatientFactory, UserFactory

ROLE = settings.DATABASE_APP_ROLE


def clinic_tables() -> list[str]:
    """Tables with a clinic; a partitioned one's partitions are reached through it only (the
    API role may not name them: tests/audit/test_partitions.py)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'clinic_id'
                WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
                  AND NOT c.relispartition AND NOT a.attisdropped ORDER BY 1"""
        )
        return [name for (name,) in cursor.fetchall()]


@contextmanager
def as_api_role(clinic_id):
    """A savepoint in which this connection acts as the API role for `clinic_id`, undone after.
    The context is signed as the definer functions sign it, by the owner, before the role
    changes (the API role may not sign)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('app.clinic_id', %s, true), "
                "set_config('app.clinic_sig', coalesce(api_clinic_signature(%s::uuid), ''), true), "
                "set_config('role', %s, true)",
                [str(clinic_id) if clinic_id else "", str(clinic_id) if clinic_id else None, ROLE],
            )
            yield cursor
        transaction.set_rollback(True)


def refused(cursor, statement: str) -> bool:
    try:
        with transaction.atomic():
            cursor.execute(statement)
    except DatabaseError:
        return True
    return False


@pytest.mark.django_db
def test_every_table_with_a_clinic_has_forced_row_level_security():
    tables = clinic_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND c.relname = ANY(%s)
                  AND NOT (c.relrowsecurity AND c.relforcerowsecurity)""",
            [tables],
        )
        unprotected = [name for (name,) in cursor.fetchall()]
        cursor.execute(
            """SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
                WHERE c.relname = ANY(%s) AND p.polname = 'clinic_isolation'""",
            [tables],
        )
        with_policy = cursor.fetchone()[0]

    assert len(tables) >= 35  # 19 clinic tables, 15 history tables, the audit trail
    assert unprotected == []
    assert with_policy == len(tables)


@pytest.mark.django_db
def test_the_api_role_cannot_bypass_row_level_security():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
            "WHERE rolname = %s",
            [ROLE],
        )
        powers = cursor.fetchone()
        cursor.execute(
            """SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
                WHERE r.rolname = %s""",
            [ROLE],
        )
        owned = cursor.fetchone()[0]

    assert powers == (False, False, False, False)
    assert owned == 0


@pytest.mark.django_db
def test_the_api_role_may_delete_no_clinical_row(patient, neck_pain):
    deletable = []
    with as_api_role(patient.clinic_id) as cursor:
        for table in clinic_tables():
            if not refused(cursor, f'DELETE FROM "{table}"'):
                deletable.append(table)

    assert set(deletable) <= DELETABLE_TABLES
    assert "patients_patient" not in deletable


@pytest.mark.django_db
def test_the_api_role_sees_and_writes_only_the_clinic_of_the_request(
    clinic, other_clinic, patient, neck_pain
):
    theirs = PatientFactory(clinic=other_clinic)
    ConditionFactory(patient=theirs)

    with as_api_role(clinic.id) as cursor:
        seen = {}
        for table in clinic_tables():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE clinic_id = %s', [other_clinic.id]
            )
            seen[table] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM patients_patient")
        own_patients = cursor.fetchone()[0]
        cursor.execute("UPDATE patients_patient SET given_name = 'x' WHERE id = %s", [theirs.id])
        updated = cursor.rowcount
        moved = refused(
            cursor,
            f"UPDATE patients_patient SET clinic_id = '{other_clinic.id}' WHERE id = '{patient.id}'",
        )

    assert {table: n for table, n in seen.items() if n} == {}
    assert own_patients == 1
    assert updated == 0
    assert moved


@pytest.mark.django_db
def test_without_a_clinic_the_api_role_sees_no_clinical_row(patient, neck_pain):
    with as_api_role(None) as cursor:
        counts = {}
        for table in clinic_tables():
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]

    shared = {table for table in counts if table in SHARED_ROW_TABLES}
    assert {table: n for table, n in counts.items() if n and table not in shared} == {}


def session_state() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, coalesce(current_setting('app.clinic_id', true), '')")
        return cursor.fetchone()


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_reused_connection_never_keeps_the_previous_requests_clinic(clinic, other_clinic):
    """Each request commits or rolls back its own transaction, as behind a real server."""
    ours = PatientFactory(clinic=clinic, family_name="Ours")
    theirs = PatientFactory(clinic=other_clinic, family_name="Theirs")
    mine = client_for(UserFactory(clinic=clinic, role=Role.CHIROPRACTOR))
    other = client_for(UserFactory(clinic=other_clinic, role=Role.CHIROPRACTOR))
    owner, _ = session_state()
    pid = backend_pid()

    steps = [
        (mine, "get", f"/api/v1/patients/{ours.id}/", {}, 200),
        (other, "get", f"/api/v1/patients/{ours.id}/", {}, 404),
        (other, "get", f"/api/v1/patients/{theirs.id}/", {}, 200),
        (mine, "patch", f"/api/v1/patients/{ours.id}/", {"date_of_birth": "3000-01-01"}, 400),
        (mine, "get", f"/api/v1/patients/{theirs.id}/", {}, 404),
        (other, "patch", f"/api/v1/patients/{theirs.id}/", {"occupation": "Roofer"}, 200),
        (mine, "get", "/api/v1/patients/", {}, 200),
    ]
    for client, method, url, body, expected in steps:
        response = getattr(client, method)(url, body)
        assert response.status_code == expected, (method, url, response.content)
        assert session_state() == (owner, "")
        if url == "/api/v1/patients/":
            assert [row["id"] for row in response.json()["results"]] == [str(ours.id)]

    assert backend_pid() == pid


@pytest.mark.django_db
def test_tokens_and_authenticator_secrets_are_seen_only_through_their_users_clinic(
    chiropractor, other_admin
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client_for(chiropractor)
    client_for(other_admin)
    mine = TOTPDevice.objects.create(user=chiropractor, name="authenticator")
    TOTPDevice.objects.create(user=other_admin, name="authenticator")
    with as_api_role(chiropractor.clinic_id) as cursor:
        cursor.execute("SELECT id FROM otp_totp_totpdevice")
        devices = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT DISTINCT user_id FROM knox_authtoken")
        token_users = [row[0] for row in cursor.fetchall()]
        cursor.execute("DELETE FROM otp_totp_totpdevice")
        deleted = cursor.rowcount
    assert devices == [mine.id]
    assert token_users == [chiropractor.id]
    assert deleted == 1  # only what it sees
    with as_api_role(chiropractor.clinic_id) as cursor:
        # Nor can it give a device to another clinic's user.
        assert refused(
            cursor,
            f"INSERT INTO otp_totp_totpdevice (user_id, name, confirmed, key, step, t0, digits,"
            f" tolerance, drift, last_t, throttling_failure_count) VALUES ('{other_admin.id}',"
            f" 'x', true, 'ab', 30, 0, 6, 1, 0, -1, 0)",
        )


@pytest.mark.django_db
def test_the_api_role_cannot_choose_a_clinic_by_writing_the_context(clinic, other_clinic):
    PatientFactory(clinic=other_clinic)
    with as_api_role(clinic.id) as cursor:
        # An injection running as the API role writes another clinic into the context…
        cursor.execute(
            "SELECT set_config('app.clinic_id', %s, true), set_config('app.clinic_sig', %s, true)",
            [str(other_clinic.id), "forged"],
        )
        cursor.execute("SELECT count(*) FROM patients_patient")
        assert cursor.fetchone()[0] == 0
        # …and cannot sign it, nor read the key.
        assert refused(cursor, f"SELECT api_clinic_signature('{other_clinic.id}'::uuid)")
        assert refused(cursor, "SELECT key FROM api_context_key")
    with as_api_role(other_clinic.id) as cursor:
        cursor.execute("SELECT count(*) FROM patients_patient")
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db
def test_every_table_of_the_job_queue_is_declared():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
                  AND c.relname LIKE %s""",
            [QUEUE_TABLE_PREFIX + "%"],
        )
        tables = {name for (name,) in cursor.fetchall()}

    assert tables == set(QUEUE_TABLE_PRIVILEGES)


@pytest.mark.django_db
def test_the_api_role_may_add_jobs_to_the_queue_and_nothing_more(clinic):
    with as_api_role(clinic.id) as cursor:
        # As a request defers a job: on its connection, in its transaction.
        job_id = queue.configure_task("tests.a_job", allow_unknown=True).defer(patient="p-1")
        later = queue.configure_task(
            "tests.a_job", allow_unknown=True, schedule_in={"hours": 1}, queueing_lock="once"
        ).defer()
        cursor.execute("SELECT current_user")
        acting_as = cursor.fetchone()[0]
        # Not read a job's arguments, change a job, take one to run, or touch the workers.
        refusals = {
            statement: refused(cursor, statement)
            for statement in [
                "SELECT args FROM procrastinate_jobs",
                "UPDATE procrastinate_jobs SET status = 'doing'",
                "DELETE FROM procrastinate_jobs",
                "SELECT * FROM procrastinate_events",
                "SELECT * FROM procrastinate_workers",
                "INSERT INTO procrastinate_workers DEFAULT VALUES",
                "SELECT * FROM procrastinate_periodic_defers",
                "SELECT procrastinate_fetch_job_v2(ARRAY['default'], NULL)",
                f"SELECT procrastinate_finish_job_v1({job_id}, 'succeeded', true)",
                "SELECT procrastinate_register_worker_v1()",
            ]
        }

    assert acting_as == ROLE
    assert later > job_id
    assert {statement for statement, was_refused in refusals.items() if not was_refused} == set()


@pytest.mark.django_db
def test_a_jobs_clinic_context_scopes_what_it_reads_as_a_requests_does(clinic, other_clinic):
    mine = PatientFactory(clinic=clinic)
    PatientFactory(clinic=other_clinic)

    with transaction.atomic():
        open_clinic_context(clinic.id)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, id FROM patients_patient")
            rows = cursor.fetchall()
            # The API role cannot take another clinic's context for itself.
            with pytest.raises(DatabaseError), transaction.atomic():
                cursor.execute("SELECT api_clinic_signature(%s::uuid)", [str(other_clinic.id)])

    assert rows == [(ROLE, mine.id)]


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_jobs_clinic_context_needs_a_transaction(clinic):
    with pytest.raises(RuntimeError):
        open_clinic_context(clinic.id)
