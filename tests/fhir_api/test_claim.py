"""FHIR Claim: a signed visit's claim data (billing's CMS-1500 data) over HTTP, every role,
scoped, audited, valid FHIR R4; an unsigned visit has none."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from fhir_api.resources.claim import CLAIM
from fhir_api.systems import CPT, HCPCS, ICD_10_CM
from tests.billing.conftest import MEDICARE, log_visit
from tests.factories import ConditionFactory, PatientFactory
from tests.fhir_api.conformance import assert_conforms
from tests.fhir_api.conftest import clinic_day

pytestmark = pytest.mark.django_db

CLAIMS = "/fhir/R4/Claim"


@pytest.fixture
def medicare(front_desk_client, patient) -> dict:
    response = front_desk_client.post(
        "/api/v1/coverages/", {**MEDICARE, "patient": str(patient.id)}
    )
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def fees(clinic_admin_client) -> None:
    for cpt, modifier, charge in [("98940", "", "55.00"), ("97124", "59", "38.00")]:
        response = clinic_admin_client.post(
            "/api/v1/fee-schedule/",
            {"cpt": cpt, "modifier": modifier, "charge": charge, "effective_from": "2026-01-01"},
        )
        assert response.status_code == 201, response.json()


@pytest.fixture
def npis(clinic, chiropractor) -> None:
    chiropractor.npi = "1234567893"
    chiropractor.save()
    clinic.npi, clinic.tax_id = "1245319599", "12-3456789"
    clinic.save()


@pytest.fixture
def plan(chiropractor_client, full_plan, patient, chiropractor) -> dict:
    back = ConditionFactory(
        patient=patient, code="M54.50", body_region="lumbar", recorded_by=chiropractor
    )
    body = {**full_plan, "conditions": [*full_plan["conditions"], str(back.id)]}
    made = chiropractor_client.post("/api/v1/treatment-plans/", body).json()
    activated = chiropractor_client.post(f"/api/v1/treatment-plans/{made['id']}/activate/")
    assert activated.status_code == 200, activated.json()
    return made


MASSAGE = [{"modality": "swedish_massage", "muscles": ["erector_spinae"], "minutes": 15}]


@pytest.fixture
def signed(chiropractor_client, plan, patient, medicare, fees, npis) -> dict:
    return log_visit(chiropractor_client, plan, str(patient.id), sign=True, soft_tissue=MASSAGE)


def test_the_front_desk_reads_a_signed_visits_claim_as_billing_makes_it(
    front_desk_client, signed, patient, chiropractor, clinic, medicare
):
    rest = front_desk_client.get(f"/api/v1/visits/{signed['id']}/claim/").json()

    response = front_desk_client.get(f"{CLAIMS}/{signed['id']}")

    assert response.status_code == 200
    claim = response.json()
    assert_conforms(claim, CLAIM)
    assert (claim["status"], claim["use"], claim["type"]["coding"][0]["code"]) == (
        "active",
        "claim",
        "professional",
    )
    assert claim["patient"] == {"reference": f"Patient/{patient.id}"}
    assert claim["provider"]["reference"] == f"Organization/{clinic.id}"
    assert claim["careTeam"][0]["provider"]["reference"] == f"Practitioner/{chiropractor.id}"
    assert claim["priority"]["coding"][0]["code"] == "normal"
    assert claim["insurance"] == [
        {
            "sequence": 1,
            "focal": True,
            "coverage": {"reference": f"Coverage/{medicare['id']}", "display": "Medicare Part B"},
        }
    ]
    assert [
        (d["sequence"], d["diagnosisCodeableConcept"]["coding"][0]["code"])
        for d in claim["diagnosis"]
    ] == [(1, "M99.01"), (2, "M54.2"), (3, "M54.50")]
    assert {d["diagnosisCodeableConcept"]["coding"][0]["system"] for d in claim["diagnosis"]} == {
        ICD_10_CM
    }
    cmt, massage = claim["item"]
    assert cmt["productOrService"]["coding"][0] == {"system": CPT, "code": "98940"}
    assert [m["coding"][0] for m in cmt["modifier"]] == [{"system": HCPCS, "code": "AT"}]
    assert cmt["diagnosisSequence"] == [1, 2]
    assert (cmt["quantity"], cmt["unitPrice"], cmt["net"]) == (
        {"value": 1},
        {"value": 55.0, "currency": "USD"},
        {"value": 55.0, "currency": "USD"},
    )
    assert [m["coding"][0]["code"] for m in massage["modifier"]] == ["59", "GP", "GY"]
    assert massage["modifier"][0]["coding"][0]["system"] == CPT
    assert massage["diagnosisSequence"] == [3]
    assert cmt["servicedDate"] == rest["lines"][0]["date_of_service"]
    assert claim["total"] == {"value": float(rest["total_charge"]), "currency": "USD"}


def test_a_claim_that_cannot_be_sent_is_a_draft_and_says_no_coverage(
    chiropractor_client, plan, patient
):
    visit = log_visit(chiropractor_client, plan, str(patient.id), sign=True)

    claim = chiropractor_client.get(f"{CLAIMS}/{visit['id']}").json()

    assert_conforms(claim, CLAIM)
    assert claim["status"] == "draft"
    assert claim["insurance"][0]["coverage"]["display"].startswith("No coverage")
    assert "unitPrice" not in claim["item"][0]


def test_an_unsigned_visit_has_no_claim(chiropractor_client, plan, patient, medicare):
    draft = log_visit(chiropractor_client, plan, str(patient.id))

    assert chiropractor_client.get(f"{CLAIMS}/{draft['id']}").status_code == 404
    assert "entry" not in chiropractor_client.get(CLAIMS).json()


def test_another_clinics_claim_is_not_found(other_admin_client, signed):
    assert other_admin_client.get(f"{CLAIMS}/{signed['id']}").status_code == 404
    assert "entry" not in other_admin_client.get(CLAIMS).json()


def test_search_by_patient_created_and_id(clinic_admin_client, signed, patient, clinic):
    other = PatientFactory(clinic=clinic)
    signed_on = clinic_day(signed["signed_at"], clinic)

    def search(**query) -> list[str]:
        response = clinic_admin_client.get(CLAIMS, query)
        assert response.status_code == 200, response.json()
        bundle = response.json()
        for entry in bundle.get("entry", []):
            assert_conforms(entry["resource"], CLAIM)
        return [entry["resource"]["id"] for entry in bundle.get("entry", [])]

    assert search(patient=f"Patient/{patient.id}") == [signed["id"]]
    assert search(patient=str(other.id)) == []
    assert search(created=signed_on) == [signed["id"]]
    assert search(created=f"lt{signed_on}") == []
    assert search(_id=signed["id"]) == [signed["id"]]


def test_a_page_costs_the_same_statements_whatever_its_size(
    chiropractor_client, signed, plan, patient
):
    with CaptureQueriesContext(connection) as one:
        assert chiropractor_client.get(CLAIMS).status_code == 200
    for _ in range(3):
        log_visit(chiropractor_client, plan, str(patient.id), sign=True, soft_tissue=MASSAGE)
    with CaptureQueriesContext(connection) as many:
        bundle = chiropractor_client.get(CLAIMS).json()

    assert len(bundle["entry"]) == 4
    assert len(many) == len(one)


def test_each_read_and_search_leaves_one_audit_event(front_desk_client, signed, patient):
    before = AuditEvent.objects.count()
    front_desk_client.get(f"{CLAIMS}/{signed['id']}")
    front_desk_client.get(CLAIMS, {"patient": str(patient.id)})

    read, search = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.object_ids) == (
        "read",
        "visit_claim",
        [signed["id"]],
    )
    assert read.patient_ids == [patient.id]
    assert (search.action, search.object_ids, search.patient_ids) == (
        "search",
        [signed["id"]],
        [patient.id],
    )
