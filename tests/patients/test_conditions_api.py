import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.models import Condition, VerificationStatus
from tests.factories import ConditionFactory, PatientFactory

NEW_CONDITION = {
    "code": "M62.830",
    "body_region": "lumbar",
    "onset_date": "2026-10-01",
    "cause": "sudden_exercise",
    "pain_at_intake": 7,
    "note": "Spasm after first gym session in a year.",
}


@pytest.fixture
def patient(clinic):
    return PatientFactory(clinic=clinic, date_of_birth=datetime.date(1980, 1, 1))


def conditions_url(patient) -> str:
    return f"/api/v1/patients/{patient.id}/conditions/"


def condition_url(condition) -> str:
    return f"/api/v1/patients/{condition.patient_id}/conditions/{condition.id}/"


def errors(response) -> set[tuple[str, str]]:
    assert response.status_code == 400, response.json()
    return {(e["attr"], e["code"]) for e in response.json()["errors"]}


def test_chiropractor_records_a_condition_with_its_official_description(
    chiropractor_client, chiropractor, patient
):
    response = chiropractor_client.post(conditions_url(patient), NEW_CONDITION)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"] == "M62.830"
    assert body["display"] == "Muscle spasm of back"
    assert body["clinical_status"] == "active"
    assert body["verification_status"] == "confirmed"
    assert body["recorded_by"] == str(chiropractor.id)
    assert body["patient"] == str(patient.id)
    assert response["ETag"] == '"1"'


@pytest.mark.parametrize(
    ("given", "stored"), [("M5450", "M54.50"), ("m54.50", "M54.50"), ("s134xxa", "S13.4XXA")]
)
def test_codes_are_accepted_with_or_without_the_dot_and_stored_dotted(
    chiropractor_client, patient, given, stored
):
    response = chiropractor_client.post(conditions_url(patient), {**NEW_CONDITION, "code": given})

    assert response.status_code == 201
    assert response.json()["code"] == stored


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"code": "M54.5"}, ("code", "not_billable")),
        ({"code": "M54"}, ("code", "not_billable")),
        ({"code": "Q99.999"}, ("code", "unknown_code")),
        ({"code": "back pain"}, ("code", "unknown_code")),
        ({"onset_date": "2999-01-01"}, ("onset_date", "future_date")),
        ({"onset_date": "1975-01-01"}, ("onset_date", "before_birth")),
        ({"pain_at_intake": 11}, ("pain_at_intake", "max_value")),
        ({"pain_at_intake": -1}, ("pain_at_intake", "min_value")),
        ({"body_region": "upper_extremity"}, ("laterality", "laterality_required")),
        ({"body_region": "spleen"}, ("body_region", "invalid_choice")),
        ({"clinical_status": "cured"}, ("clinical_status", "invalid_choice")),
        ({"verification_status": "entered-in-error"}, ("verification_status", "use_delete")),
        ({"severity": 3}, ("severity", "unknown_field")),
    ],
)
def test_bad_condition_input_is_refused_per_field(chiropractor_client, patient, change, expected):
    response = chiropractor_client.post(conditions_url(patient), {**NEW_CONDITION, **change})

    assert expected in errors(response)
    assert not Condition.objects.exists()


def test_an_extremity_condition_with_a_side_is_accepted(chiropractor_client, patient):
    response = chiropractor_client.post(
        conditions_url(patient),
        {
            **NEW_CONDITION,
            "code": "M62.831",
            "body_region": "lower_extremity",
            "laterality": "left",
        },
    )

    assert response.status_code == 201


def test_resolving_a_condition_records_the_date(chiropractor_client, patient):
    condition = ConditionFactory(patient=patient)

    resolved = chiropractor_client.patch(condition_url(condition), {"clinical_status": "resolved"})
    dated = chiropractor_client.patch(condition_url(condition), {"resolved_on": "2026-11-02"})
    recurred = chiropractor_client.patch(
        condition_url(condition), {"clinical_status": "recurrence"}
    )

    assert resolved.status_code == 200
    assert resolved.json()["resolved_on"] is not None
    assert dated.json()["resolved_on"] == "2026-11-02"
    assert recurred.json()["resolved_on"] is None


def test_delete_marks_entered_in_error_and_keeps_the_condition(chiropractor_client, patient):
    condition = ConditionFactory(patient=patient)

    response = chiropractor_client.delete(condition_url(condition))

    assert response.status_code == 204
    condition.refresh_from_db()
    assert condition.verification_status == VerificationStatus.ENTERED_IN_ERROR
    assert chiropractor_client.get(condition_url(condition)).status_code == 200
    assert chiropractor_client.get(conditions_url(patient)).json()["results"] == []
    in_error = chiropractor_client.get(
        conditions_url(patient), {"verification_status": "entered-in-error"}
    )
    assert [c["id"] for c in in_error.json()["results"]] == [str(condition.id)]


def test_a_condition_entered_in_error_is_read_only(chiropractor_client, patient):
    condition = ConditionFactory(patient=patient)
    chiropractor_client.delete(condition_url(condition))

    response = chiropractor_client.patch(condition_url(condition), {"note": "oops"})

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "entered_in_error"


def test_condition_update_with_a_stale_if_match_gets_412(chiropractor_client, patient):
    condition = ConditionFactory(patient=patient, note="first")
    etag = chiropractor_client.get(condition_url(condition))["ETag"]
    chiropractor_client.patch(condition_url(condition), {"note": "second"}, HTTP_IF_MATCH=etag)

    response = chiropractor_client.patch(
        condition_url(condition), {"note": "third"}, HTTP_IF_MATCH=etag
    )

    assert response.status_code == 412
    condition.refresh_from_db()
    assert condition.note == "second"


def test_conditions_of_an_archived_patient_cannot_be_added(
    chiropractor_client, front_desk_client, patient
):
    front_desk_client.delete(f"/api/v1/patients/{patient.id}/")

    response = chiropractor_client.post(conditions_url(patient), NEW_CONDITION)

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "patient_archived"


def test_front_desk_cannot_touch_conditions(front_desk_client, patient):
    condition = ConditionFactory(patient=patient)

    assert front_desk_client.get(conditions_url(patient)).status_code == 403
    assert front_desk_client.post(conditions_url(patient), NEW_CONDITION).status_code == 403
    assert front_desk_client.get(condition_url(condition)).status_code == 403
    assert front_desk_client.patch(condition_url(condition), {"note": "x"}).status_code == 403
    assert front_desk_client.delete(condition_url(condition)).status_code == 403
    assert front_desk_client.get("/api/v1/conditions/").status_code == 403
    condition.refresh_from_db()
    assert condition.verification_status == VerificationStatus.CONFIRMED


def test_clinic_admin_may_record_conditions(clinic_admin_client, patient):
    assert clinic_admin_client.post(conditions_url(patient), NEW_CONDITION).status_code == 201


@pytest.mark.parametrize(
    ("method", "payload"),
    [("get", None), ("put", NEW_CONDITION), ("patch", {"note": "x"}), ("delete", None)],
)
def test_another_clinics_condition_is_not_found(chiropractor_client, other_clinic, method, payload):
    condition = ConditionFactory(patient=PatientFactory(clinic=other_clinic), note="theirs")

    response = getattr(chiropractor_client, method)(condition_url(condition), payload)

    assert response.status_code == 404
    assert chiropractor_client.get(f"/api/v1/conditions/{condition.id}/").status_code == 404
    condition.refresh_from_db()
    assert (condition.note, condition.version) == ("theirs", 1)


def test_a_condition_is_not_found_under_another_patient(chiropractor_client, clinic, patient):
    condition = ConditionFactory(patient=PatientFactory(clinic=clinic))

    response = chiropractor_client.get(f"{conditions_url(patient)}{condition.id}/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("query", "expected_codes"),
    [
        ({"code": "M99.0"}, ["M99.01", "M99.03"]),
        ({"code": "m9903"}, ["M99.03"]),
        ({"clinical_status": "resolved"}, ["M54.2"]),
        ({"body_region": ["cervical", "lumbar"]}, ["M54.2", "M99.01", "M99.03"]),
        ({"onset_after": "2026-06-01"}, ["M99.03"]),
    ],
)
def test_conditions_are_filtered_across_patients(
    chiropractor_client, clinic, other_clinic, query, expected_codes
):
    first, second = PatientFactory(clinic=clinic), PatientFactory(clinic=clinic)
    ConditionFactory(patient=first, code="M99.01", body_region="cervical", onset_date="2026-01-10")
    ConditionFactory(patient=second, code="M99.03", body_region="lumbar", onset_date="2026-07-01")
    ConditionFactory(
        patient=second,
        code="M54.2",
        body_region="cervical",
        clinical_status="resolved",
        resolved_on="2026-08-01",
    )
    ConditionFactory(
        patient=PatientFactory(clinic=other_clinic), code="M99.02", body_region="thoracic"
    )

    response = chiropractor_client.get("/api/v1/conditions/", query)

    assert sorted(c["code"] for c in response.json()["results"]) == expected_codes


def test_condition_list_query_count_does_not_grow_with_rows(chiropractor_client, clinic):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert (
                chiropractor_client.get("/api/v1/conditions/", {"page_size": 100}).status_code
                == 200
            )
        return len(queries)

    ConditionFactory.create_batch(5, patient__clinic=clinic, recorded_by__clinic=clinic)
    with_five = count()
    ConditionFactory.create_batch(45, patient__clinic=clinic, recorded_by__clinic=clinic)

    assert count() == with_five


def test_an_archived_patients_conditions_cannot_change(
    chiropractor_client, front_desk_client, patient
):
    condition = ConditionFactory(patient=patient, note="before")
    front_desk_client.delete(f"/api/v1/patients/{patient.id}/")

    edit = chiropractor_client.patch(condition_url(condition), {"note": "after"})
    delete = chiropractor_client.delete(condition_url(condition))

    assert (edit.status_code, delete.status_code) == (409, 409)
    condition.refresh_from_db()
    assert (condition.note, condition.verification_status, condition.version) == (
        "before",
        "confirmed",
        1,
    )


@pytest.mark.parametrize(
    ("initial", "change", "expected"),
    [
        ({}, {"resolved_on": "2026-11-01"}, ("resolved_on", "not_resolved")),
        (
            {"clinical_status": "resolved", "resolved_on": "2026-11-01"},
            {"resolved_on": None},
            ("resolved_on", "null"),
        ),
    ],
)
def test_a_resolution_date_is_never_silently_dropped(
    chiropractor_client, patient, initial, change, expected
):
    condition = ConditionFactory(patient=patient, **initial)

    response = chiropractor_client.patch(condition_url(condition), change)

    assert expected in errors(response)


def test_a_resolution_date_on_a_new_unresolved_condition_is_refused(chiropractor_client, patient):
    response = chiropractor_client.post(
        conditions_url(patient), {**NEW_CONDITION, "resolved_on": "2026-11-01"}
    )

    assert ("resolved_on", "not_resolved") in errors(response)


def test_paging_conditions_by_onset_keeps_those_without_onset(chiropractor_client, patient):
    for onset in ["2026-01-01", None, "2026-03-01", None, "2026-02-01", None]:
        ConditionFactory(patient=patient, onset_date=onset)

    for ordering in ["onset_date", "-onset_date"]:
        seen, url, params = [], conditions_url(patient), {"ordering": ordering, "page_size": 2}
        while url:
            page = chiropractor_client.get(url, params)
            assert page.status_code == 200, page.json()
            seen += [c["id"] for c in page.json()["results"]]
            url, params = page.json()["next"], None
        assert len(set(seen)) == 6, ordering


def test_another_clinics_patient_is_404_even_with_a_bad_body(chiropractor_client, other_clinic):
    stranger = PatientFactory(clinic=other_clinic)

    response = chiropractor_client.post(conditions_url(stranger), {"code": "nonsense"})

    assert response.status_code == 404
