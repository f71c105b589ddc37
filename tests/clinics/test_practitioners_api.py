"""The practitioner directory: every role puts names and colours on the calendar's ids."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.roles import Role
from clinics.models import CALENDAR_PALETTE
from tests.factories import UserFactory

PRACTITIONERS = "/api/v1/practitioners/"


@pytest.mark.parametrize("client_fixture", ["front_desk_client", "chiropractor_client"])
def test_every_role_reads_the_clinics_active_practitioners_and_nothing_more(
    request, client_fixture, clinic, chiropractor, other_admin
):
    UserFactory(clinic=clinic, role=Role.CHIROPRACTOR, first_name="Gone", is_active=False)
    client = request.getfixturevalue(client_fixture)

    answer = client.get(PRACTITIONERS, {"role": "chiropractor"})

    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [row["id"] for row in rows] == [str(chiropractor.id)]
    assert set(rows[0]) == {"id", "display_name", "role", "colour"}
    assert rows[0]["display_name"] == chiropractor.get_full_name()
    assert rows[0]["colour"] in CALENDAR_PALETTE


def test_a_chosen_colour_is_shown_and_a_bad_one_refused(
    clinic_admin_client, front_desk_client, chiropractor
):
    staff = f"/api/v1/staff/{chiropractor.id}/"
    chosen = clinic_admin_client.patch(staff, {"calendar_colour": "#1f77b4"})
    refused = clinic_admin_client.patch(staff, {"calendar_colour": "blue"})

    shown = front_desk_client.get(PRACTITIONERS).json()["results"]

    assert chosen.status_code == 200
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "calendar_colour"
    assert {row["id"]: row["colour"] for row in shown}[str(chiropractor.id)] == "#1f77b4"


def test_the_directory_reads_a_flat_number_of_statements(front_desk_client, clinic):
    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert front_desk_client.get(PRACTITIONERS).status_code == 200
        return len(queries)

    few = statements()
    UserFactory.create_batch(10, clinic=clinic, role=Role.CHIROPRACTOR)

    assert statements() == few


def test_a_new_staff_member_may_come_with_a_colour(clinic_admin_client, front_desk_client):
    made = clinic_admin_client.post(
        "/api/v1/staff/",
        {
            "username": "dr.teal",
            "password": "a-fresh-password-77",
            "role": "chiropractor",
            "first_name": "Tess",
            "last_name": "Teal",
            "calendar_colour": "#17becf",
        },
    )

    assert made.status_code == 201, made.json()
    shown = front_desk_client.get(PRACTITIONERS).json()["results"]
    assert {row["display_name"]: row["colour"] for row in shown}["Tess Teal"] == "#17becf"
