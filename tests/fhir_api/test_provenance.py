"""FHIR Provenance: a visit's signature (`signature-<visit id>`) and each amendment of it, read
and searched over HTTP from two tables, scoped, audited, US Core conformant."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.roles import Role
from audit.models import AuditEvent
from fhir_api.resources.provenance import PROVENANCE
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.fhir_api.conformance import assert_conforms, assert_valid_fhir
from tests.fhir_api.conftest import amend, log_visit, sign

pytestmark = pytest.mark.django_db


def ids(client, query) -> list[str]:
    response = client.get("/fhir/R4/Provenance", query)
    assert response.status_code == 200, response.json()
    bundle = response.json()
    assert_valid_fhir(bundle)
    for entry in bundle.get("entry", []):
        assert_conforms(entry["resource"], PROVENANCE)
    return sorted(entry["resource"]["id"] for entry in bundle.get("entry", []))


def test_a_signature_names_its_signer_time_and_what_was_signed(
    chiropractor_client, chiropractor, signed_visit
):
    response = chiropractor_client.get(f"/fhir/R4/Provenance/signature-{signed_visit['id']}")

    assert response.status_code == 200
    provenance = response.json()
    assert_conforms(provenance, PROVENANCE)
    assert provenance["id"] == f"signature-{signed_visit['id']}"
    performed = [
        f"Procedure/{item['id']}"
        for kind in ("adjustments", "soft_tissue", "exercises")
        for item in signed_visit[kind]
    ]
    assert [t["reference"] for t in provenance["target"]] == [
        f"Encounter/{signed_visit['id']}",
        *performed,
    ]
    assert provenance["recorded"][:19] == signed_visit["signed_at"][:19]
    assert provenance["activity"]["coding"][0]["code"] == "LA"
    author = provenance["agent"][0]
    assert author["type"]["coding"][0]["code"] == "author"
    assert author["who"] == {"reference": f"Practitioner/{chiropractor.id}"}
    assert author["onBehalfOf"] == {"reference": f"Organization/{chiropractor.clinic_id}"}
    assert provenance["signature"][0]["who"] == author["who"]


def test_an_amendment_names_its_author_time_and_reason(chiropractor_client, clinic, signed_visit):
    colleague = UserFactory(clinic=clinic, role=Role.CHIROPRACTOR)
    amendment = amend(client_for(colleague), signed_visit)

    provenance = chiropractor_client.get(f"/fhir/R4/Provenance/{amendment['id']}").json()

    assert_conforms(provenance, PROVENANCE)
    assert provenance["target"] == [{"reference": f"Encounter/{signed_visit['id']}"}]
    assert provenance["recorded"][:19] == amendment["created_at"][:19]
    assert provenance["activity"]["coding"][0]["code"] == "UPDATE"
    assert provenance["activity"]["text"] == "Amended (objective)"
    assert provenance["reason"] == [{"text": "Finding left out of the note."}]
    assert provenance["agent"][0]["who"] == {"reference": f"Practitioner/{colleague.id}"}


def test_ids_of_neither_table_are_not_found(chiropractor_client, signed_visit, draft_visit):
    for wrong in (
        signed_visit["id"],  # a visit is not its signature
        f"signature-{draft_visit['id']}",  # a draft has none
        "signature-not-a-uuid",
        "signature-",
    ):
        response = chiropractor_client.get(f"/fhir/R4/Provenance/{wrong}")
        assert response.status_code == 404, wrong
        assert response.json()["issue"][0]["code"] == "not-found"


def test_search_by_target_patient_and_id(chiropractor_client, signed_visit, amendment, active_plan):
    other = sign(chiropractor_client, log_visit(chiropractor_client, active_plan))
    signature = f"signature-{signed_visit['id']}"
    mine = sorted([signature, amendment["id"]])

    assert ids(chiropractor_client, {"target": f"Encounter/{signed_visit['id']}"}) == mine
    assert ids(chiropractor_client, {"target": signed_visit["id"]}) == mine
    item = signed_visit["exercises"][0]["id"]
    assert ids(chiropractor_client, {"target": f"Procedure/{item}"}) == [signature]
    assert ids(chiropractor_client, {"target": f"Patient/{signed_visit['patient']}"}) == []
    assert ids(chiropractor_client, {"patient": signed_visit["patient"]}) == sorted(
        [*mine, f"signature-{other['id']}"]
    )
    assert ids(chiropractor_client, {"_id": signature}) == [signature]
    assert ids(chiropractor_client, {"_id": f"{amendment['id']},{signature}"}) == mine
    assert ids(chiropractor_client, {"_id": signed_visit["id"]}) == []


def test_a_page_costs_the_same_statements_whatever_its_size(
    chiropractor_client, signed_visit, active_plan
):
    amend(chiropractor_client, signed_visit)
    with CaptureQueriesContext(connection) as one:
        assert len(chiropractor_client.get("/fhir/R4/Provenance").json()["entry"]) == 2
    for _ in range(3):
        visit = sign(chiropractor_client, log_visit(chiropractor_client, active_plan))
        amend(chiropractor_client, visit)
    with CaptureQueriesContext(connection) as many:
        assert len(chiropractor_client.get("/fhir/R4/Provenance").json()["entry"]) == 8

    assert len(many) == len(one)


def test_the_front_desk_reads_no_provenance(front_desk_client, signed_visit):
    signature = f"/fhir/R4/Provenance/signature-{signed_visit['id']}"

    assert front_desk_client.get(signature).status_code == 403
    assert front_desk_client.get("/fhir/R4/Provenance").status_code == 403


def test_another_clinics_provenance_is_not_found(other_admin_client, signed_visit, amendment):
    for id_ in (f"signature-{signed_visit['id']}", amendment["id"]):
        assert other_admin_client.get(f"/fhir/R4/Provenance/{id_}").status_code == 404
    assert "entry" not in other_admin_client.get("/fhir/R4/Provenance").json()


def test_each_read_and_search_leaves_one_audit_event_naming_the_provenance(
    chiropractor_client, signed_visit, amendment
):
    signature = f"signature-{signed_visit['id']}"
    before = AuditEvent.objects.count()
    chiropractor_client.get(f"/fhir/R4/Provenance/{signature}")
    chiropractor_client.get("/fhir/R4/Provenance", {"target": f"Encounter/{signed_visit['id']}"})

    read, found = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.object_ids) == (
        "read",
        "visit_provenance",
        [signature],
    )
    assert [str(p) for p in read.patient_ids] == [signed_visit["patient"]]
    assert found.action == "search"
    assert sorted(found.object_ids) == sorted([signature, amendment["id"]])
    assert [str(p) for p in found.patient_ids] == [signed_visit["patient"]]
