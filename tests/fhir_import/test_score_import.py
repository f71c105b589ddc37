"""FHIR import of NDI and ODI measures: the QuestionnaireResponse of the answers written as
the measure, its total Observation answered with that measure and writing nothing."""

import copy
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.roles import Role
from fhir_import.models import ImportedResource
from tests.clinical_rows import row_counts
from tests.conftest import client_for
from tests.factories import PatientFactory, UserFactory
from tests.fhir_import.bundles import issues, post, record_id, statuses
from treatments.outcomes.models import OutcomeMeasure

pytestmark = pytest.mark.django_db

FHIR_JSON = "application/fhir+json"
BASE = "http://testserver/fhir/R4"
NDI_ANSWERS = [3, 2, 1, 0, 4, 2, 3, 1, 2, 2]
ODI_ANSWERS = [2, 1, None, 3, 2, 2, 1, 0, 1, 2]  # lifting left unanswered
KEPT = ["instrument", "measured_at", "answers", "score", "max_score", "percent", "status"]


def texts(entry: dict) -> list[str]:
    return [found["details"]["text"] for found in entry["response"]["outcome"]["issue"]]


def transaction(resources: list[dict], kind: str = "transaction") -> dict:
    """Resources as this server serves them, at their RESTful fullUrls."""
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {
                "fullUrl": f"{BASE}/{r['resourceType']}/{r['id']}",
                "resource": copy.deepcopy(r),
                "request": {"method": "POST", "url": r["resourceType"]},
            }
            for r in resources
        ],
    }


def record_measures(client, patient) -> list[str]:
    """An NDI and an ODI recorded over the REST API."""
    return [
        client.post(
            f"/api/v1/patients/{patient.pk}/outcomes/",
            {"instrument": instrument, "answers": answers, "measured_at": measured_at},
            format="json",
        ).json()["id"]
        for instrument, answers, measured_at in (
            ("ndi", NDI_ANSWERS, "2025-10-01T09:30:00Z"),
            ("odi", ODI_ANSWERS, "2025-10-08T09:30:00Z"),
        )
    ]


def served(client, patient) -> list[dict]:
    """The patient, then the answers, then their totals, as the FHIR face serves them."""
    found = [client.get(f"/fhir/R4/Patient/{patient.pk}").json()]
    for kind in ("QuestionnaireResponse", "Observation"):
        page = client.get(f"/fhir/R4/{kind}?patient={patient.pk}").json()
        found += sorted(
            (e["resource"] for e in page["entry"]),
            key=lambda r: r.get("authored") or r["effectiveDateTime"],
        )
    return found


@pytest.fixture
def elsewhere(other_clinic):
    return client_for(UserFactory(clinic=other_clinic, role=Role.CHIROPRACTOR))


@pytest.fixture
def exported(chiropractor_client, patient) -> list[dict]:
    record_measures(chiropractor_client, patient)
    resources = served(chiropractor_client, patient)
    assert [r["resourceType"] for r in resources] == [
        "Patient",
        "QuestionnaireResponse",
        "QuestionnaireResponse",
        "Observation",
        "Observation",
    ]
    return resources


def test_ndi_and_odi_measures_import_into_another_clinic_as_they_were(
    chiropractor_client, patient, other_clinic, elsewhere, exported
):
    response = post(elsewhere, transaction(exported))

    assert response.status_code == 200, response.json()
    assert statuses(response) == ["201 Created"] * 5
    entries = response.json()["entry"]
    copies = OutcomeMeasure.objects.filter(clinic=other_clinic).order_by("measured_at")
    originals = OutcomeMeasure.objects.filter(patient=patient).order_by("measured_at")
    assert list(copies.values_list(*KEPT)) == list(originals.values_list(*KEPT))
    assert [m.answers for m in copies] == [NDI_ANSWERS, ODI_ANSWERS]
    # Each total is answered with the measure its response became, and wrote nothing.
    responses = {record_id(entries[i]) for i in (1, 2)}
    assert {record_id(entries[i]) for i in (3, 4)} == responses == {str(m.pk) for m in copies}
    for index in (3, 4):
        assert entries[index]["response"]["location"].startswith("Observation/")
        assert issues(entries[index])[0] == ("information", None, None)
        answered = record_id(entries[index])
        assert f"Kept as QuestionnaireResponse/{answered}'s score" in texts(entries[index])[0]
    assert copies.count() == 2
    read = elsewhere.get(f"/fhir/R4/Observation/{record_id(entries[3])}").json()
    assert read["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{record_id(entries[3])}"}]


def test_posting_the_measures_again_writes_nothing(elsewhere, exported):
    bundle = transaction(exported)
    first = post(elsewhere, bundle)
    before, keys = row_counts(), ImportedResource.objects.count()

    again = post(elsewhere, bundle)

    assert again.status_code == 200
    assert statuses(again) == ["200 OK"] * 5
    assert row_counts() == before and ImportedResource.objects.count() == keys
    was, now = first.json()["entry"], again.json()["entry"]
    assert [record_id(e) for e in now] == [record_id(e) for e in was]


def test_a_total_imported_after_its_answers_is_answered_with_their_measure(elsewhere, exported):
    patient, ndi, _, ndi_total, _ = exported
    answers = post(elsewhere, transaction([patient, ndi])).json()["entry"]
    before = row_counts()

    response = post(elsewhere, transaction([patient, ndi, ndi_total]))

    assert statuses(response) == ["200 OK", "200 OK", "200 OK"]
    total = response.json()["entry"][2]
    assert record_id(total) == record_id(answers[1])
    after = row_counts()
    assert (
        after.pop("fhir_import_importedresource") == before.pop("fhir_import_importedresource") + 1
    )
    assert after == before  # only the total's key, to know it when posted again


def test_totals_posted_after_their_answers_in_a_bundle_of_their_own(elsewhere, exported):
    patient, ndi, odi, ndi_total, odi_total = exported
    answers = post(elsewhere, transaction([patient, ndi, odi])).json()["entry"]
    measures = OutcomeMeasure.objects.count()

    # The patient again (imported before), for the totals' subject; their answers not.
    response = post(elsewhere, transaction([patient, ndi_total, odi_total]))

    assert response.status_code == 200, response.json()
    assert statuses(response) == ["200 OK"] * 3
    assert [record_id(e) for e in response.json()["entry"][1:]] == [
        record_id(answers[1]),
        record_id(answers[2]),
    ]
    assert OutcomeMeasure.objects.count() == measures


def test_a_total_may_name_the_answers_of_this_clinic_by_their_id(
    chiropractor_client, patient, exported
):
    ndi, ndi_total = exported[1], exported[3]
    total = copy.deepcopy(ndi_total)
    total["id"] = "d0e9f8a7-0000-4000-8000-000000000001"  # another source's total

    response = post(chiropractor_client, transaction([total], "batch"))

    assert statuses(response) == ["200 OK"]
    assert record_id(response.json()["entry"][0]) == ndi["id"]
    assert OutcomeMeasure.objects.count() == 2


def test_a_total_whose_answers_are_absent_is_refused(elsewhere, exported):
    patient, _, _, ndi_total, _ = exported
    underived = copy.deepcopy(ndi_total)
    underived["id"] = "d0e9f8a7-0000-4000-8000-000000000002"
    del underived["derivedFrom"]

    response = post(elsewhere, transaction([patient, ndi_total, underived], "batch"))

    entries = response.json()["entry"]
    assert statuses(response) == ["201 Created"] + ["422 Unprocessable Entity"] * 2
    # It names answers this Bundle does not hold, nor this clinic.
    assert issues(entries[1]) == [
        ("error", "unresolved_reference", ["Bundle.entry[1].resource.derivedFrom[0].reference"])
    ]
    # It names none: a score alone cannot be recorded.
    assert issues(entries[2]) == [("error", "not_mappable", ["Bundle.entry[2].resource.code"])]
    assert not OutcomeMeasure.objects.filter(patient_id=record_id(entries[0])).exists()


def test_a_total_that_is_not_the_score_of_its_answers_stops_a_transaction(elsewhere, exported):
    bundle = transaction(exported)
    bundle["entry"][4]["resource"]["valueQuantity"]["value"] = 55.0  # the ODI's percent
    before = row_counts()

    response = post(elsewhere, bundle)

    assert response.status_code == 422
    [issue] = response.json()["issue"]
    assert issue["details"]["coding"][0]["code"] == "not_mappable"
    assert issue["expression"] == ["Bundle.entry[4].resource.valueQuantity.value"]
    assert "55.0%" in issue["details"]["text"] and "31.1%" in issue["details"]["text"]
    assert row_counts() == before


def test_a_total_of_another_patients_answers_is_refused(chiropractor_client, clinic, exported):
    other = PatientFactory(clinic=clinic).pk
    total = copy.deepcopy(exported[3])
    total["id"] = "d0e9f8a7-0000-4000-8000-000000000003"
    total["subject"] = {"reference": f"Patient/{other}"}

    entries = post(chiropractor_client, transaction([total], "batch")).json()["entry"]

    assert issues(entries[0]) == [
        ("error", "unresolved_reference", ["Bundle.entry[0].resource.derivedFrom[0].reference"])
    ]


@pytest.mark.parametrize(
    ("change", "code", "expression"),
    [
        (
            {"questionnaire": "http://loinc.org/q/44249-1"},  # PHQ-9
            "not_mappable",
            "questionnaire",
        ),
        (
            {"questionnaire": "http://chiro-practice-api.org/fhir/Questionnaire/ndi|2"},
            "not_mappable",
            "questionnaire",
        ),
        ({"status": "in-progress"}, "not_mappable", "status"),
        ({"status": "stopped"}, "not_mappable", "status"),
        ({"status": "entered-in-error"}, "not_mappable", "status"),
        ({"authored": None}, "invalid_entry", "authored"),
        ({"authored": "2999-01-01T00:00:00Z"}, "future_date", "authored"),
    ],
)
def test_answers_that_cannot_be_kept_are_refused_naming_the_element_while_others_import(
    elsewhere, exported, change, code, expression
):
    bundle = transaction(exported, "batch")
    resource = bundle["entry"][1]["resource"]
    resource.update(change)
    for name in [name for name, value in change.items() if value is None]:
        del resource[name]

    response = post(elsewhere, bundle)

    entries = response.json()["entry"]
    assert issues(entries[1]) == [("error", code, [f"Bundle.entry[1].resource.{expression}"])]
    # Its total has no measure to restate; the other measure and its total are imported.
    assert issues(entries[3]) == [
        ("error", "unresolved_reference", ["Bundle.entry[3].resource.derivedFrom[0].reference"])
    ]
    assert [statuses(response)[i] for i in (0, 2, 4)] == ["201 Created"] * 3


@pytest.mark.parametrize(
    ("item", "code", "expression"),
    [
        ({"linkId": "11", "answer": [{"valueInteger": 1}]}, "not_mappable", "item[0].linkId"),
        (
            {"linkId": "1", "answer": [{"valueInteger": 6}]},
            "max_value",
            "item[0].answer[0].valueInteger",
        ),
        (
            {"linkId": "1", "answer": [{"valueCoding": {"code": "LA1"}}]},
            "not_mappable",
            "item[0].answer[0].valueCoding",
        ),
        ({"linkId": "2", "answer": [{"valueInteger": 1}]}, "invalid_entry", "item[1].linkId"),
    ],
)
def test_an_item_that_cannot_be_kept_is_named(elsewhere, exported, item, code, expression):
    bundle = transaction(exported[:2], "batch")
    items = bundle["entry"][1]["resource"]["item"]
    items[0] = item

    entries = post(elsewhere, bundle).json()["entry"]

    assert issues(entries[1]) == [("error", code, [f"Bundle.entry[1].resource.{expression}"])]


def test_three_sections_unanswered_cannot_be_scored(elsewhere, exported):
    bundle = transaction(exported[:2], "batch")
    bundle["entry"][1]["resource"]["item"] = bundle["entry"][1]["resource"]["item"][3:]

    entries = post(elsewhere, bundle).json()["entry"]

    assert issues(entries[1]) == [("error", "unscorable", ["Bundle.entry[1].resource.item"])]


def test_a_clinic_admin_may_not_import_measures(exported, other_clinic):
    admin = client_for(UserFactory(clinic=other_clinic, role=Role.CLINIC_ADMIN))

    response = post(admin, transaction(exported, "batch"))

    assert statuses(response) == ["201 Created"] + ["403 Forbidden"] * 4
    assert not OutcomeMeasure.objects.filter(clinic=other_clinic).exists()


def _measures_of(patients: int, exported: list[dict], offset: int) -> dict:
    """`patients` patients new to the clinic (known by their fullUrls), each with the NDI and
    ODI measures and their totals."""
    entries = []
    for n in range(offset, offset + patients):
        text = json.dumps(transaction(exported, "batch")["entry"])
        for resource in exported:
            text = text.replace(resource["id"], f"{resource['id'][:-12]}{n:012d}")
        group = json.loads(text)
        for entry in group:
            entry["resource"].pop("identifier", None)
        entries += group
    return {"resourceType": "Bundle", "type": "batch", "entry": entries}


def _statements(client, bundle: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = post(client, bundle)
    assert response.status_code == 200
    assert set(statuses(response)) == {"201 Created"}, statuses(response)
    return len(queries)


def test_statements_grow_by_a_constant_per_measure(elsewhere, exported):
    one = _statements(elsewhere, _measures_of(1, exported, 0))
    three = _statements(elsewhere, _measures_of(3, exported, 100))
    five = _statements(elsewhere, _measures_of(5, exported, 200))

    assert five - three == three - one  # linear: the same statements for each entry
    per_patient = (three - one) // 2
    # A patient, two measures (at most 16 statements each, as every entry written) and two
    # totals, which write only their keys.
    assert per_patient <= 3 * 16 + 2 * 6, per_patient


def test_answers_to_the_loinc_questionnaire_our_questionnaire_is_coded_with(
    elsewhere, other_clinic, exported
):
    bundle = transaction(exported[:2], "batch")
    bundle["entry"][1]["resource"]["questionnaire"] = "http://loinc.org/q/82226-2"  # NDI panel

    response = post(elsewhere, bundle)

    assert statuses(response) == ["201 Created", "201 Created"]
    measure = OutcomeMeasure.objects.get(clinic=other_clinic)
    assert (measure.instrument, measure.answers) == ("ndi", NDI_ANSWERS)
