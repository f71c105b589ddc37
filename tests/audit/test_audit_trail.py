"""The audit trail: what an event holds, who may read it, and that nobody can rewrite it."""

import csv
import io
import threading

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.integrity import first_break
from audit.models import AuditEvent
from tests.api.test_row_security import as_api_role, refused
from tests.conftest import FLUSHABLE_APPS, client_for
from tests.factories import PatientFactory, UserFactory

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
            "chain head": "SELECT * FROM audit_chainhead",
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


def tamper(statement: str) -> None:
    """What an attacker with the owner's password could still do: switch the trigger off."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(statement)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


@pytest.mark.django_db
def test_verify_audit_names_the_first_altered_event(chiropractor_client, patient, capsys):
    for _ in range(4):
        chiropractor_client.get(f"/api/v1/patients/{patient.id}/")
    events = list(AuditEvent.objects.order_by("id"))
    call_command("verify_audit")
    assert "Audit trail intact" in capsys.readouterr().out

    tamper(f"UPDATE audit_auditevent SET username = 'someone.else' WHERE id = {events[2].id}")

    with pytest.raises(CommandError, match=f"event {events[2].id} .*content no longer matches"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_an_event_the_owner_inserts_is_caught_by_its_hmac(chiropractor_client, patient, capsys):
    """The chain trigger numbers and hashes any INSERT, the owner's too, so the chain holds;
    only the HMAC, under a key the database does not hold, tells the forgery apart."""
    chiropractor_client.get(f"/api/v1/patients/{patient.id}/")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (clinic_id, seq, occurred_at, username, role, user_agent,"
            " method, path, action, resource_type, object_ids, patient_ids, status_code,"
            " changed_fields, prev_hash, hash, hmac) VALUES (%s, 0, now(), 'dr.nobody',"
            " 'chiropractor', '', 'GET', '/api/v1/patients/', 'list', 'patient', '{}', '{}', 200,"
            " '{}', '', '', %s)",
            [patient.clinic_id, "0" * 64],
        )
    forged = AuditEvent.objects.latest("id")

    assert first_break() is None  # the chain alone vouches for it
    with pytest.raises(CommandError, match=f"event {forged.id} .*does not match its HMAC"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_an_edit_with_its_chain_rewritten_is_caught_by_its_hmac(chiropractor_client, patient):
    for _ in range(3):
        chiropractor_client.get(f"/api/v1/patients/{patient.id}/")
    events = list(AuditEvent.objects.order_by("id"))
    call_command("verify_audit")

    # Whoever can write the database can recompute every hash after the one they changed.
    tamper(f"UPDATE audit_auditevent SET patient_ids = '{{}}' WHERE id = {events[1].id}")
    for event in events[1:]:
        tamper(
            "UPDATE audit_auditevent e SET prev_hash = coalesce((SELECT p.hash FROM"
            " audit_auditevent p WHERE p.clinic_id = e.clinic_id AND p.seq = e.seq - 1),"
            f" repeat('0', 64)) WHERE id = {event.id}"
        )
        tamper(f"UPDATE audit_auditevent e SET hash = audit_event_digest(e) WHERE id = {event.id}")
    tamper(
        "UPDATE audit_chainhead h SET hash = (SELECT e.hash FROM audit_auditevent e"
        f" WHERE e.id = {events[-1].id}) WHERE chain_key = '{patient.clinic_id}'"
    )

    assert first_break() is None
    with pytest.raises(CommandError, match=f"event {events[1].id} .*does not match its HMAC"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_verify_audit_notices_a_deleted_event_and_a_cut_tail(chiropractor_client, patient):
    for _ in range(4):
        chiropractor_client.get(f"/api/v1/patients/{patient.id}/")
    events = list(AuditEvent.objects.order_by("id"))

    tamper(f"DELETE FROM audit_auditevent WHERE id = {events[1].id}")
    broken = first_break()
    assert (broken.event_id, broken.reason) == (events[2].id, "events before it are missing")

    tamper(f"DELETE FROM audit_auditevent WHERE id >= {events[1].id}")
    broken = first_break()
    assert (broken.event_id, broken.seq) == (None, 4)


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_concurrent_requests_of_one_clinic_keep_one_unbroken_chain(clinic):
    patient = PatientFactory(clinic=clinic)
    users = [UserFactory(clinic=clinic) for _ in range(4)]
    before = AuditEvent.objects.filter(clinic_id=clinic.id).count()
    errors = []

    def read_many(user) -> None:
        try:
            client = client_for(user)
            for _ in range(5):
                assert client.get(f"/api/v1/patients/{patient.id}/").status_code == 200
        except Exception as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read_many, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = list(
        AuditEvent.objects.filter(clinic_id=clinic.id).order_by("seq").values_list("seq", flat=True)
    )
    assert seqs == list(range(1, before + 21))
    assert first_break() is None


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
