import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.models import Patient, PatientStatus
from tests.factories import ConditionFactory, PatientFactory

PATIENTS = "/api/v1/patients/"

NEW_PATIENT = {
    "given_name": "María",
    "family_name": "García",
    "date_of_birth": "1979-03-14",
    "sex_at_birth": "female",
    "phone": "(617) 555-0100",
    "email": "Maria.Garcia@Example.com",
    "address": {
        "line1": "1 Main St",
        "city": "Boston",
        "region": "MA",
        "postal_code": "02110",
        "country": "US",
    },
    "emergency_contact": {"name": "José García", "relationship": "spouse", "phone": "617-555-0111"},
    "preferred_contact_method": "sms",
    "occupation": "Software developer",
    "activity_level": "desk_work",
}


def detail(patient) -> str:
    return f"{PATIENTS}{patient.id}/"


def results(response) -> list[dict]:
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_front_desk_registers_a_patient_with_a_chart_number_assigned(front_desk_client, clinic):
    response = front_desk_client.post(PATIENTS, NEW_PATIENT)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["chart_number"] == "000001"
    assert body["phone"] == "+16175550100"
    assert body["email"] == "maria.garcia@example.com"
    assert body["address"]["city"] == "Boston"
    assert body["emergency_contact"] == {
        "name": "José García",
        "relationship": "spouse",
        "phone": "+16175550111",
    }
    assert body["status"] == "active"
    assert response["ETag"] == '"1"'
    assert Patient.objects.get(pk=body["id"]).clinic == clinic


def test_chart_numbers_count_up_per_clinic_and_skip_numbers_taken_by_hand(
    front_desk_client, clinic
):
    PatientFactory(clinic=clinic, chart_number="000002")

    first = front_desk_client.post(PATIENTS, NEW_PATIENT).json()["chart_number"]
    second = front_desk_client.post(PATIENTS, NEW_PATIENT).json()["chart_number"]

    assert (first, second) == ("000001", "000003")


def test_a_given_chart_number_must_be_unique_in_the_clinic(front_desk_client, clinic, other_clinic):
    PatientFactory(clinic=clinic, chart_number="A-100")
    PatientFactory(clinic=other_clinic, chart_number="B-200")

    taken = front_desk_client.post(PATIENTS, {**NEW_PATIENT, "chart_number": "A-100"})
    free_here = front_desk_client.post(PATIENTS, {**NEW_PATIENT, "chart_number": "B-200"})

    assert taken.status_code == 400
    assert taken.json()["errors"][0]["attr"] == "chart_number"
    assert taken.json()["errors"][0]["code"] == "unique"
    assert free_here.status_code == 201


@pytest.mark.parametrize(
    ("change", "attr", "code"),
    [
        (
            {
                "date_of_birth": (
                    datetime.datetime.now(tz=datetime.UTC).date() + datetime.timedelta(days=2)
                ).isoformat()
            },
            "date_of_birth",
            "future_date",
        ),
        ({"date_of_birth": "1880-01-01"}, "date_of_birth", "too_old"),
        ({"date_of_birth": "14/03/1979"}, "date_of_birth", "invalid"),
        ({"phone": "555-0100"}, "phone", "invalid_phone"),
        ({"phone": "call me"}, "phone", "invalid_phone"),
        ({"email": "maria@"}, "email", "invalid"),
        ({"given_name": ""}, "given_name", "blank"),
        ({"sex_at_birth": "robot"}, "sex_at_birth", "invalid_choice"),
        ({"date_of_brith": "1979-03-14"}, "date_of_brith", "unknown_field"),
        ({"address": {"line1": "1 Main St", "town": "Boston"}}, "address.town", "unknown_field"),
        ({"emergency_contact": {"phone": "12"}}, "emergency_contact.phone", "invalid_phone"),
        ({"address": {"country": "USA"}}, "address.country", "invalid"),
        ({"chart_number": "has space"}, "chart_number", "invalid_chart_number"),
        ({"status": "archived"}, "status", "use_delete_to_archive"),
    ],
)
def test_bad_patient_input_is_refused_per_field_and_nothing_is_written(
    front_desk_client, change, attr, code
):
    response = front_desk_client.post(PATIENTS, {**NEW_PATIENT, **change})

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert (attr, code) in {(e["attr"], e["code"]) for e in response.json()["errors"]}
    assert not Patient.objects.exists()


@pytest.mark.parametrize("missing", ["given_name", "family_name", "date_of_birth", "sex_at_birth"])
def test_required_demographics_must_be_given(front_desk_client, missing):
    payload = {key: value for key, value in NEW_PATIENT.items() if key != missing}

    response = front_desk_client.post(PATIENTS, payload)

    assert response.status_code == 400
    assert {(e["attr"], e["code"]) for e in response.json()["errors"]} == {(missing, "required")}


def test_patch_changes_only_what_is_sent_and_bumps_the_etag(front_desk_client, clinic):
    patient = PatientFactory(clinic=clinic, occupation="Nurse")

    response = front_desk_client.patch(detail(patient), {"address": {"city": "Cambridge"}})

    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    patient.refresh_from_db()
    assert patient.city == "Cambridge"
    assert patient.occupation == "Nurse"


def test_put_replaces_the_demographics(front_desk_client, clinic):
    patient = PatientFactory(clinic=clinic, chart_number="000777")

    response = front_desk_client.put(detail(patient), {**NEW_PATIENT, "family_name": "Lopez"})

    assert response.status_code == 200
    assert response.json()["family_name"] == "Lopez"
    assert response.json()["chart_number"] == "000777"


def test_update_with_a_stale_if_match_gets_412_and_changes_nothing(front_desk_client, clinic):
    patient = PatientFactory(clinic=clinic, occupation="Nurse")
    etag = front_desk_client.get(detail(patient))["ETag"]
    front_desk_client.patch(detail(patient), {"occupation": "Teacher"}, HTTP_IF_MATCH=etag)

    response = front_desk_client.patch(detail(patient), {"occupation": "Pilot"}, HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert response.json()["errors"][0]["code"] == "precondition_failed"
    patient.refresh_from_db()
    assert patient.occupation == "Teacher"
    assert patient.version == 2


def test_update_with_the_current_if_match_succeeds(front_desk_client, clinic):
    patient = PatientFactory(clinic=clinic)
    etag = front_desk_client.get(detail(patient))["ETag"]

    response = front_desk_client.patch(detail(patient), {"occupation": "Pilot"}, HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_delete_archives_and_keeps_the_record(front_desk_client, front_desk, clinic):
    patient = PatientFactory(clinic=clinic)

    response = front_desk_client.delete(detail(patient))

    assert response.status_code == 204
    patient.refresh_from_db()
    assert patient.status == PatientStatus.ARCHIVED
    assert patient.archived_by == front_desk
    assert patient.archived_at is not None
    assert front_desk_client.get(detail(patient)).json()["status"] == "archived"


def test_archived_patients_are_left_out_of_lists_unless_asked_for(front_desk_client, clinic):
    PatientFactory(clinic=clinic, family_name="Active")
    PatientFactory(
        clinic=clinic, family_name="Gone", status="archived", archived_at="2026-01-01T00:00Z"
    )

    everyday = [p["family_name"] for p in results(front_desk_client.get(PATIENTS))]
    archived = [
        p["family_name"] for p in results(front_desk_client.get(PATIENTS, {"status": "archived"}))
    ]

    assert everyday == ["Active"]
    assert archived == ["Gone"]


def test_an_archived_patient_can_be_restored_but_not_edited(front_desk_client, clinic):
    patient = PatientFactory(clinic=clinic)
    front_desk_client.delete(detail(patient))

    edit = front_desk_client.patch(detail(patient), {"occupation": "Pilot"})
    restore = front_desk_client.post(f"{detail(patient)}restore/")

    assert edit.status_code == 409
    assert edit.json()["errors"][0]["code"] == "patient_archived"
    assert restore.status_code == 200
    assert restore.json()["status"] == "active"
    assert restore.json()["archived_at"] is None
    assert front_desk_client.post(f"{detail(patient)}restore/").status_code == 409


def test_an_active_patient_can_be_discharged(front_desk_client, clinic):
    patient = PatientFactory(clinic=clinic)

    response = front_desk_client.patch(detail(patient), {"status": "inactive"})

    assert response.json()["status"] == "inactive"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"name": "gar"}, ["García"]),
        ({"name": "GARCIA"}, ["García"]),
        ({"name": "zoe"}, ["Zoë"]),
        ({"name": "mar gar"}, ["García"]),
        ({"name": "ria"}, []),
        ({"chart_number": "000042"}, ["Zoë"]),
        ({"date_of_birth": "1979-03-14"}, ["García"]),
        ({"phone": "555-0100"}, ["García"]),
        ({"phone": "(617) 555 0100"}, ["García"]),
        ({"phone": "+1 617 555 0100"}, ["García"]),
        ({"email": "ZOE@example.com"}, ["Zoë"]),
        ({"status": "inactive"}, ["Zoë"]),
    ],
)
def test_front_desk_search(front_desk_client, clinic, query, expected):
    PatientFactory(
        clinic=clinic,
        given_name="María",
        family_name="García",
        date_of_birth=datetime.date(1979, 3, 14),
        phone="+16175550100",
    )
    PatientFactory(
        clinic=clinic,
        given_name="Ana",
        family_name="Zoë",
        chart_number="000042",
        email="zoe@example.com",
        phone="+16175550199",
        status="inactive",
    )

    found = [p["family_name"] for p in results(front_desk_client.get(PATIENTS, query))]

    assert found == expected


def test_ordering_by_family_name_created_and_last_visit(front_desk_client, clinic):
    PatientFactory(clinic=clinic, family_name="Baker", last_visit_at="2026-11-01T10:00Z")
    PatientFactory(clinic=clinic, family_name="Álvarez")
    PatientFactory(clinic=clinic, family_name="Chen", last_visit_at="2026-11-20T10:00Z")

    def names(ordering: str) -> list[str]:
        return [
            p["family_name"]
            for p in results(front_desk_client.get(PATIENTS, {"ordering": ordering}))
        ]

    assert names("family_name") == ["Álvarez", "Baker", "Chen"]
    assert names("-created_at") == ["Chen", "Álvarez", "Baker"]
    assert names("-last_visit_at") == ["Chen", "Baker", "Álvarez"]
    assert names("last_visit_at") == ["Álvarez", "Baker", "Chen"]


def test_cursor_pages_through_patients_ordered_by_last_visit(front_desk_client, clinic):
    for day in range(1, 6):
        PatientFactory(clinic=clinic, last_visit_at=f"2026-11-0{day}T10:00Z")
    PatientFactory.create_batch(2, clinic=clinic)

    seen, url, params = [], PATIENTS, {"ordering": "-last_visit_at", "page_size": 2}
    while url:
        page = front_desk_client.get(url, params).json()
        seen += [p["id"] for p in page["results"]]
        url, params = page["next"], None

    assert len(seen) == len(set(seen)) == 7


def test_front_desk_does_not_see_clinical_fields(front_desk_client, chiropractor_client, clinic):
    patient = PatientFactory(clinic=clinic)
    ConditionFactory(patient=patient)

    desk_view = front_desk_client.get(detail(patient)).json()
    chiro_view = chiropractor_client.get(detail(patient)).json()

    assert "active_conditions" not in desk_view
    assert [c["code"] for c in chiro_view["active_conditions"]] == ["M62.830"]


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("get", "", None),
        ("put", "", NEW_PATIENT),
        ("patch", "", {"occupation": "Pilot"}),
        ("delete", "", None),
        ("post", "restore/", None),
        ("get", "conditions/", None),
        ("post", "conditions/", {"code": "M54.50", "body_region": "lumbar"}),
    ],
)
def test_another_clinics_patient_is_not_found(
    chiropractor_client, other_clinic, method, suffix, payload
):
    patient = PatientFactory(clinic=other_clinic, occupation="Nurse")

    response = getattr(chiropractor_client, method)(f"{detail(patient)}{suffix}", payload)

    assert response.status_code == 404
    patient.refresh_from_db()
    assert (patient.occupation, patient.status, patient.version) == ("Nurse", "active", 1)
    assert not patient.conditions.exists()


def test_another_clinics_patients_never_appear_in_lists(front_desk_client, clinic, other_clinic):
    PatientFactory(clinic=clinic, family_name="Mine")
    PatientFactory(clinic=other_clinic, family_name="Theirs")

    assert [p["family_name"] for p in results(front_desk_client.get(PATIENTS))] == ["Mine"]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"page_size": 100}).status_code == 200
    return len(queries)


def test_patient_list_with_condition_codes_costs_the_same_for_5_and_50(chiropractor_client, clinic):
    def add_patients(count: int) -> None:
        for patient in PatientFactory.create_batch(count, clinic=clinic):
            ConditionFactory.create_batch(2, patient=patient, recorded_by__clinic=clinic)

    add_patients(5)
    with_five = count_queries(chiropractor_client, PATIENTS)
    rows = chiropractor_client.get(PATIENTS, {"page_size": 100}).json()["results"]
    assert len(rows) == 5 and all(len(row["active_conditions"]) == 2 for row in rows)
    add_patients(45)

    assert count_queries(chiropractor_client, PATIENTS) == with_five
