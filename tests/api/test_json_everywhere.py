"""Every answer under /api/ is JSON in the one error shape, in development too, and a path
answers the same with or without its trailing slash."""

import pytest

NOT_FOUND = {
    "type": "client_error",
    "errors": [{"code": "not_found", "detail": "Not Found.", "attr": None}],
}


@pytest.fixture(params=[False, True], ids=["production-like", "development"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize(
    "path",
    ["/api/v1/no-such-thing/", "/api/v1/patients/not-a-uuid/", "/api/v1/patients/1/conditions/x"],
)
def test_unknown_urls_answer_json_not_html(debug, chiropractor_client, path):
    answer = chiropractor_client.get(path)

    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["errors"][0]["code"] == "not_found"
    assert answer["X-Request-ID"] and answer["Cache-Control"] == "no-store"


def test_paths_answer_the_same_with_and_without_the_trailing_slash(debug, chiropractor_client):
    body = {
        "given_name": "Ada",
        "family_name": "Slash",
        "date_of_birth": "1980-01-02",
        "sex_at_birth": "female",
    }
    without = chiropractor_client.post("/api/v1/patients", body)
    with_slash = chiropractor_client.post("/api/v1/patients/", body)

    assert without.status_code == with_slash.status_code == 201
    listed = chiropractor_client.get("/api/v1/patients", {"name": "Slash"})
    assert listed.status_code == 200 and len(listed.json()["results"]) == 2
    patient = without.json()["id"]
    assert chiropractor_client.get(f"/api/v1/patients/{patient}").json()["id"] == patient
    assert chiropractor_client.get("/api/v1/auth/me/").json()["username"] == "dr.palmer"


def test_login_takes_either_form(debug, chiropractor):
    from rest_framework.test import APIClient

    from tests.factories import TEST_PASSWORD

    for path in ("/api/v1/auth/login", "/api/v1/auth/login/"):
        answer = APIClient().post(path, {"username": "dr.palmer", "password": TEST_PASSWORD})
        assert answer.status_code == 200, path


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/patients/",
        "/api/v1/visits/",
        "/api/v1/staff/",
        "/api/v1/reference/exercises/",
        "/api/v1/audit-events/",
    ],
)
def test_an_unknown_query_parameter_is_refused_by_name(clinic_admin_client, path):
    answer = clinic_admin_client.get(path, {"updated_after": "2099-01-01"})

    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"code": "unknown_parameter", "detail": "Unknown query parameter.", "attr": "updated_after"}
    ]


def test_a_history_page_refuses_filters_it_does_not_have(chiropractor_client, patient):
    answer = chiropractor_client.get(f"/api/v1/patients/{patient.id}/history/", {"q": "x"})

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["attr"] == "q"


def test_an_empty_filter_is_refused_not_read_as_no_filter(chiropractor_client):
    answer = chiropractor_client.get("/api/v1/treatment-plans/", {"chiropractor": ""})

    assert answer.status_code == 400
    assert answer.json()["errors"][0] == {
        "code": "blank",
        "detail": "Give a value, or leave the parameter out.",
        "attr": "chiropractor",
    }


def test_a_date_time_without_its_offset_is_refused_not_read_as_utc(chiropractor_client, patient):
    naive = chiropractor_client.post(
        f"/api/v1/patients/{patient.id}/outcomes/",
        {"instrument": "nrs", "value": 4, "measured_at": "2026-11-25T09:30"},
    )
    assert naive.status_code == 400
    assert naive.json()["errors"][0]["attr"] == "measured_at"
    assert naive.json()["errors"][0]["code"] == "naive"

    listed = chiropractor_client.get("/api/v1/visits/", {"visit_after": "2026-11-25T09:30:00"})
    assert listed.status_code == 400
    assert listed.json()["errors"][0]["attr"] == "visit_after"
    with_offset = chiropractor_client.get(
        "/api/v1/visits/", {"visit_after": "2026-11-25T09:30:00-05:00"}
    )
    assert with_offset.status_code == 200


def test_an_optional_choice_may_be_left_empty_with_null(chiropractor_client, patient):
    changed = chiropractor_client.patch(
        f"/api/v1/patients/{patient.id}/",
        {"gender_identity": None, "preferred_contact_method": "", "activity_level": None},
    )

    assert changed.status_code == 200, changed.json()
    body = changed.json()
    assert (body["gender_identity"], body["activity_level"]) == ("", "")
    assert (
        chiropractor_client.patch(
            f"/api/v1/patients/{patient.id}/", {"sex_at_birth": None}
        ).status_code
        == 400
    )  # a required choice is not optional


@pytest.mark.parametrize(
    "path",
    ["/api/v1/patients/{patient}/", "/api/v1/patients/{patient}/statement/?date_from=2026-01-01"],
)
def test_an_accept_header_the_api_cannot_serve_answers_406_json_and_is_audited(
    chiropractor_client, patient, path
):
    from audit.models import AuditEvent

    answer = chiropractor_client.get(path.format(patient=patient.id), HTTP_ACCEPT="text/html")

    assert answer.status_code == 406
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["errors"][0]["code"] == "not_acceptable"
    assert AuditEvent.objects.filter(status_code=406).count() == 1


@pytest.mark.parametrize(
    ("path", "parameter", "value"),
    [
        ("/api/v1/appointments/", "patient", " "),
        ("/api/v1/appointments/", "chiropractor", "\t"),
        ("/api/v1/visits/", "patient", " "),
        ("/api/v1/audit-events/", "patient", " "),
        ("/api/v1/patients/", "name", "\x1d"),
    ],
)
def test_a_filter_of_white_space_only_is_refused_not_read_as_no_filter(
    clinic_admin_client, path, parameter, value
):
    answer = clinic_admin_client.get(path, {parameter: value})

    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"code": "blank", "detail": "Give a value, or leave the parameter out.", "attr": parameter}
    ]


@pytest.mark.parametrize("weekday", ["0.5", "7", "-1", "monday"])
def test_a_weekday_filter_takes_whole_days_only(clinic_admin_client, weekday):
    answer = clinic_admin_client.get("/api/v1/working-hours/", {"weekday": weekday})

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["attr"] == "weekday"
