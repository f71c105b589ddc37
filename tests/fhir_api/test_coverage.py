"""FHIR Coverage: who pays for a patient's care, over HTTP, as billing's coverage records."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from fhir_api.resources.coverage import COVERAGE
from tests.factories import PatientFactory
from tests.fhir_api.conformance import assert_conforms, assert_valid_fhir

pytestmark = pytest.mark.django_db

MEDICARE = {
    "payer_name": "Medicare Part B",
    "payer_type": "medicare",
    "payer_id": "00882",
    "member_id": "1EG4-TE5-MK73",
    "group_number": "G-100",
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
}


def coverage_of(client, patient, **fields) -> dict:
    response = client.post("/api/v1/coverages/", {"patient": str(patient.id), **fields})
    assert response.status_code == 201, response.json()
    return response.json()


def ids(bundle: dict) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def test_every_role_reads_a_coverage_as_us_core(
    chiropractor_client, front_desk_client, clinic_admin_client, patient
):
    made = coverage_of(front_desk_client, patient, **MEDICARE)

    for client in (chiropractor_client, front_desk_client, clinic_admin_client):
        response = client.get(f"/fhir/R4/Coverage/{made['id']}")

        assert response.status_code == 200
        coverage = response.json()
        assert_conforms(coverage, COVERAGE)
    assert coverage["status"] == "active"
    assert coverage["identifier"] == [
        {
            "type": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                        "code": "MB",
                        "display": "Member Number",
                    }
                ]
            },
            "value": "1EG4-TE5-MK73",
        }
    ]
    assert coverage["subscriberId"] == "1EG4-TE5-MK73"
    assert coverage["type"]["coding"] == [
        {"system": "https://nahdo.org/sopt", "code": "1", "display": "MEDICARE"},
        {
            "system": "http://chiro-practice-api.org/fhir/CodeSystem/payer-type",
            "code": "medicare",
            "display": "Medicare",
        },
    ]
    assert coverage["beneficiary"] == {"reference": f"Patient/{patient.id}"}
    assert coverage["subscriber"] == {"reference": f"Patient/{patient.id}"}
    assert coverage["relationship"]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
        "code": "self",
        "display": "Self",
    }
    assert coverage["period"] == {"start": "2026-01-01", "end": "2026-12-31"}
    assert coverage["payor"] == [
        {
            "identifier": {
                "system": "http://chiro-practice-api.org/fhir/sid/payer-id",
                "value": "00882",
            },
            "display": "Medicare Part B",
        }
    ]
    assert coverage["class"][0]["value"] == "G-100"
    assert coverage["class"][0]["type"]["coding"][0]["code"] == "group"
    assert coverage["order"] == 1
    assert response["ETag"] == f'W/"{coverage["meta"]["versionId"]}"'


def test_a_dependents_coverage_names_the_subscriber_and_their_id(chiropractor_client, patient):
    made = coverage_of(
        chiropractor_client,
        patient,
        payer_name="Aetna",
        payer_type="commercial",
        member_id="W123456789",
        subscriber_relationship="spouse",
        subscriber_name="Luis Rivera",
        subscriber_birth_date="1977-05-02",
        priority="secondary",
        starts_on="2026-02-01",
    )

    coverage = chiropractor_client.get(f"/fhir/R4/Coverage/{made['id']}").json()

    # The id on file is the insured's: the subscriber's, not the patient's own member id.
    assert "identifier" not in coverage
    assert coverage["subscriberId"] == "W123456789"
    assert coverage["subscriber"] == {"display": "Luis Rivera"}
    assert coverage["relationship"]["coding"][0]["code"] == "spouse"
    assert coverage["type"]["coding"][0] == {
        "system": "https://nahdo.org/sopt",
        "code": "5",
        "display": "PRIVATE HEALTH INSURANCE",
    }
    assert coverage["payor"] == [{"display": "Aetna"}]
    assert coverage["order"] == 2 and coverage["period"] == {"start": "2026-02-01"}
    assert_conforms(coverage, COVERAGE, fully_recorded=False)


@pytest.mark.parametrize(
    ("payer_type", "codings"),
    [
        (
            "self_pay",
            [
                {"system": "https://nahdo.org/sopt", "code": "81", "display": "Self-pay"},
                {
                    "system": "http://chiro-practice-api.org/fhir/CodeSystem/payer-type",
                    "code": "self_pay",
                    "display": "Self-pay",
                },
            ],
        ),
        (
            "personal_injury",
            [
                {
                    "system": "http://chiro-practice-api.org/fhir/CodeSystem/payer-type",
                    "code": "personal_injury",
                    "display": "Personal injury",
                }
            ],
        ),
    ],
)
def test_payer_types_are_coded_where_the_typology_is_certain(
    chiropractor_client, patient, payer_type, codings
):
    fields = {"payer_name": "Payer", "payer_type": payer_type, "starts_on": "2026-01-01"}
    if payer_type != "self_pay":
        fields["member_id"] = "CLAIM-1"
    made = coverage_of(chiropractor_client, patient, **fields)

    coverage = chiropractor_client.get(f"/fhir/R4/Coverage/{made['id']}").json()

    assert coverage["type"]["coding"] == codings
    if payer_type == "self_pay":  # the patient pays
        assert coverage["payor"] == [{"reference": f"Patient/{patient.id}"}]
    assert_conforms(coverage, COVERAGE, fully_recorded=False)


def test_an_archived_coverage_is_cancelled_but_still_read(front_desk_client, patient):
    made = coverage_of(front_desk_client, patient, **MEDICARE)
    assert front_desk_client.delete(f"/api/v1/coverages/{made['id']}/").status_code == 204

    coverage = front_desk_client.get(f"/fhir/R4/Coverage/{made['id']}").json()

    assert coverage["status"] == "cancelled"
    assert_conforms(coverage, COVERAGE)


def test_another_clinics_coverage_is_not_found(other_admin_client, chiropractor_client, patient):
    made = coverage_of(chiropractor_client, patient, **MEDICARE)

    response = other_admin_client.get(f"/fhir/R4/Coverage/{made['id']}")

    assert response.status_code == 404
    assert ids(other_admin_client.get("/fhir/R4/Coverage").json()) == []


def test_search_by_patient_and_id(chiropractor_client, clinic, patient):
    mine = coverage_of(chiropractor_client, patient, **MEDICARE)
    other_patient = PatientFactory(clinic=clinic)
    coverage_of(chiropractor_client, other_patient, **MEDICARE)

    for query in (
        {"patient": f"Patient/{patient.id}"},
        {"patient": str(patient.id)},
        {"_id": mine["id"]},
        {"patient": str(patient.id), "_id": mine["id"]},
    ):
        bundle = chiropractor_client.get("/fhir/R4/Coverage", query).json()

        assert ids(bundle) == [mine["id"]], query
        assert_valid_fhir(bundle)
        assert_conforms(bundle["entry"][0]["resource"], COVERAGE)
    for query in ({"patient": "Practitioner/" + str(patient.id)}, {"patient": "nobody"}):
        assert ids(chiropractor_client.get("/fhir/R4/Coverage", query).json()) == []


def test_a_page_costs_the_same_statements_whatever_its_size(chiropractor_client, patient):
    coverage_of(chiropractor_client, patient, **MEDICARE)
    with CaptureQueriesContext(connection) as one:
        assert chiropractor_client.get("/fhir/R4/Coverage").status_code == 200
    for _ in range(5):
        coverage_of(chiropractor_client, patient, **MEDICARE)
    with CaptureQueriesContext(connection) as many:
        bundle = chiropractor_client.get("/fhir/R4/Coverage").json()

    assert len(bundle["entry"]) == 6
    assert len(many) == len(one)


def test_each_read_and_search_leaves_one_audit_event(front_desk_client, front_desk, patient):
    made = coverage_of(front_desk_client, patient, **MEDICARE)
    before = AuditEvent.objects.count()
    front_desk_client.get(f"/fhir/R4/Coverage/{made['id']}")
    front_desk_client.get("/fhir/R4/Coverage", {"patient": str(patient.id)})

    read, search = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.object_ids) == ("read", "coverage", [made["id"]])
    assert (search.action, search.object_ids) == ("search", [made["id"]])
    assert read.patient_ids == [patient.id] == search.patient_ids
    assert read.user_id == front_desk.id
