"""The waitlist: patients waiting for an earlier time, and whom a freed time suits."""

import pytest

from scheduling.models import WaitlistEntry
from tests.factories import PatientFactory, UserFactory
from tests.scheduling.conftest import local

WAITLIST = "/api/v1/waitlist/"
APPOINTMENTS = "/api/v1/appointments/"

pytestmark = pytest.mark.django_db


def wait(client, patient, adjustment_type, **fields) -> dict:
    answer = client.post(
        WAITLIST,
        {"patient": str(patient.id), "appointment_type": str(adjustment_type.id), **fields},
    )
    assert answer.status_code == 201, answer.json()
    return answer.json()


def test_a_cancelled_time_lists_the_patients_it_suits_first_come_first(
    front_desk_client, booking, booking_day, clinic, adjustment_type, chiropractor
):
    booked = front_desk_client.post(APPOINTMENTS, booking).json()  # Tuesday 10:00–10:15
    tuesday = booking_day.weekday()
    early, late, other_day, afternoons, other_chiro, long_type = (
        PatientFactory(clinic=clinic) for _ in range(6)
    )
    first = wait(front_desk_client, early, adjustment_type, weekdays=[tuesday, 4])
    second = wait(
        front_desk_client,
        late,
        adjustment_type,
        chiropractor=str(chiropractor.id),
        earliest_time="09:30",
        latest_time="11:00",
    )
    wait(front_desk_client, other_day, adjustment_type, weekdays=[(tuesday + 1) % 7])
    wait(front_desk_client, afternoons, adjustment_type, earliest_time="13:00")
    colleague = UserFactory(clinic=clinic, role="chiropractor")
    wait(front_desk_client, other_chiro, adjustment_type, chiropractor=str(colleague.id))
    exam = adjustment_type.__class__.objects.create(
        clinic=clinic, name="New-patient exam", duration_minutes=45
    )
    wait(front_desk_client, long_type, exam)
    url = f"{APPOINTMENTS}{booked['id']}/waitlist-matches/"

    before = front_desk_client.get(url)
    front_desk_client.post(f"{APPOINTMENTS}{booked['id']}/cancel/", {"reason": "away"})
    after = front_desk_client.get(url)

    assert before.status_code == 409
    assert before.json()["errors"][0]["code"] == "time_not_freed"
    assert after.status_code == 200
    matches = after.json()["matches"]
    assert [m["entry"]["id"] for m in matches] == [first["id"], second["id"]]
    assert matches[0]["wall_clock"] == local(booking_day, 10)
    assert matches[0]["entry"]["patient_summary"]["phone"]


def test_withdrawing_keeps_the_entry(front_desk_client, patient, adjustment_type):
    entry = wait(front_desk_client, patient, adjustment_type)

    withdrawn = front_desk_client.delete(f"{WAITLIST}{entry['id']}/")
    by_patch = front_desk_client.patch(f"{WAITLIST}{entry['id']}/", {"status": "withdrawn"})
    listed = front_desk_client.get(WAITLIST, {"status": "waiting"})

    assert withdrawn.status_code == 204
    assert WaitlistEntry.objects.get(pk=entry["id"]).status == "withdrawn"
    assert by_patch.json()["errors"][0]["code"] == "use_delete_to_withdraw"
    assert listed.json()["results"] == []


@pytest.mark.parametrize(
    ("fields", "attr", "code"),
    [
        ({"weekdays": [7]}, "weekdays.0", "max_value"),
        ({"weekdays": [1, 1]}, "weekdays", "duplicate"),
        ({"earliest_time": "12:00", "latest_time": "09:00"}, None, None),
        ({"from_date": "2027-02-01", "until_date": "2027-01-01"}, None, None),
    ],
)
def test_bad_entries_are_refused(front_desk_client, patient, adjustment_type, fields, attr, code):
    answer = front_desk_client.post(
        WAITLIST,
        {"patient": str(patient.id), "appointment_type": str(adjustment_type.id), **fields},
    )

    assert answer.status_code == 400
    if attr is not None:
        assert [(e["attr"], e["code"]) for e in answer.json()["errors"]] == [(attr, code)]
    assert WaitlistEntry.objects.count() == 0


def test_another_clinics_entry_is_not_found(
    front_desk_client, other_admin_client, patient, adjustment_type
):
    entry = wait(front_desk_client, patient, adjustment_type)

    assert other_admin_client.get(f"{WAITLIST}{entry['id']}/").status_code == 404
    assert other_admin_client.get(WAITLIST).json()["results"] == []


def test_the_waitlist_costs_the_same_queries_for_one_or_ten(
    front_desk_client, clinic, adjustment_type
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert front_desk_client.get(WAITLIST).status_code == 200
        return len(captured)

    wait(front_desk_client, PatientFactory(clinic=clinic), adjustment_type)
    one = queries()
    for _ in range(9):
        wait(front_desk_client, PatientFactory(clinic=clinic), adjustment_type)

    assert queries() == one
