"""The audit table at scale: a partition a month, made ahead, dropped past the retention set,
with the append-only guard, the sealer, verify_audit and row-level security all as before."""

import datetime
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit import sealing
from audit.integrity import verify
from audit.models import AuditEvent, AuditSeal
from audit.partitions import (
    DEFAULT_PARTITION,
    Month,
    create_partition,
    drop_expired_partitions,
    ensure_partitions,
)
from tests.api.test_row_security import as_api_role, refused
from tests.conftest import client_for
from tests.factories import PatientFactory, UserFactory
from tests.query_plans import uses_one_of

UTC = datetime.UTC


def read(client, patient, times: int = 1) -> None:
    for _ in range(times):
        assert client.get(f"/api/v1/patients/{patient.id}/").status_code == 200


def partitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'audit_auditevent'::regclass ORDER BY 1"
        )
        return [name for (name,) in cursor.fetchall()]


def partition_of(event: AuditEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [event.id]
        )
        return cursor.fetchone()[0]


def triggers_of(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgenabled = 'O'",
            [table],
        )
        return {name for (name,) in cursor.fetchall()}


def findings_of(clinic) -> list[str]:
    return [str(f) for f in verify(full=True).findings if f.clinic_id == str(clinic.id)]


@pytest.mark.django_db
def test_the_trail_is_partitioned_by_month_with_a_default():
    this_month = Month.of(datetime.datetime.now(UTC))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.partstrat, a.attname FROM pg_partitioned_table p"
            " JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]"
            " WHERE p.partrelid = 'audit_auditevent'::regclass"
        )
        strategy = cursor.fetchone()
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'audit_auditevent'::regclass AND contype = 'p'"
        )
        primary_key = cursor.fetchone()[0]

    assert strategy == ("r", "occurred_at")
    assert primary_key == "PRIMARY KEY (id, occurred_at)"
    assert {DEFAULT_PARTITION, *(this_month.plus(n).name for n in range(3))} <= set(partitions())
    for partition in (DEFAULT_PARTITION, this_month.name):
        assert triggers_of(partition) == {"audit_event_append_only", "audit_event_no_truncate"}


@pytest.mark.django_db
def test_an_event_of_a_month_without_a_partition_is_kept_in_the_default_sealed_and_verified(
    chiropractor_client, clinic_admin_client, patient, time_machine
):
    time_machine.move_to(datetime.datetime(2031, 5, 6, 7, 8, tzinfo=UTC), tick=False)
    read(chiropractor_client, patient, 2)

    sealing.seal_all()

    events = list(AuditEvent.objects.filter(clinic_id=patient.clinic_id).order_by("id"))
    assert {partition_of(event) for event in events} == {DEFAULT_PARTITION}
    assert [event.seq for event in events] == [1, 2]
    assert findings_of(patient.clinic) == []
    proof = clinic_admin_client.get(f"/api/v1/audit-events/{events[0].id}/proof/")
    assert proof.status_code == 200
    assert proof.json()["leaf_index"] == 0


@pytest.mark.django_db
def test_partitions_are_made_months_ahead_once(time_machine):
    time_machine.move_to(datetime.datetime(2027, 11, 20, tzinfo=UTC), tick=False)

    made = ensure_partitions()
    before = partitions()
    again = ensure_partitions()

    expected = [
        "audit_auditevent_y2027m11",
        "audit_auditevent_y2027m12",
        "audit_auditevent_y2028m01",
    ]
    assert made == again == expected
    assert partitions() == before
    assert set(expected) <= set(before)
    assert triggers_of("audit_auditevent_y2028m01") == {
        "audit_event_append_only",
        "audit_event_no_truncate",
    }


@pytest.mark.django_db
def test_a_month_with_events_in_the_default_is_left_there_and_logged(
    chiropractor_client, patient, time_machine, caplog
):
    time_machine.move_to(datetime.datetime(2030, 3, 31, 23, 0, tzinfo=UTC), tick=False)
    read(chiropractor_client, patient)

    with caplog.at_level(logging.ERROR, logger="audit.partitions"):
        made = ensure_partitions()

    assert made == ["audit_auditevent_y2030m04", "audit_auditevent_y2030m05"]
    assert "audit_auditevent_y2030m03 not made" in caplog.text
    assert partition_of(AuditEvent.objects.get(clinic_id=patient.clinic_id)) == DEFAULT_PARTITION


@pytest.mark.django_db
def test_the_command_makes_the_partitions(time_machine):
    time_machine.move_to(datetime.datetime(2029, 1, 2, tzinfo=UTC), tick=False)

    call_command("audit_partitions", "--months-ahead", "1")

    assert {"audit_auditevent_y2029m01", "audit_auditevent_y2029m02"} <= set(partitions())


@pytest.mark.django_db
def test_even_the_owner_cannot_change_an_event_through_the_table_or_its_partition(
    chiropractor_client, patient
):
    read(chiropractor_client, patient)
    event = AuditEvent.objects.get(clinic_id=patient.clinic_id)
    partition = partition_of(event)
    assert partition != "audit_auditevent"

    statements = [
        *(
            statement
            for table in ("audit_auditevent", partition)
            for statement in (
                f"UPDATE {table} SET action = 'list' WHERE id = {event.id}",
                f"UPDATE {table} SET seq = 7, username = 'x' WHERE id = {event.id}",
                f"DELETE FROM {table} WHERE id = {event.id}",
                f"TRUNCATE {table}",
            )
        ),
        f"TRUNCATE {DEFAULT_PARTITION}",
    ]
    refusals = {}
    with connection.cursor() as cursor:
        for statement in statements:
            try:
                with transaction.atomic():
                    cursor.execute(statement)
            except DatabaseError as error:
                refusals[statement] = "append-only" in str(error)

    assert refusals == dict.fromkeys(statements, True)
    assert AuditEvent.objects.get(id=event.id).action == event.action


@pytest.mark.django_db
def test_the_api_role_sees_only_its_clinic_through_the_table_and_no_partition(
    chiropractor_client, patient, other_clinic
):
    theirs = PatientFactory(clinic=other_clinic)
    read(chiropractor_client, patient, 2)
    read(client_for(UserFactory(clinic=other_clinic, role="chiropractor")), theirs, 3)
    partition = partition_of(AuditEvent.objects.filter(clinic_id=patient.clinic_id).first())

    with as_api_role(patient.clinic_id) as cursor:
        cursor.execute("SELECT clinic_id, count(*) FROM audit_auditevent GROUP BY clinic_id")
        seen = dict(cursor.fetchall())
        direct = {
            table: refused(cursor, f"SELECT count(*) FROM {table}")
            for table in (partition, DEFAULT_PARTITION)
        }
        forged = refused(
            cursor,
            f"INSERT INTO {partition} (id, clinic_id, occurred_at, username, role, user_agent,"
            " method, path, action, resource_type, object_ids, patient_ids, status_code,"
            f" changed_fields, hmac) SELECT 1, '{patient.clinic_id}', now(), '', '', '', 'GET',"
            " '/', 'read', 'patient', '{}', '{}', 200, '{}', ''",
        )

    assert seen == {patient.clinic_id: 2}
    assert direct == {partition: True, DEFAULT_PARTITION: True}
    assert forged


@pytest.mark.django_db
def test_the_sealer_numbers_a_batch_in_its_months_partitions_only():
    january, february = Month(2032, 1), Month(2032, 2)
    assert create_partition(january) and create_partition(february)
    batch_times = [january.start, january.start + datetime.timedelta(hours=1)]

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sealing.NUMBER, [0, [1, 2], *batch_times])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert january.name in plan
    assert february.name not in plan
    assert DEFAULT_PARTITION not in plan


@pytest.mark.django_db
def test_a_seals_events_are_read_by_the_seq_index(chiropractor_client, patient):
    read(chiropractor_client, patient, 3)
    sealing.seal_all()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id, seq FROM audit_auditevent"
            " WHERE clinic_id = %s AND seq BETWEEN %s AND %s ORDER BY seq",
            [patient.clinic_id, 1, 3],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert uses_one_of(plan, {"audit_event_seq_idx"}), plan


def make_trail(client, patient, time_machine, *, month: Month, seal: bool) -> None:
    assert create_partition(month)
    time_machine.move_to(month.start + datetime.timedelta(days=9), tick=False)
    read(client, patient, 2)
    if seal:
        sealing.seal_all()


@pytest.mark.django_db
def test_retention_drops_a_sealed_month_past_it_and_keeps_the_rest(
    chiropractor_client, patient, time_machine, settings
):
    sealed_month, unsealed_month = Month(2019, 3), Month(2019, 4)
    make_trail(chiropractor_client, patient, time_machine, month=sealed_month, seal=True)
    make_trail(chiropractor_client, patient, time_machine, month=unsealed_month, seal=False)
    time_machine.move_to(datetime.datetime(2026, 12, 4, tzinfo=UTC), tick=False)
    settings.AUDIT_RETENTION_MONTHS = 72  # kept from 2020-12-01

    dropped = drop_expired_partitions()
    sealing.seal_all()  # the late month is sealed now: after the horizon, so it stays
    dropped_again = drop_expired_partitions()

    assert dropped == [sealed_month.name]
    assert dropped_again == []
    assert sealed_month.name not in partitions()
    assert unsealed_month.name in partitions()
    assert AuditSeal.objects.filter(clinic_id=patient.clinic_id).count() == 2
    assert list(
        AuditEvent.objects.filter(clinic_id=patient.clinic_id).values_list("seq", flat=True)
    ) == [3, 4]
    assert findings_of(patient.clinic) == []


@pytest.mark.django_db
def test_without_retention_nothing_is_dropped(chiropractor_client, patient, time_machine):
    make_trail(chiropractor_client, patient, time_machine, month=Month(2019, 3), seal=True)
    time_machine.move_to(datetime.datetime(2026, 12, 4, tzinfo=UTC), tick=False)

    assert drop_expired_partitions() == []
    assert findings_of(patient.clinic) == []
    assert AuditEvent.objects.filter(clinic_id=patient.clinic_id).count() == 2


@pytest.mark.django_db
def test_a_month_dropped_within_retention_is_reported(
    chiropractor_client, patient, time_machine, settings
):
    make_trail(chiropractor_client, patient, time_machine, month=Month(2024, 3), seal=True)
    time_machine.move_to(datetime.datetime(2026, 12, 4, tzinfo=UTC), tick=False)
    settings.AUDIT_RETENTION_MONTHS = 72

    assert drop_expired_partitions() == []
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE audit_auditevent_y2024m03")  # the owner, around retention

    assert findings_of(patient.clinic) == [
        f"clinic {patient.clinic_id}, seal 1: it seals 2 events; 0 are in the database"
    ]


@pytest.mark.django_db
def test_a_retention_under_six_years_must_be_meant(settings):
    settings.AUDIT_RETENTION_MONTHS = 24

    with pytest.raises(ImproperlyConfigured, match="six years"):
        drop_expired_partitions()

    settings.AUDIT_RETENTION_BELOW_HIPAA = True
    assert drop_expired_partitions() == []
