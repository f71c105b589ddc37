"""The seals, an event's proof and the public key over HTTP; a proof checks offline with the
auditor's script, and fails when any byte of it is changed."""

import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import sealing
from audit.models import AuditEvent

VERIFIER = str(settings.BASE_DIR / "docs" / "verify_audit_proof.py")


def read_patient(client, patient, times: int = 1) -> list[int]:
    for _ in range(times):
        assert client.get(f"/api/v1/patients/{patient.id}/").status_code == 200
    return list(
        AuditEvent.objects.filter(clinic_id=patient.clinic_id)
        .order_by("-id")
        .values_list("id", flat=True)[:times]
    )


def check_offline(tmp_path, proof: dict, pem: str) -> subprocess.CompletedProcess:
    (tmp_path / "proof.json").write_text(json.dumps(proof))
    (tmp_path / "key.pem").write_text(pem)
    return subprocess.run(
        [sys.executable, VERIFIER, str(tmp_path / "proof.json"), str(tmp_path / "key.pem")],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.django_db
def test_an_unsealed_event_answers_409_with_retry_after(
    clinic_admin_client, chiropractor_client, patient
):
    [event_id] = read_patient(chiropractor_client, patient)

    response = clinic_admin_client.get(f"/api/v1/audit-events/{event_id}/proof/")

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "audit_event_unsealed"
    assert int(response["Retry-After"]) >= 1


@pytest.mark.django_db
def test_a_sealed_events_proof_verifies_offline_and_a_changed_byte_does_not(
    clinic_admin_client, chiropractor_client, patient, tmp_path
):
    event_ids = read_patient(chiropractor_client, patient, 5)
    sealing.seal_all()
    key = clinic_admin_client.get("/api/v1/audit-seals/public-key/").json()

    proof = clinic_admin_client.get(f"/api/v1/audit-events/{event_ids[2]}/proof/").json()
    checked = check_offline(tmp_path, proof, key["public_key_pem"])

    assert checked.returncode == 0, checked.stderr
    assert f"Event {event_ids[2]}" in checked.stdout
    assert proof["seal"]["tree_size"] == 5
    assert proof["event"]["path"] == f"/api/v1/patients/{patient.id}/"

    proof["event"]["username"] = "someone.else"
    assert check_offline(tmp_path, proof, key["public_key_pem"]).returncode == 1


@pytest.mark.django_db
def test_proofs_and_seals_are_the_clinic_admins_own(
    clinic_admin_client,
    chiropractor_client,
    front_desk_client,
    other_admin_client,
    patient,
):
    [event_id] = read_patient(chiropractor_client, patient)
    sealing.seal_all()

    assert other_admin_client.get(f"/api/v1/audit-events/{event_id}/proof/").status_code == 404
    assert chiropractor_client.get(f"/api/v1/audit-events/{event_id}/proof/").status_code == 403
    assert front_desk_client.get("/api/v1/audit-seals/").status_code == 403
    assert other_admin_client.get("/api/v1/audit-seals/").json()["results"] == []
    seals = clinic_admin_client.get("/api/v1/audit-seals/").json()["results"]
    assert [seal["number"] for seal in seals] == [1]
    assert seals[0]["clinic_id"] == str(patient.clinic_id)


@pytest.mark.django_db
def test_the_public_key_needs_no_token_and_leaves_no_event(client, chiropractor_client, patient):
    before = AuditEvent.objects.count()

    key = client.get("/api/v1/audit-seals/public-key/").json()

    assert key["algorithm"] == "Ed25519"
    assert key["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_the_seal_list_costs_the_same_queries_for_2_and_20_seals(
    clinic_admin_client, chiropractor_client, patient
):
    def seals_query_count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert clinic_admin_client.get("/api/v1/audit-seals/").status_code == 200
        return len(queries)

    for _ in range(2):
        read_patient(chiropractor_client, patient)
        sealing.seal_all()
    few = seals_query_count()
    for _ in range(18):
        read_patient(chiropractor_client, patient)
        sealing.seal_all()

    assert seals_query_count() == few
