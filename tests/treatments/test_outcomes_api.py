import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import PatientFactory


def outcomes_url(patient) -> str:
    return f"/api/v1/patients/{patient.id}/outcomes/"


def days_ago(days: int) -> str:
    return (timezone.now() - datetime.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("payload", "score", "max_score", "percent"),
    [
        ({"instrument": "odi", "answers": [2, 3, 1, 0, 4, 2, 3, 1, 2, 2]}, 20, 50, 40.0),
        ({"instrument": "ndi", "answers": [2, 3, 1, 0, 4, 2, 3, 1, 2, None]}, 18, 45, 40.0),
        ({"instrument": "nrs", "value": 7}, 7, 10, None),
    ],
)
def test_outcomes_are_scored_by_the_server(
    chiropractor_client, patient, payload, score, max_score, percent
):
    response = chiropractor_client.post(outcomes_url(patient), payload)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["score"], body["max_score"], body["percent"]) == (score, max_score, percent)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {"instrument": "odi", "answers": [None, None, None, 1, 1, 1, 1, 1, 1, 1]},
            ("answers", "unscorable"),
        ),
        ({"instrument": "odi", "answers": [1] * 9}, ("answers", "unscorable")),
        ({"instrument": "odi", "answers": [6] + [1] * 9}, ("answers.0", "max_value")),
        ({"instrument": "odi"}, ("answers", "required")),
        ({"instrument": "nrs"}, ("value", "required")),
        ({"instrument": "nrs", "value": 11}, ("value", "max_value")),
        ({"instrument": "vas", "value": 3}, ("instrument", "invalid_choice")),
        (
            {"instrument": "nrs", "value": 3, "measured_at": "2999-01-01T00:00:00Z"},
            ("measured_at", "future_date"),
        ),
    ],
)
def test_unscorable_outcomes_are_refused(chiropractor_client, patient, payload, expected):
    response = chiropractor_client.post(outcomes_url(patient), payload)

    assert response.status_code == 400
    assert expected in {(e["attr"], e["code"]) for e in response.json()["errors"]}


def test_outcomes_list_includes_pain_from_visits(chiropractor_client, patient):
    chiropractor_client.post(
        outcomes_url(patient),
        {"instrument": "odi", "answers": [1] * 10, "measured_at": days_ago(3)},
    )
    chiropractor_client.post(
        "/api/v1/visits/", {"patient": str(patient.id), "visit_at": days_ago(1), "pain_before": 5}
    )

    rows = chiropractor_client.get(outcomes_url(patient)).json()["results"]

    assert [(r["instrument"], r["score"], r["visit"] is not None) for r in rows] == [
        ("odi", 10, False),
        ("nrs", 5, True),
    ]


def test_a_recorded_outcome_is_marked_in_error_not_deleted(chiropractor_client, patient):
    outcome = chiropractor_client.post(
        outcomes_url(patient), {"instrument": "nrs", "value": 4}
    ).json()

    assert chiropractor_client.delete(f"{outcomes_url(patient)}{outcome['id']}/").status_code == 204
    assert chiropractor_client.get(outcomes_url(patient)).json()["results"] == []
    assert (
        chiropractor_client.get(f"{outcomes_url(patient)}{outcome['id']}/").json()["status"]
        == "entered-in-error"
    )


def test_front_desk_cannot_read_outcomes_and_other_clinics_are_404(
    front_desk_client, chiropractor_client, other_clinic
):
    stranger = PatientFactory(clinic=other_clinic)

    assert front_desk_client.get(outcomes_url(stranger)).status_code == 403
    assert chiropractor_client.get(outcomes_url(stranger)).status_code == 404
    assert (
        chiropractor_client.post(
            outcomes_url(stranger), {"instrument": "nrs", "value": 1}
        ).status_code
        == 404
    )


def test_outcome_list_query_count_does_not_grow_with_rows(chiropractor_client, patient):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert (
                chiropractor_client.get(outcomes_url(patient), {"page_size": 100}).status_code
                == 200
            )
        return len(queries)

    for _ in range(5):
        chiropractor_client.post(outcomes_url(patient), {"instrument": "odi", "answers": [1] * 10})
    with_five = count_queries()
    for _ in range(45):
        chiropractor_client.post(outcomes_url(patient), {"instrument": "nrs", "value": 3})

    assert count_queries() == with_five


def test_clinic_admins_read_outcomes_but_do_not_record_them(
    clinic_admin_client, chiropractor_client, patient
):
    chiropractor_client.post(outcomes_url(patient), {"instrument": "nrs", "value": 4})

    assert len(clinic_admin_client.get(outcomes_url(patient)).json()["results"]) == 1
    assert (
        clinic_admin_client.post(
            outcomes_url(patient), {"instrument": "nrs", "value": 4}
        ).status_code
        == 403
    )
