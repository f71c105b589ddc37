"""The audit trail's lists stay cheap: flat query counts, and an index for every filter."""

import datetime
import random
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.partitions import Month, create_partition
from tests.query_plans import unindexed

EVENTS = "/api/v1/audit-events/"
ROWS = 4000


def count_queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_trail_costs_the_same_queries_for_5_and_50_events(
    clinic_admin_client, chiropractor_client, patient
):
    def read(times: int) -> None:
        for _ in range(times):
            chiropractor_client.get(f"/api/v1/patients/{patient.id}/")

    read(5)
    few = count_queries(clinic_admin_client, EVENTS, {"page_size": 100})
    few_log = count_queries(
        clinic_admin_client, f"/api/v1/patients/{patient.id}/access-log/", {"page_size": 100}
    )
    read(45)

    assert count_queries(clinic_admin_client, EVENTS, {"page_size": 100}) == few
    assert (
        count_queries(
            clinic_admin_client, f"/api/v1/patients/{patient.id}/access-log/", {"page_size": 100}
        )
        == few_log
    )


@pytest.fixture
def realistic_trail(clinic, clinic_admin):
    """Thousands of events over a year, of many clinics, users and patients, analysed: the
    caller's clinic holds half of them (a busy one), a hundred others the rest. Each month in
    its partition: the plans read per-partition indexes, counted as the table's."""
    rng = random.Random(11)
    others = [uuid.uuid4() for _ in range(100)]  # the trail keeps clinic ids, not rows
    users = [clinic_admin.id, *(uuid.uuid4() for _ in range(7))]
    patients = [uuid.uuid4() for _ in range(400)]
    common = ["read", "list", "search", "update", "create"]
    start = datetime.datetime(2025, 12, 1, tzinfo=datetime.UTC)
    for n in range(12):  # a partition a month, as audit_partitions keeps them
        assert create_partition(Month.of(start).plus(n))
    rows = [
        (
            clinic.id if n % 2 else others[n % 100],
            start + datetime.timedelta(minutes=n * 130),  # ids and times grow together
            users[rng.randrange(8)],
            "export" if rng.random() < 0.01 else rng.choice(common),
            "visit_coding"
            if rng.random() < 0.01
            else rng.choice(["patient", "visit", "condition"]),
            [rng.choice(patients)],
            uuid.uuid4(),
        )
        for n in range(ROWS)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            # Index plans only: these events are not HMAC'd (verify_audit is tested elsewhere).
            "SELECT audit_append(%s, %s, %s, 'someone', 'chiropractor', '10.0.0.1',"
            " 'ua', %s, 'GET', '/api/v1/x/', %s, %s, ARRAY[]::text[], %s, 200, ARRAY[]::text[],"
            " '')",
            [(c, t, u, r, a, res, p) for c, t, u, a, res, p, r in rows],
        )
        cursor.execute("ANALYZE audit_auditevent")
    return {"user": users[3], "patient": patients[5], "request": rows[8][6]}


def test_every_trail_filter_and_ordering_uses_its_index(clinic_admin_client, realistic_trail):
    queries = [
        # Newest first: the clinic's index, or the ids' when the clinic is most of the trail.
        ({}, {"audit_event_clinic_idx", "audit_auditevent_pkey"}),
        ({"ordering": "occurred_at"}, {"audit_event_clinic_idx", "audit_auditevent_pkey"}),
        # A filter matching a good share of a busy clinic's events may walk the ids, newest
        # first, until the page is full: as bounded, and the planner's choice.
        ({"user": str(realistic_trail["user"])}, {"audit_event_user_idx", "audit_auditevent_pkey"}),
        ({"action": "export"}, {"audit_event_action_idx"}),
        ({"resource_type": "visit_coding"}, {"audit_event_resource_idx"}),
        ({"patient": str(realistic_trail["patient"])}, {"audit_event_patients_idx"}),
        ({"request_id": str(realistic_trail["request"])}, {"audit_event_request_idx"}),
        (
            {"occurred_after": "2026-01-01T00:00:00Z", "occurred_before": "2026-01-02T00:00:00Z"},
            {"audit_event_time_idx"},
        ),
    ]

    assert unindexed(clinic_admin_client, EVENTS, "audit_auditevent", queries) == []
