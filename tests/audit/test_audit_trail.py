"""The audit trail: what an event holds, who may read it, and that nobody can rewrite it."""

import csv
import io

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from tests.api.test_row_security import as_api_role, refused
from tests.factories import PatientFactory

EVENTS = "/api/v1/audit-events/"


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-id").first()


@pytest.mark.django_db
def test_a_list_of_patients_is_one_event_naming_every_patient_on_the_page(
    clinic, front_desk_client
):
    patients = PatientFactory.create_batch(50, clinic=clinic)

    response = front_desk_client.get("/api/v1/patients/", {"page_size": 50})

    assert response.status_code == 200
    event = last_event()
    assert (event.action, event.resource_type, event.status_code) == ("list", "patient", 200)
    assert sorted(event.patient_ids) == sorted(p.id for p in patients)
    assert AuditEvent.objects.filter(request_id=response["X-Request-ID"]).count() == 1


@pytest.mark.django_db
def test_a_search_is_recorded_as_a_search(front_desk_client, patient):
    front_desk_client.get("/api/v1/patients/", {"name": "Mar"})

    assert last_event().action == "search"


@pytest.mark.django_db
def test_a_change_names_the_fields_it_changed_never_their_values(chiropractor_client, patient):
    response = chiropractor_client.patch(
        f"/api/v1/patients/{patient.id}/",
        {"occupation": "Roofer", "phone": "+1 617 555 0188", "given_name": patient.given_name},
    )

    assert response.status_code == 200
    event = last_event()
    assert (event.action, event.changed_fields) == ("update", ["occupation", "phone"])
    assert "Roofer" not in str(AuditEvent.objects.filter(pk=event.pk).values().get())


@pytest.mark.django_db
def test_signing_a_visit_names_what_signing_changed(chiropractor_client, patient):
    visit = chiropractor_client.post(
        "/api/v1/visits/",
        {"patient": str(patient.id), "visit_at": "2026-11-20T10:00:00Z", "subjective": "Better."},
    ).json()

    chiropractor_client.post(f"/api/v1/visits/{visit['id']}/sign/")

    event = last_event()
    assert event.action == "sign"
    assert {"status", "signed_at", "signed_by"} <= set(event.changed_fields)
    assert event.patient_ids == [patient.id]


@pytest.mark.django_db
def test_a_refused_write_is_recorded_and_changes_nothing(front_desk_client, patient):
    response = front_desk_client.post(
        f"/api/v1/patients/{patient.id}/conditions/", {"code": "M54.2", "body_region": "cervical"}
    )

    assert response.status_code == 403
    event = last_event()
    assert (event.action, event.resource_type, event.status_code) == ("create", "condition", 403)
    assert event.patient_ids == [patient.id]
    assert not patient.conditions.exists()


@pytest.mark.django_db
def test_login_logout_and_failed_logins_are_recorded(anonymous_client, chiropractor):
    anonymous_client.post("/api/v1/auth/login", {"username": "dr.palmer", "password": "wrong"})
    failed = last_event()
    anonymous_client.post("/api/v1/auth/login", {"username": "nobody", "password": "wrong"})
    unknown = last_event()
    token = anonymous_client.post(
        "/api/v1/auth/login", {"username": "dr.palmer", "password": "a-long-test-password-42"}
    ).json()["token"]
    login = last_event()
    anonymous_client.post("/api/v1/auth/logout", HTTP_AUTHORIZATION=f"Bearer {token}")
    logout = last_event()

    assert (failed.action, failed.username, failed.clinic_id, failed.user_id) == (
        "login_failed",
        "dr.palmer",
        chiropractor.clinic_id,
        None,
    )
    assert (unknown.action, unknown.clinic_id) == ("login_failed", None)
    assert (login.action, login.user_id, login.status_code) == ("login", chiropractor.id, 200)
    assert (logout.action, logout.user_id) == ("logout", chiropractor.id)


@pytest.mark.django_db
def test_role_changes_and_deactivations_are_recorded(clinic_admin_client, front_desk):
    clinic_admin_client.patch(f"/api/v1/staff/{front_desk.id}/", {"role": "chiropractor"})
    role_change = last_event()
    clinic_admin_client.post(f"/api/v1/staff/{front_desk.id}/deactivate/")
    deactivation = last_event()

    assert (role_change.action, role_change.changed_fields) == ("role_change", ["role"])
    assert (deactivation.action, deactivation.object_ids) == ("deactivate", [str(front_desk.id)])


@pytest.mark.django_db
def test_only_clinic_admins_read_the_trail_of_their_own_clinic(
    clinic_admin_client, chiropractor_client, other_admin_client, patient
):
    chiropractor_client.get(f"/api/v1/patients/{patient.id}/")
    other_admin_client.get("/api/v1/patients/")

    ours = clinic_admin_client.get(EVENTS, {"patient": str(patient.id)}).json()["results"]
    denied = chiropractor_client.get(EVENTS)

    assert [(e["username"], e["action"]) for e in ours] == [("dr.palmer", "read")]
    assert denied.status_code == 403
    theirs = other_admin_client.get(EVENTS).json()["results"]
    assert {e["username"] for e in theirs} == {"admin.other"}


@pytest.mark.django_db
def test_the_trail_filters_by_user_action_resource_and_time(
    clinic_admin_client, chiropractor_client, chiropractor, patient
):
    chiropractor_client.get(f"/api/v1/patients/{patient.id}/")
    chiropractor_client.patch(f"/api/v1/patients/{patient.id}/", {"occupation": "Welder"})
    now = AuditEvent.objects.order_by("-id").first().occurred_at

    by_user = clinic_admin_client.get(EVENTS, {"user": str(chiropractor.id)}).json()["results"]
    updates = clinic_admin_client.get(EVENTS, {"action": "update"}).json()["results"]
    patients = clinic_admin_client.get(EVENTS, {"resource_type": "patient"}).json()["results"]
    later = clinic_admin_client.get(EVENTS, {"occurred_after": now.isoformat()}).json()["results"]
    bad = clinic_admin_client.get(EVENTS, {"action": "erase"})

    assert [e["action"] for e in by_user] == ["update", "read"]
    assert [e["changed_fields"] for e in updates] == [["occupation"]]
    assert len(patients) == 2
    assert all(e["occurred_at"] >= now.isoformat().replace("+00:00", "Z") for e in later)
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "action"


@pytest.mark.django_db
def test_the_trail_exports_as_csv_and_the_export_is_recorded(
    clinic_admin_client, chiropractor_client, patient
):
    chiropractor_client.get(f"/api/v1/patients/{patient.id}/")

    response = clinic_admin_client.get(f"{EVENTS}export/", HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["username"], r["action"], r["patient_ids"]) for r in rows] == [
        ("dr.palmer", "read", str(patient.id))
    ]
    assert last_event().action == "export"


@pytest.mark.django_db
def test_a_patients_access_log_is_for_clinicians(
    chiropractor_client, front_desk_client, clinic_admin_client, other_admin_client, patient
):
    front_desk_client.get(f"/api/v1/patients/{patient.id}/")
    chiropractor_client.get(f"/api/v1/patients/{patient.id}/history/")

    log = clinic_admin_client.get(f"/api/v1/patients/{patient.id}/access-log/").json()["results"]

    assert [(e["username"], e["resource_type"]) for e in log] == [
        ("dr.palmer", "patient_history"),
        ("desk.jane", "patient"),
    ]
    assert front_desk_client.get(f"/api/v1/patients/{patient.id}/access-log/").status_code == 403
    assert other_admin_client.get(f"/api/v1/patients/{patient.id}/access-log/").status_code == 404


@pytest.mark.django_db
def test_the_api_role_cannot_rewrite_or_forge_the_trail(chiropractor_client, patient):
    chiropractor_client.get(f"/api/v1/patients/{patient.id}/")
    event = last_event()

    with as_api_role(patient.clinic_id) as cursor:
        attempts = {
            "update": f"UPDATE audit_auditevent SET action = 'list' WHERE id = {event.id}",
            "delete": f"DELETE FROM audit_auditevent WHERE id = {event.id}",
            "truncate": "TRUNCATE audit_auditevent",
            "insert": "INSERT INTO audit_auditevent (method) VALUES ('GET')",
            "checkpoints": "SELECT * FROM audit_auditcheckpoint",
            "seal": "INSERT INTO audit_auditseal (number) VALUES (1)",
        }
        refusals = {name: refused(cursor, sql) for name, sql in attempts.items()}
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        visible = cursor.fetchone()[0]

    assert refusals == dict.fromkeys(attempts, True)
    assert visible == 1


@pytest.mark.django_db
def test_even_the_owner_cannot_update_or_delete_an_event(chiropractor_client, patient):
    chiropractor_client.get(f"/api/v1/patients/{patient.id}/")
    event = last_event()

    with connection.cursor() as cursor:
        for statement in (
            f"UPDATE audit_auditevent SET action = 'list' WHERE id = {event.id}",
            f"DELETE FROM audit_auditevent WHERE id = {event.id}",
            "TRUNCATE audit_auditevent",
        ):
            with pytest.raises(DatabaseError), transaction.atomic():
                cursor.execute(statement)


@pytest.mark.django_db
def test_no_event_no_change(chiropractor_client, patient):
    """A write whose audit event cannot be written is not committed either."""
    with connection.cursor() as cursor:
        cursor.execute(
            "REVOKE EXECUTE ON FUNCTION audit_append(uuid, timestamptz, uuid, text, text, inet, "
            "text, uuid, text, text, text, text, text[], uuid[], integer, text[], text) "
            f"FROM {settings.DATABASE_APP_ROLE}"
        )

    with pytest.raises(DatabaseError):
        chiropractor_client.patch(f"/api/v1/patients/{patient.id}/", {"occupation": "Roofer"})

    patient.refresh_from_db()
    assert patient.occupation == ""
    assert not AuditEvent.objects.exists()


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.parametrize(("reads_synchronous", "after_read"), [(True, "on"), (False, "off")])
def test_a_reads_commit_waits_for_its_wal_flush_unless_told_not_to(
    chiropractor_client, patient, settings, reads_synchronous, after_read
):
    """The test's transaction encloses the request's, so what the read's commit was told
    to do is still set after it."""
    settings.AUDIT_READS_SYNCHRONOUS = reads_synchronous

    assert chiropractor_client.get(f"/api/v1/patients/{patient.id}/").status_code == 200

    assert synchronous_commit() == after_read


@pytest.mark.django_db
def test_a_writes_commit_always_waits_for_its_wal_flush(chiropractor_client, patient, settings):
    settings.AUDIT_READS_SYNCHRONOUS = False

    response = chiropractor_client.patch(
        f"/api/v1/patients/{patient.id}/", {"occupation": "Roofer"}
    )

    assert response.status_code == 200
    assert synchronous_commit() == "on"
