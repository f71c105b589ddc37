"""FHIR Condition: read and search over HTTP, clinicians only, scoped, audited, US Core."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from fhir_api.resources.condition import CONDITION
from tests.conftest import client_for
from tests.factories import ConditionFactory, PatientFactory
from tests.fhir_api.conformance import assert_conforms, assert_valid_fhir

pytestmark = pytest.mark.django_db

ICD_10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
US_CORE_PROBLEMS = (
    "http://hl7.org/fhir/us/core/StructureDefinition/"
    "us-core-condition-problems-health-concerns|6.1.0"
)


def ids(bundle: dict) -> list[str]:
    for entry in bundle.get("entry", []):
        assert_conforms(entry["resource"], CONDITION, fully_recorded=False)
    return sorted(entry["resource"]["id"] for entry in bundle.get("entry", []))


@pytest.fixture
def resolved_sprain(patient, chiropractor):
    return ConditionFactory(
        patient=patient,
        code="S16.1XXA",
        display="Strain of muscle, fascia and tendon at neck level, initial encounter",
        body_region="cervical",
        onset_date=datetime.date(2026, 9, 1),
        cause="injury",
        clinical_status="resolved",
        resolved_on=datetime.date(2026, 11, 15),
        note="Rear-ended at a stop light.",
        recorded_by=chiropractor,
    )


def test_a_chiropractor_reads_a_condition_as_us_core(chiropractor_client, resolved_sprain):
    response = chiropractor_client.get(f"/fhir/R4/Condition/{resolved_sprain.id}")

    assert response.status_code == 200
    body = response.json()
    assert_conforms(body, CONDITION)
    assert body["meta"]["profile"] == [US_CORE_PROBLEMS]
    assert body["category"][0]["coding"][0]["code"] == "problem-list-item"
    assert body["code"] == {
        "coding": [
            {
                "system": ICD_10_CM,
                "code": "S16.1XXA",
                "display": "Strain of muscle, fascia and tendon at neck level, initial encounter",
            }
        ],
        "text": "Strain of muscle, fascia and tendon at neck level, initial encounter",
    }
    assert body["clinicalStatus"]["coding"][0]["code"] == "resolved"
    assert body["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert body["subject"] == {"reference": f"Patient/{resolved_sprain.patient_id}"}
    assert body["recorder"] == {"reference": f"Practitioner/{resolved_sprain.recorded_by_id}"}
    assert body["onsetDateTime"] == "2026-09-01"
    assert body["abatementDateTime"] == "2026-11-15"
    assert body["recordedDate"].endswith("Z")
    assert body["note"] == [{"text": "Rear-ended at a stop light."}]
    assert [c["code"] for c in body["bodySite"][0]["coding"]] == ["cervical", "122494005"]
    assert response["ETag"] == f'W/"{body["meta"]["versionId"]}"'


def test_laterality_is_an_extension_of_the_body_site(chiropractor_client, patient, chiropractor):
    calf = ConditionFactory(
        patient=patient,
        code="M62.831",
        display="Muscle spasm of calf",
        body_region="lower_extremity",
        laterality="left",
        recorded_by=chiropractor,
    )

    body = chiropractor_client.get(f"/fhir/R4/Condition/{calf.id}").json()

    assert_conforms(body, CONDITION, fully_recorded=False)
    site = body["bodySite"][0]
    assert site["coding"][1] == {
        "system": SNOMED,
        "code": "61685007",
        "display": "Lower limb structure",
    }
    assert site["extension"] == [
        {
            "url": "http://chiro-practice-api.org/fhir/StructureDefinition/laterality",
            "valueCodeableConcept": {
                "coding": [{"system": SNOMED, "code": "7771000", "display": "Left"}]
            },
        }
    ]
    assert site["text"] == "Lower extremity, left"


def test_a_region_without_a_certain_snomed_code_keeps_our_code_only(
    chiropractor_client, patient, chiropractor
):
    ribs = ConditionFactory(
        patient=patient,
        code="M99.08",
        display="Segmental and somatic dysfunction of rib cage",
        body_region="rib_cage",
        recorded_by=chiropractor,
    )

    site = chiropractor_client.get(f"/fhir/R4/Condition/{ribs.id}").json()["bodySite"][0]

    assert site["coding"] == [
        {
            "system": "http://chiro-practice-api.org/fhir/CodeSystem/body-region",
            "code": "rib_cage",
            "display": "Rib cage",
        }
    ]


def test_a_condition_entered_in_error_has_no_clinical_status(
    chiropractor_client, patient, chiropractor
):
    mistaken = ConditionFactory(
        patient=patient, verification_status="entered-in-error", recorded_by=chiropractor
    )

    body = chiropractor_client.get(f"/fhir/R4/Condition/{mistaken.id}").json()

    assert_conforms(body, CONDITION, fully_recorded=False)
    assert "clinicalStatus" not in body
    assert body["verificationStatus"]["coding"][0]["code"] == "entered-in-error"


def test_the_front_desk_cannot_read_conditions(front_desk_client, neck_pain):
    read = front_desk_client.get(f"/fhir/R4/Condition/{neck_pain.id}")
    search = front_desk_client.get("/fhir/R4/Condition", {"patient": str(neck_pain.patient_id)})

    for response in (read, search):
        assert response.status_code == 403
        assert response.json()["issue"][0]["code"] == "forbidden"


def test_a_clinic_admin_reads_conditions(clinic_admin_client, neck_pain):
    response = clinic_admin_client.get(f"/fhir/R4/Condition/{neck_pain.id}")

    assert response.status_code == 200
    assert_conforms(response.json(), CONDITION, fully_recorded=False)


def test_another_clinics_condition_is_not_found(other_admin_client, neck_pain):
    response = other_admin_client.get(f"/fhir/R4/Condition/{neck_pain.id}")

    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-found"


def test_search_by_patient_category_and_clinical_status(
    chiropractor_client, patient, neck_pain, resolved_sprain, chiropractor
):
    ConditionFactory(clinic=patient.clinic, recorded_by=chiropractor)  # another patient's

    def search(**query) -> list[str]:
        return ids(chiropractor_client.get("/fhir/R4/Condition", query).json())

    mine = sorted([str(neck_pain.id), str(resolved_sprain.id)])
    assert search(patient=str(patient.id)) == mine
    assert search(patient=f"Patient/{patient.id}", category="problem-list-item") == mine
    assert (
        search(
            patient=str(patient.id),
            category="http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item",
        )
        == mine
    )
    assert search(patient=str(patient.id), category="encounter-diagnosis") == []
    assert search(patient=str(patient.id), **{"clinical-status": "active"}) == [str(neck_pain.id)]
    assert search(patient=str(patient.id), **{"clinical-status": "resolved,inactive"}) == [
        str(resolved_sprain.id)
    ]


def test_a_condition_entered_in_error_matches_no_clinical_status_but_every_not(
    chiropractor_client, patient, neck_pain, chiropractor
):
    mistaken = ConditionFactory(
        patient=patient, verification_status="entered-in-error", recorded_by=chiropractor
    )
    base = {"patient": str(patient.id)}

    active = chiropractor_client.get("/fhir/R4/Condition", {**base, "clinical-status": "active"})
    not_resolved = chiropractor_client.get(
        "/fhir/R4/Condition", {**base, "clinical-status:not": "resolved"}
    )

    assert ids(active.json()) == [str(neck_pain.id)]
    assert ids(not_resolved.json()) == sorted([str(neck_pain.id), str(mistaken.id)])


def test_search_by_code_onset_date_last_updated_and_id(
    chiropractor_client, patient, neck_pain, resolved_sprain
):
    def search(query) -> list[str]:
        return ids(chiropractor_client.get("/fhir/R4/Condition", query).json())

    assert search({"code": "m54.2"}) == [str(neck_pain.id)]
    assert search({"code": f"{ICD_10_CM}|S16.1XXA"}) == [str(resolved_sprain.id)]
    assert search({"code": f"{SNOMED}|S16.1XXA"}) == []
    assert search([("onset-date", "ge2026-09-01"), ("onset-date", "lt2026-10")]) == [
        str(resolved_sprain.id)
    ]
    assert search({"_lastUpdated": "ge2000-01-01"}) == sorted(
        [str(neck_pain.id), str(resolved_sprain.id)]
    )
    assert search({"_lastUpdated": "lt2000"}) == []
    assert search({"_id": f"{neck_pain.id},not-a-uuid"}) == [str(neck_pain.id)]


def test_pages_follow_next_links_without_repeats(chiropractor_client, patient, chiropractor):
    made = {str(ConditionFactory(patient=patient, recorded_by=chiropractor).id) for _ in range(5)}
    seen: list[str] = []
    url = f"/fhir/R4/Condition?patient={patient.id}&_count=2"
    while url:
        bundle = chiropractor_client.get(url).json()
        seen += [e["resource"]["id"] for e in bundle.get("entry", [])]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)

    assert sorted(seen) == sorted(made)


def test_a_page_costs_the_same_statements_whatever_its_size(
    chiropractor_client, clinic, chiropractor
):
    ConditionFactory(patient=PatientFactory(clinic=clinic), recorded_by=chiropractor)
    with CaptureQueriesContext(connection) as one:
        assert chiropractor_client.get("/fhir/R4/Condition").status_code == 200
    for _ in range(10):
        ConditionFactory(patient=PatientFactory(clinic=clinic), recorded_by=chiropractor)
    with CaptureQueriesContext(connection) as many:
        bundle = chiropractor_client.get("/fhir/R4/Condition").json()

    assert len(bundle["entry"]) == 11
    assert len(many) == len(one)


def test_each_read_and_search_leaves_one_audit_event(
    chiropractor_client, chiropractor, patient, neck_pain
):
    before = AuditEvent.objects.count()
    chiropractor_client.get(f"/fhir/R4/Condition/{neck_pain.id}")
    chiropractor_client.get("/fhir/R4/Condition", {"patient": str(patient.id)})

    read, search = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.path) == (
        "read",
        "condition",
        f"/fhir/R4/Condition/{neck_pain.id}",
    )
    assert read.patient_ids == [patient.id] and read.user_id == chiropractor.id
    assert (search.action, search.resource_type) == ("search", "condition")
    assert search.object_ids == [str(neck_pain.id)] and search.patient_ids == [patient.id]


def test_every_condition_of_a_search_conforms(chiropractor_client, neck_pain, resolved_sprain):
    bundle = chiropractor_client.get("/fhir/R4/Condition").json()

    assert_valid_fhir(bundle)
    assert len(ids(bundle)) == 2


def test_a_search_includes_the_conditions_patients(chiropractor_client, patient, neck_pain):
    bundle = chiropractor_client.get(
        "/fhir/R4/Condition", {"code": "M54.2", "_include": "Condition:patient"}
    ).json()

    modes = {(e["resource"]["resourceType"], e["search"]["mode"]) for e in bundle["entry"]}
    assert modes == {("Condition", "match"), ("Patient", "include")}
    assert bundle["link"][0]["url"].endswith("_include=Condition%3Apatient")


def test_a_patients_everything_holds_conditions_for_clinicians_only(
    chiropractor_client, front_desk_client, patient, neck_pain
):
    clinician = chiropractor_client.get(f"/fhir/R4/Patient/{patient.id}/$everything").json()
    desk = front_desk_client.get(f"/fhir/R4/Patient/{patient.id}/$everything").json()

    conditions = [
        e["resource"] for e in clinician["entry"] if e["resource"]["resourceType"] == "Condition"
    ]
    assert [c["id"] for c in conditions] == [str(neck_pain.id)]
    assert_conforms(conditions[0], CONDITION, fully_recorded=False)
    assert "Condition" not in {e["resource"]["resourceType"] for e in desk["entry"]}


def test_a_break_glass_grant_opens_the_patients_everything_to_the_front_desk(
    front_desk, patient, neck_pain, clinic
):
    desk = client_for(front_desk)
    everything = f"/fhir/R4/Patient/{patient.id}/$everything"
    types = {e["resource"]["resourceType"] for e in desk.get(everything).json()["entry"]}
    assert "Condition" not in types

    granted = desk.post(
        "/api/v1/break-glass/",
        {"patient": str(patient.id), "reason": "Collapsed at reception; paramedics ask."},
    )
    assert granted.status_code == 201, granted.json()

    opened = desk.get(everything).json()
    conditions = [
        e["resource"]["id"] for e in opened["entry"] if e["resource"]["resourceType"] == "Condition"
    ]
    assert conditions == [str(neck_pain.id)]
    event = AuditEvent.objects.filter(user_id=front_desk.id).latest("pk")
    assert (event.action, event.patient_ids[0]) == ("break_glass_read", patient.id)
    # Another patient's record stays closed, and so do searches.
    other = PatientFactory(clinic=clinic)
    closed = desk.get(f"/fhir/R4/Patient/{other.id}/$everything").json()
    assert "Condition" not in {e["resource"]["resourceType"] for e in closed["entry"]}
    assert desk.get("/fhir/R4/Condition", {"patient": patient.id}).status_code == 403


def test_an_id_that_is_no_patients_opens_nothing_and_is_not_found(front_desk):
    desk = client_for(front_desk)
    for path in ("/fhir/R4/Patient/not-a-uuid", "/fhir/R4/Patient/not-a-uuid/$everything"):
        response = desk.get(path)
        assert response.status_code == 404, (path, response.json())
