"""Free times over HTTP: what the front desk is offered, and what it is not."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scheduling.models import AppointmentType, WorkingHours
from tests.factories import PatientFactory, UserFactory
from tests.scheduling.conftest import NEW_YORK, local

TIMES = "/api/v1/appointments/available-times/"
NEXT = "/api/v1/appointments/next-available-time/"
APPOINTMENTS = "/api/v1/appointments/"


def clock(answer) -> list[str]:
    return [
        datetime.datetime.fromisoformat(time["wall_clock"]).strftime("%H:%M")
        for time in answer.json()["times"]
    ]


def one_day(day: datetime.date) -> dict:
    return {"start": local(day, 0), "end": local(day + datetime.timedelta(days=1), 0)}


@pytest.mark.django_db
def test_the_day_is_offered_around_lunch_and_booked_times(
    front_desk_client, booking, booking_day, adjustment_type
):
    assert front_desk_client.post(APPOINTMENTS, booking).status_code == 201  # 10:00–10:15 (+5)

    answer = front_desk_client.get(
        TIMES, {"appointment_type": str(adjustment_type.id), **one_day(booking_day)}
    )

    assert answer.status_code == 200, answer.json()
    offered = clock(answer)
    assert offered[0] == "09:00"
    assert "09:30" in offered
    # 09:45 would end at 10:00 and its 5-minute buffer would run into the booked visit.
    assert not {"09:45", "10:00", "10:15"} & set(offered)
    assert "10:30" in offered
    assert "11:45" in offered and "12:00" not in offered
    assert "13:00" in offered and offered[-1] == "16:45"
    assert answer.json()["time_zone"] == "America/New_York"
    wall = datetime.datetime.fromisoformat(answer.json()["times"][0]["wall_clock"])
    assert (
        wall.utcoffset()
        == datetime.datetime(
            booking_day.year, booking_day.month, booking_day.day, 9, tzinfo=NEW_YORK
        ).utcoffset()
    )


@pytest.mark.django_db
def test_time_off_is_not_offered(
    front_desk_client, chiropractor_client, chiropractor, booking_day, adjustment_type, working_week
):
    off = chiropractor_client.post(
        "/api/v1/schedule-exceptions/",
        {
            "chiropractor": str(chiropractor.id),
            "kind": "time_off",
            "start_at": local(booking_day, 13),
            "end_at": local(booking_day, 17),
            "recurrence": "FREQ=WEEKLY",
            "reason": "Teaching",
        },
    )
    assert off.status_code == 201, off.json()
    next_week = booking_day + datetime.timedelta(weeks=1)

    for day in (booking_day, next_week):
        answer = front_desk_client.get(
            TIMES, {"appointment_type": str(adjustment_type.id), **one_day(day)}
        )
        assert clock(answer)[-1] == "11:45"


@pytest.mark.django_db
def test_the_minimum_notice_hides_the_next_hours(
    front_desk_client, clinic_admin_client, adjustment_type, working_week, booking_day
):
    # Two weeks ahead is 14 days or more: a 15-day notice hides the whole booking day.
    clinic_admin_client.patch(
        f"/api/v1/appointment-types/{adjustment_type.id}/", {"minimum_notice_minutes": 20_160}
    )

    answer = front_desk_client.get(
        TIMES,
        {
            "appointment_type": str(adjustment_type.id),
            **one_day(booking_day - datetime.timedelta(days=7)),
        },
    )

    assert answer.status_code == 200
    assert answer.json()["times"] == []


@pytest.mark.django_db
def test_every_chiropractor_is_offered_without_one_chosen(
    front_desk_client, clinic, adjustment_type, working_week, booking_day, chiropractor
):
    colleague = UserFactory(clinic=clinic, role="chiropractor")
    UserFactory(clinic=clinic, role="chiropractor", is_active=False)

    WorkingHours.objects.create(
        clinic=clinic,
        chiropractor=colleague,
        weekday=booking_day.weekday(),
        start_time=datetime.time(18),
        end_time=datetime.time(19),
    )

    everyone = front_desk_client.get(
        TIMES, {"appointment_type": str(adjustment_type.id), **one_day(booking_day)}
    )
    only_colleague = front_desk_client.get(
        TIMES,
        {
            "appointment_type": str(adjustment_type.id),
            "chiropractor": str(colleague.id),
            **one_day(booking_day),
        },
    )

    whose = {time["chiropractor"] for time in everyone.json()["times"]}
    assert whose == {str(chiropractor.id), str(colleague.id)}
    assert clock(only_colleague) == ["18:00", "18:15", "18:30", "18:45"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "attr", "code"),
    [
        ({"end": "start"}, "end", "end_before_start"),
        ({"end": "+8 days"}, "end", "window_too_long"),
        ({"start": "2030-01-01T09:00"}, "start", "naive"),
        ({"appointment_type": "00000000-0000-4000-8000-000000000000"}, "appointment_type", None),
        ({"colour": "blue"}, "colour", "unknown_parameter"),
    ],
)
def test_bad_windows_are_refused(
    front_desk_client, adjustment_type, booking_day, params, attr, code
):
    window = one_day(booking_day)
    start = datetime.datetime.fromisoformat(window["start"])
    if params.get("end") == "start":
        params = {"end": window["start"]}
    elif params.get("end") == "+8 days":
        params = {"end": (start + datetime.timedelta(days=8)).isoformat()}
    query = {"appointment_type": str(adjustment_type.id), **window, **params}

    answer = front_desk_client.get(TIMES, query)

    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert [error["attr"] for error in errors] == [attr]
    if code is not None:
        assert errors[0]["code"] == code


@pytest.mark.django_db
def test_another_clinics_type_is_unknown(other_admin_client, adjustment_type):
    answer = other_admin_client.get(TIMES, {"appointment_type": str(adjustment_type.id)})

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["attr"] == "appointment_type"


@pytest.mark.django_db
def test_the_next_free_time_skips_a_full_day(
    front_desk_client, booking, booking_day, adjustment_type, clinic, chiropractor
):
    after = local(booking_day, 16, 30)
    for start in ("16:30", "16:50"):
        hour, minute = map(int, start.split(":"))
        front_desk_client.post(
            APPOINTMENTS,
            {
                **booking,
                "patient": str(PatientFactory(clinic=clinic).id),
                "start_at": local(booking_day, hour, minute),
            },
        )

    answer = front_desk_client.get(
        NEXT,
        {
            "appointment_type": str(adjustment_type.id),
            "chiropractor": str(chiropractor.id),
            "after": after,
        },
    )

    assert answer.status_code == 200
    body = answer.json()
    assert body["found"] is True
    next_time = datetime.datetime.fromisoformat(body["time"]["wall_clock"])
    assert (next_time.date(), next_time.strftime("%H:%M")) == (
        booking_day + datetime.timedelta(days=1),
        "09:00",
    )


@pytest.mark.django_db
def test_no_free_time_is_said_plainly(front_desk_client, clinic):
    lonely = AppointmentType.objects.create(clinic=clinic, name="Exam", duration_minutes=45)

    answer = front_desk_client.get(NEXT, {"appointment_type": str(lonely.id)})

    assert answer.status_code == 200
    assert answer.json()["found"] is False
    assert answer.json()["time"] is None


@pytest.mark.django_db
def test_available_times_cost_the_same_queries_whatever_is_booked(
    front_desk_client, booking, booking_day, adjustment_type, clinic
):
    query = {"appointment_type": str(adjustment_type.id), **one_day(booking_day)}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert front_desk_client.get(TIMES, query).status_code == 200
        return len(captured)

    front_desk_client.post(APPOINTMENTS, booking)
    one = queries()
    for hour in (9, 11, 13, 14, 15, 16):
        front_desk_client.post(
            APPOINTMENTS,
            {
                **booking,
                "patient": str(PatientFactory(clinic=clinic).id),
                "start_at": local(booking_day, hour),
            },
        )

    assert queries() == one


@pytest.mark.django_db
def test_a_week_across_the_fall_back_change_is_seven_days_on_the_clock(
    front_desk_client, adjustment_type, working_week
):
    year = datetime.datetime.now(datetime.UTC).year + 1
    november = datetime.date(year, 11, 1)
    first_sunday = november + datetime.timedelta(days=(6 - november.weekday()) % 7)
    start = first_sunday - datetime.timedelta(days=3)

    week = front_desk_client.get(
        TIMES,
        {
            "appointment_type": str(adjustment_type.id),
            "start": local(start, 0),
            "end": local(start + datetime.timedelta(days=7), 0),
        },
    )
    longer = front_desk_client.get(
        TIMES,
        {
            "appointment_type": str(adjustment_type.id),
            "start": local(start, 0),
            "end": local(start + datetime.timedelta(days=7), 1),
        },
    )

    assert week.status_code == 200, week.json()
    assert longer.status_code == 400
    # Five working days of 9–12 and 13–17 on the wall clock: 15-minute visits every 15.
    assert len(week.json()["times"]) == 5 * (12 + 16)
    assert {time["wall_clock"][11:16] for time in week.json()["times"]} >= {"09:00", "16:45"}


@pytest.mark.django_db
def test_a_default_week_before_spring_forward_is_accepted(
    front_desk_client, adjustment_type, working_week
):
    year = datetime.datetime.now(datetime.UTC).year + 1
    march = datetime.date(year, 3, 1)
    second_sunday = march + datetime.timedelta(days=(6 - march.weekday()) % 7 + 7)
    start = second_sunday - datetime.timedelta(days=4)

    answer = front_desk_client.get(
        TIMES, {"appointment_type": str(adjustment_type.id), "start": f"{start}T12:00:00Z"}
    )

    assert answer.status_code == 200, answer.json()
    end = datetime.datetime.fromisoformat(answer.json()["end"])
    assert end - datetime.datetime.fromisoformat(f"{start}T12:00:00+00:00") == datetime.timedelta(
        days=7, hours=-1
    )


@pytest.mark.django_db
def test_times_stay_on_the_grid_of_working_hours_whatever_the_windows_start(
    front_desk_client, adjustment_type, working_week, booking_day
):
    start = datetime.datetime.fromisoformat(local(booking_day, 10, 7)) + datetime.timedelta(
        seconds=58, microseconds=575424
    )
    later = front_desk_client.get(
        TIMES, {"appointment_type": str(adjustment_type.id), "start": start.isoformat()}
    )
    following = front_desk_client.get(
        NEXT, {"appointment_type": str(adjustment_type.id), "after": start.isoformat()}
    )

    assert later.status_code == 200, later.json()
    assert clock(later)[:2] == ["10:15", "10:30"]
    assert following.json()["time"]["wall_clock"] == local(booking_day, 10, 15)


@pytest.mark.django_db
def test_todays_times_are_whole_steps_from_now_on(
    front_desk_client, clinic, chiropractor, adjustment_type
):

    for weekday in range(7):
        WorkingHours.objects.create(
            clinic=clinic,
            chiropractor=chiropractor,
            weekday=weekday,
            start_time=datetime.time(0),
            end_time=datetime.time(23, 45),
        )
    now = datetime.datetime.now(datetime.UTC)

    answer = front_desk_client.get(TIMES, {"appointment_type": str(adjustment_type.id)})
    first = front_desk_client.get(NEXT, {"appointment_type": str(adjustment_type.id)})

    starts = [datetime.datetime.fromisoformat(t["start_at"]) for t in answer.json()["times"]]
    assert starts and starts[0] - now < datetime.timedelta(minutes=15)
    assert all((s.minute % 15, s.second, s.microsecond) == (0, 0, 0) for s in starts)
    assert datetime.datetime.fromisoformat(first.json()["time"]["start_at"]) == starts[0]


@pytest.mark.django_db
def test_free_times_by_the_clinics_own_days(
    front_desk_client, adjustment_type, working_week, booking_day
):
    type_id = str(adjustment_type.id)
    by_date = front_desk_client.get(TIMES, {"appointment_type": type_id, "date": str(booking_day)})
    by_window = front_desk_client.get(TIMES, {"appointment_type": type_id, **one_day(booking_day)})
    # 14 March 2027: New York's clocks spring forward, a day of 23 hours.
    spring = front_desk_client.get(
        TIMES, {"appointment_type": type_id, "date": "2027-03-14", "days": 2}
    )
    both = front_desk_client.get(
        TIMES, {"appointment_type": type_id, "date": str(booking_day), **one_day(booking_day)}
    )
    stray = front_desk_client.get(TIMES, {"appointment_type": type_id, "days": 2})
    too_many = front_desk_client.get(
        TIMES, {"appointment_type": type_id, "date": str(booking_day), "days": 8}
    )

    assert by_date.status_code == 200, by_date.json()
    assert by_date.json()["times"] == by_window.json()["times"] != []
    assert (spring.json()["start"], spring.json()["end"]) == (
        "2027-03-14T05:00:00Z",
        "2027-03-16T04:00:00Z",
    )
    assert both.json()["errors"][0]["code"] == "date_with_window"
    assert stray.json()["errors"][0]["code"] == "days_without_date"
    assert too_many.json()["errors"][0]["attr"] == "days"
