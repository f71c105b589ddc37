"""FHIR Patient: read and search over HTTP, scoped, audited, answered in FHIR JSON."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from fhir_api.resources.patient import PATIENT
from tests.factories import PatientFactory
from tests.fhir_api.conformance import assert_conforms, assert_valid_fhir

pytestmark = pytest.mark.django_db

FHIR_JSON = "application/fhir+json"


def test_a_chiropractor_reads_a_patient_as_us_core(chiropractor_client, patient):
    response = chiropractor_client.get(f"/fhir/R4/Patient/{patient.id}", HTTP_ACCEPT=FHIR_JSON)

    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    body = response.json()
    assert body["resourceType"] == "Patient" and body["id"] == str(patient.id)
    assert body["identifier"][0]["value"] == patient.chart_number
    assert body["identifier"][0]["system"].endswith(f"/chart-number/{patient.clinic_id}")
    assert body["name"][0] == {"use": "official", "family": patient.family_name, "given": ["María"]}
    assert body["name"][1] == {"use": "usual", "family": patient.family_name, "given": ["Mari"]}
    assert body["birthDate"] == "1979-03-14"
    assert body["meta"]["profile"] == [
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient|6.1.0"
    ]
    assert response["ETag"] == f'W/"{body["meta"]["versionId"]}"'


def test_plain_json_is_answered_too(front_desk_client, patient):
    response = front_desk_client.get(
        f"/fhir/R4/Patient/{patient.id}", HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_another_clinics_patient_is_not_found_as_an_operation_outcome(other_admin_client, patient):
    response = other_admin_client.get(f"/fhir/R4/Patient/{patient.id}")

    assert response.status_code == 404
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "not-found"
    assert body["issue"][0]["details"]["coding"][0]["code"] == "not_found"


def test_without_a_token_the_answer_is_401_as_an_operation_outcome(anonymous_client, patient):
    response = anonymous_client.get(f"/fhir/R4/Patient/{patient.id}")

    assert response.status_code == 401
    assert response.json()["issue"][0]["code"] == "login"


def test_a_malformed_id_is_not_found(chiropractor_client):
    response = chiropractor_client.get("/fhir/R4/Patient/not-a-uuid")

    assert response.status_code == 404


def test_search_by_name_birthdate_gender_and_identifier(chiropractor_client, clinic, patient):
    PatientFactory(clinic=clinic, family_name="Other", given_name="Person")

    by_name = chiropractor_client.get("/fhir/R4/Patient", {"name": "mari"}).json()
    by_birth = chiropractor_client.get("/fhir/R4/Patient", {"birthdate": "1979-03"}).json()
    by_range = chiropractor_client.get(
        "/fhir/R4/Patient", [("birthdate", "ge1979-03-14"), ("birthdate", "lt1979-03-15")]
    ).json()
    by_identifier = chiropractor_client.get(
        "/fhir/R4/Patient", {"identifier": patient.chart_number}
    ).json()
    by_gender = chiropractor_client.get(
        "/fhir/R4/Patient", {"gender": "female,male,other,unknown", "family": patient.family_name}
    ).json()

    for bundle in (by_name, by_birth, by_range, by_identifier, by_gender):
        assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
        assert [e["resource"]["id"] for e in bundle["entry"]] == [str(patient.id)]
        assert bundle["entry"][0]["fullUrl"] == f"http://testserver/fhir/R4/Patient/{patient.id}"


def test_identifier_of_another_system_matches_nothing(chiropractor_client, patient):
    bundle = chiropractor_client.get(
        "/fhir/R4/Patient", {"identifier": f"urn:oid:1.2.3|{patient.chart_number}"}
    ).json()

    assert "entry" not in bundle


def test_pages_follow_next_links_without_repeats(chiropractor_client, clinic):
    made = {str(PatientFactory(clinic=clinic).id) for _ in range(5)}
    seen: list[str] = []
    url = "/fhir/R4/Patient?_count=2"
    while url:
        bundle = chiropractor_client.get(url).json()
        seen += [e["resource"]["id"] for e in bundle.get("entry", [])]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)

    assert sorted(seen) == sorted(made)


def test_a_page_costs_the_same_statements_whatever_its_size(chiropractor_client, clinic):
    PatientFactory(clinic=clinic)
    with CaptureQueriesContext(connection) as one:
        assert chiropractor_client.get("/fhir/R4/Patient").status_code == 200
    for _ in range(10):
        PatientFactory(clinic=clinic)
    with CaptureQueriesContext(connection) as many:
        assert chiropractor_client.get("/fhir/R4/Patient").status_code == 200

    assert len(many) == len(one)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"colour": "blue"}, "unknown_parameter"),
        ({"birthdate": "yesterday"}, "invalid_search_value"),
        ({"birthdate": "2026-02-30"}, "invalid_search_value"),
        ({"name:fuzzy": "x"}, "unsupported_modifier"),
        ({"_count": "many"}, "invalid_page_size"),
        ({"_cursor": "bm9wZQ"}, "invalid_search_value"),
    ],
)
def test_bad_searches_are_refused_naming_the_parameter(chiropractor_client, query, code):
    response = chiropractor_client.get("/fhir/R4/Patient", query)

    assert response.status_code == 400
    issue = response.json()["issue"][0]
    assert issue["details"]["coding"][0]["code"] == code
    assert issue["expression"] == [next(iter(query))]


def test_lenient_handling_ignores_unknown_parameters(chiropractor_client, patient):
    response = chiropractor_client.get(
        "/fhir/R4/Patient", {"colour": "blue", "name": "mar"}, HTTP_PREFER="handling=lenient"
    )

    assert response.status_code == 200
    bundle = response.json()
    assert bundle["link"][0]["url"] == "http://testserver/fhir/R4/Patient?name=mar"
    assert len(bundle["entry"]) == 1


def test_xml_is_not_acceptable(chiropractor_client, patient):
    response = chiropractor_client.get(f"/fhir/R4/Patient/{patient.id}", {"_format": "xml"})

    assert response.status_code == 406


def test_each_read_and_search_leaves_one_audit_event(chiropractor_client, chiropractor, patient):
    before = AuditEvent.objects.count()
    chiropractor_client.get(f"/fhir/R4/Patient/{patient.id}")
    chiropractor_client.get("/fhir/R4/Patient", {"name": "mar"})

    read, search = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.path) == (
        "read",
        "patient",
        f"/fhir/R4/Patient/{patient.id}",
    )
    assert read.patient_ids == [patient.id] and read.user_id == chiropractor.id
    assert (search.action, search.object_ids) == ("search", [str(patient.id)])


def test_the_capability_statement_is_public_and_lists_patient(anonymous_client):
    response = anonymous_client.get("/fhir/R4/metadata")

    assert response.status_code == 200
    statement = response.json()
    assert statement["fhirVersion"] == "4.0.1"
    patient = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Patient")
    assert {p["name"] for p in patient["searchParam"]} >= {
        "identifier",
        "name",
        "birthdate",
        "gender",
    }
    assert datetime.date.fromisoformat(statement["date"])


def test_a_fully_recorded_patient_conforms_to_us_core(chiropractor_client, clinic):
    patient = PatientFactory(
        clinic=clinic,
        phone="+15125550123",
        email="ana@example.com",
        address_line1="1 Spine Street",
        city="Austin",
        region="TX",
        postal_code="78701",
        country="US",
        gender_identity="woman",
        emergency_contact_name="Luis Rivera",
        emergency_contact_relationship="Brother",
        emergency_contact_phone="+15125550124",
    )

    resource = chiropractor_client.get(f"/fhir/R4/Patient/{patient.id}").json()

    assert_conforms(resource, PATIENT)
    assert resource["address"] == [
        {
            "line": ["1 Spine Street"],
            "city": "Austin",
            "state": "TX",
            "postalCode": "78701",
            "country": "US",
        }
    ]


def test_every_patient_of_a_search_conforms(chiropractor_client, clinic, patient):
    bundle = chiropractor_client.get("/fhir/R4/Patient").json()

    assert_valid_fhir(bundle)
    for entry in bundle["entry"]:
        assert_conforms(entry["resource"], PATIENT, fully_recorded=False)


def test_everything_holds_the_patient_and_is_audited(chiropractor_client, patient):
    response = chiropractor_client.get(f"/fhir/R4/Patient/{patient.id}/$everything")

    assert response.status_code == 200
    bundle = response.json()
    assert_valid_fhir(bundle)
    assert bundle["entry"][0]["resource"]["id"] == str(patient.id)
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.resource_type) == ("read", "patient")
    assert patient.id in event.patient_ids


def test_everything_of_another_clinics_patient_is_not_found(other_admin_client, patient):
    assert other_admin_client.get(f"/fhir/R4/Patient/{patient.id}/$everything").status_code == 404


def test_include_of_an_unknown_parameter_is_refused(chiropractor_client, patient):
    response = chiropractor_client.get("/fhir/R4/Patient", {"_include": "Patient:colour"})

    assert response.status_code == 400
    assert response.json()["issue"][0]["details"]["coding"][0]["code"] == "unsupported_include"


def test_the_capability_statement_is_valid_fhir_and_names_the_operations(anonymous_client):
    statement = anonymous_client.get("/fhir/R4/metadata").json()

    assert_valid_fhir(statement)
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert resources["Patient"]["operation"][0]["name"] == "everything"
    assert resources["Group"]["operation"][0]["name"] == "export"
