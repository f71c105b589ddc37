"""Record history: every version of patients, conditions, plans and visits, kept by database
triggers with the request's user and id, whatever wrote the change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.models import Patient
from tests.factories import PatientFactory


def history(client, url: str) -> list[dict]:
    response = client.get(f"{url}history/")
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.django_db
def test_a_patients_history_shows_each_version_who_and_what_changed(
    chiropractor_client, front_desk_client, chiropractor, front_desk, patient
):
    url = f"/api/v1/patients/{patient.id}/"
    first = front_desk_client.patch(url, {"phone": "+1 617 555 0188"})
    chiropractor_client.patch(url, {"occupation": "Roofer", "activity_level": "manual_labour"})

    versions = history(chiropractor_client, url)

    assert [(v["version"], v["change"], v["username"]) for v in versions] == [
        (1, "insert", ""),
        (2, "update", "desk.jane"),
        (3, "update", "dr.palmer"),
    ]
    assert versions[1]["changed_fields"] == ["phone"]
    assert versions[1]["request_id"] == first["X-Request-ID"]
    assert versions[1]["user"] == str(front_desk.id) and versions[1]["role"] == "front_desk"
    assert versions[2]["changed_fields"] == ["activity_level", "occupation"]
    assert versions[1]["values"]["phone"] == "+16175550188"
    assert versions[0]["values"]["phone"] == "+16175550123"


@pytest.mark.django_db
def test_a_bulk_update_is_recorded_with_the_requests_user(
    chiropractor_client, chiropractor, patient
):
    # Logging a visit moves the patient's last visit with QuerySet.update(), bypassing save().
    response = chiropractor_client.post(
        "/api/v1/visits/", {"patient": str(patient.id), "visit_at": "2026-11-20T10:00:00Z"}
    )

    versions = history(chiropractor_client, f"/api/v1/patients/{patient.id}/")

    assert versions[-1]["changed_fields"] == ["last_visit_at"]
    assert (versions[-1]["user"], versions[-1]["request_id"]) == (
        str(chiropractor.id),
        response["X-Request-ID"],
    )


@pytest.mark.django_db
def test_changes_made_outside_the_api_are_recorded_too(chiropractor_client, patient):
    Patient.objects.filter(pk=patient.pk).update(occupation="Carpenter")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE patients_patient SET city = 'Boston' WHERE id = %s", [patient.pk])

    versions = history(chiropractor_client, f"/api/v1/patients/{patient.id}/")

    assert [v["changed_fields"] for v in versions[1:]] == [["occupation"], ["city"]]
    assert versions[-1]["user"] is None


@pytest.mark.django_db
def test_conditions_plans_and_visits_have_a_history(chiropractor_client, full_plan, neck_pain):
    plan = chiropractor_client.post("/api/v1/treatment-plans/", full_plan).json()
    chiropractor_client.post(f"/api/v1/treatment-plans/{plan['id']}/activate/")
    visit = chiropractor_client.post(
        "/api/v1/visits/",
        {"patient": full_plan["patient"], "plan": plan["id"], "visit_at": "2026-11-20T10:00:00Z"},
    ).json()
    chiropractor_client.post(f"/api/v1/visits/{visit['id']}/sign/")
    chiropractor_client.patch(
        f"/api/v1/patients/{neck_pain.patient_id}/conditions/{neck_pain.id}/", {"pain_at_intake": 7}
    )

    plan_versions = history(chiropractor_client, f"/api/v1/treatment-plans/{plan['id']}/")
    visit_versions = history(chiropractor_client, f"/api/v1/visits/{visit['id']}/")
    condition_versions = history(chiropractor_client, f"/api/v1/conditions/{neck_pain.id}/")

    assert [v["values"]["status"] for v in plan_versions] == ["draft", "active"]
    assert [v["values"]["status"] for v in visit_versions] == ["draft", "signed"]
    assert condition_versions[-1]["changed_fields"] == ["pain_at_intake"]


@pytest.mark.django_db
def test_history_is_for_clinicians_of_the_clinic(
    front_desk_client, clinic_admin_client, other_admin_client, patient
):
    url = f"/api/v1/patients/{patient.id}/history/"

    assert clinic_admin_client.get(url).status_code == 200
    assert front_desk_client.get(url).status_code == 403
    assert other_admin_client.get(url).status_code == 404


@pytest.mark.django_db
def test_history_pages_cost_the_same_queries_however_long_the_history(chiropractor_client, clinic):
    counts = []
    for changes in (3, 30):
        patient = PatientFactory(clinic=clinic)
        for n in range(changes):
            Patient.objects.filter(pk=patient.pk).update(occupation=f"Job {n}")
        with CaptureQueriesContext(connection) as queries:
            response = chiropractor_client.get(
                f"/api/v1/patients/{patient.id}/history/", {"page_size": 2}
            )
        assert response.status_code == 200 and len(response.json()["results"]) == 2
        second = chiropractor_client.get(response.json()["next"]).json()["results"]
        assert second[0]["changed_fields"] == ["occupation"]
        counts.append(len(queries))

    assert counts[0] == counts[1]
