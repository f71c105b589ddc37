"""Break-glass: the front desk opens one patient's clinical record in an emergency, with a
reason, for a limited time; every read under the grant is audited, admins list the grants,
and the grant opens nothing else (other patients, writes, after expiry or once ended)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import BreakGlassGrant
from audit.models import AuditEvent
from tests.conftest import client_for
from tests.factories import PatientFactory

REASON = "Patient collapsed at reception; paramedics ask for the diagnoses."


def open_grant(client, patient_id, **extra):
    return client.post(
        "/api/v1/break-glass/", {"patient": str(patient_id), "reason": REASON, **extra}
    )


@pytest.mark.django_db
def test_a_grant_opens_one_patients_conditions_read_only_and_every_read_is_audited(
    front_desk, patient, neck_pain, clinic
):
    desk = client_for(front_desk)
    conditions = f"/api/v1/patients/{patient.id}/conditions/"
    assert desk.get(conditions).status_code == 403
    assert "active_conditions" not in desk.get(f"/api/v1/patients/{patient.id}/").json()

    granted = open_grant(desk, patient.id)
    assert granted.status_code == 201, granted.json()
    grant = granted.json()
    assert grant["active"] is True and grant["reason"] == REASON
    assert grant["user"]["id"] == str(front_desk.id)
    lasts = (
        BreakGlassGrant.objects.get(pk=grant["id"]).expires_at
        - BreakGlassGrant.objects.get(pk=grant["id"]).granted_at
    )
    assert lasts == timedelta(hours=1)

    listed = desk.get(conditions)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [str(neck_pain.id)]
    chart = desk.get(f"/api/v1/patients/{patient.id}/")
    assert [row["code"] for row in chart.json()["active_conditions"]] == [neck_pain.code]
    # Reading only.
    assert desk.post(conditions, {"code": "M54.2"}).status_code == 403

    # Another patient stays closed.
    other = PatientFactory(clinic=clinic)
    assert desk.get(f"/api/v1/patients/{other.id}/conditions/").status_code == 403

    opened = AuditEvent.objects.get(action="break_glass")
    assert opened.resource_type == "break_glass_grant"
    assert opened.patient_ids == [patient.id] and opened.object_ids == [grant["id"]]
    reads = AuditEvent.objects.filter(action="break_glass_read", user_id=front_desk.id)
    assert reads.count() == 2
    assert {event.resource_type for event in reads} == {"condition", "patient"}
    assert all(event.patient_ids == [patient.id] for event in reads)


@pytest.mark.django_db
def test_an_expired_or_ended_grant_opens_nothing(front_desk, clinic_admin, patient, neck_pain):
    desk = client_for(front_desk)
    conditions = f"/api/v1/patients/{patient.id}/conditions/"
    grant = open_grant(desk, patient.id, minutes=5).json()
    assert desk.get(conditions).status_code == 200

    BreakGlassGrant.objects.filter(pk=grant["id"]).update(
        granted_at=timezone.now() - timedelta(minutes=10),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert desk.get(conditions).status_code == 403

    second = open_grant(desk, patient.id).json()
    assert desk.get(conditions).status_code == 200
    ended = client_for(clinic_admin).post(f"/api/v1/break-glass/{second['id']}/end/")
    assert ended.status_code == 200 and ended.json()["active"] is False
    assert desk.get(conditions).status_code == 403
    again = desk.post(f"/api/v1/break-glass/{second['id']}/end/")
    assert again.status_code == 409
    assert AuditEvent.objects.filter(action="break_glass_end", user_id=clinic_admin.id).exists()


@pytest.mark.django_db
def test_admins_list_every_grant_others_their_own(
    front_desk, clinic_admin, chiropractor, patient, other_admin
):
    grant = open_grant(client_for(front_desk), patient.id).json()

    admin_list = client_for(clinic_admin).get("/api/v1/break-glass/", {"active": "true"})
    assert [row["id"] for row in admin_list.json()["results"]] == [grant["id"]]
    assert (
        client_for(clinic_admin).get("/api/v1/break-glass/", {"active": "false"}).json()["results"]
        == []
    )
    assert client_for(chiropractor).get("/api/v1/break-glass/").json()["results"] == []
    assert client_for(other_admin).get("/api/v1/break-glass/").json()["results"] == []
    assert client_for(other_admin).get(f"/api/v1/break-glass/{grant['id']}/").status_code == 404


@pytest.mark.django_db
def test_bad_grants_are_refused_with_the_field_and_reason(
    front_desk, chiropractor, patient, other_admin
):
    desk = client_for(front_desk)
    short = desk.post("/api/v1/break-glass/", {"patient": str(patient.id), "reason": "need"})
    assert short.status_code == 400 and short.json()["errors"][0]["attr"] == "reason"
    too_long = open_grant(desk, patient.id, minutes=24 * 60)
    assert too_long.status_code == 400 and too_long.json()["errors"][0]["attr"] == "minutes"
    elsewhere = PatientFactory(clinic=other_admin.clinic)
    foreign = open_grant(desk, elsewhere.id)
    assert foreign.status_code == 400 and foreign.json()["errors"][0]["attr"] == "patient"
    # A chiropractor reads clinical records already.
    assert open_grant(client_for(chiropractor), patient.id).status_code == 403
    assert BreakGlassGrant.objects.count() == 0


@pytest.mark.django_db
def test_the_grant_list_costs_the_same_queries_for_5_and_50_grants(clinic_admin, clinic):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    admin = client_for(clinic_admin)

    def add(count: int) -> None:
        now = timezone.now()
        for _ in range(count):
            BreakGlassGrant.objects.create(
                clinic=clinic,
                user=UserFactory(clinic=clinic, role="front_desk"),
                patient=PatientFactory(clinic=clinic),
                reason=REASON,
                granted_at=now,
                expires_at=now + timedelta(hours=1),
            )

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = admin.get("/api/v1/break-glass/", {"page_size": 100})
            executed = len(queries)
        assert response.status_code == 200
        return executed

    add(5)
    with_five = count_queries()
    add(45)
    assert count_queries() == with_five
