"""Booking, moving and closing appointments over HTTP, as the front desk and the chiropractor
do it; what the database holds afterwards."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scheduling.models import Appointment, AppointmentType
from tests.conftest import client_for
from tests.factories import PatientFactory, UserFactory
from tests.scheduling.conftest import local

APPOINTMENTS = "/api/v1/appointments/"


def codes(response) -> list[tuple]:
    return [(error["attr"], error["code"]) for error in response.json()["errors"]]


@pytest.mark.django_db
def test_the_front_desk_books_an_appointment(front_desk_client, booking, patient, front_desk):
    response = front_desk_client.post(APPOINTMENTS, booking)

    assert response.status_code == 201, response.json()
    body = response.json()
    start = datetime.datetime.fromisoformat(booking["start_at"])
    assert datetime.datetime.fromisoformat(body["end_at"]) == start + datetime.timedelta(minutes=15)
    assert body["status"] == "booked"
    assert body["allowed_actions"] == ["arrive", "complete", "cancel", "no-show"]
    assert body["buffer_after_minutes"] == 5
    assert body["patient_summary"]["given_name"] == patient.given_name
    assert body["booked_by"] == str(front_desk.id)
    assert body["booked_by_override"] is False
    assert response["ETag"] == '"1"'
    assert Appointment.objects.get(pk=body["id"]).start_at == start


@pytest.mark.django_db
def test_an_overlapping_booking_is_refused_and_nothing_is_written(front_desk_client, booking):
    assert front_desk_client.post(APPOINTMENTS, booking).status_code == 201

    again = front_desk_client.post(APPOINTMENTS, {**booking, "start_at": booking["start_at"]})

    assert again.status_code == 409
    assert codes(again) == [(None, "appointment_overlaps")]
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_a_buffer_is_kept_unless_a_chiropractor_overrides(
    front_desk_client, chiropractor_client, booking, booking_day
):
    assert front_desk_client.post(APPOINTMENTS, booking).status_code == 201
    # 10:00–10:15 plus 5 minutes: 10:15 falls in the buffer.
    into_buffer = {**booking, "start_at": local(booking_day, 10, 15)}

    refused = front_desk_client.post(APPOINTMENTS, into_buffer)
    desk_override = front_desk_client.post(APPOINTMENTS, {**into_buffer, "override": True})
    overridden = chiropractor_client.post(APPOINTMENTS, {**into_buffer, "override": True})

    assert refused.status_code == 409
    assert codes(refused) == [(None, "buffer_overlaps")]
    assert desk_override.status_code == 403
    assert overridden.status_code == 201
    assert overridden.json()["booked_by_override"] is True
    after_buffer = front_desk_client.post(
        APPOINTMENTS, {**booking, "start_at": local(booking_day, 10, 40)}
    )
    assert after_buffer.status_code == 201


@pytest.mark.django_db
def test_outside_working_hours_needs_an_override(
    front_desk_client, clinic_admin_client, booking, booking_day
):
    lunch = {**booking, "start_at": local(booking_day, 12, 30)}

    refused = front_desk_client.post(APPOINTMENTS, lunch)
    booked = clinic_admin_client.post(APPOINTMENTS, {**lunch, "override": True})

    assert refused.status_code == 409
    assert codes(refused) == [(None, "outside_working_hours")]
    assert booked.status_code == 201
    assert booked.json()["booked_by_override"] is True


@pytest.mark.django_db
def test_an_override_never_allows_an_overlap(chiropractor_client, booking):
    assert chiropractor_client.post(APPOINTMENTS, booking).status_code == 201

    again = chiropractor_client.post(APPOINTMENTS, {**booking, "override": True})

    assert again.status_code == 409
    assert codes(again) == [(None, "appointment_overlaps")]


@pytest.mark.django_db
def test_the_database_itself_refuses_an_overlap(booking, chiropractor, clinic, front_desk):
    from django.db import IntegrityError, transaction

    start = datetime.datetime.fromisoformat(booking["start_at"])
    fields = {
        "clinic": clinic,
        "patient_id": booking["patient"],
        "chiropractor": chiropractor,
        "appointment_type_id": booking["appointment_type"],
        "start_at": start,
        "end_at": start + datetime.timedelta(minutes=30),
        "booked_by": front_desk,
    }
    Appointment.objects.create(**fields)

    with pytest.raises(IntegrityError, match="already has an appointment"), transaction.atomic():
        Appointment.objects.create(**{**fields, "start_at": start + datetime.timedelta(minutes=20)})
    cancelled = Appointment.objects.create(
        **{**fields, "status": "cancelled", "cancellation_reason": "sick"}
    )
    assert cancelled.pk is not None
    assert Appointment.objects.filter(status="booked").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "attr", "code"),
    [
        ({"start_at": "2020-01-07T10:00:00-05:00"}, "start_at", "in_the_past"),
        ({"start_at": "2030-01-07T10:00:00"}, "start_at", "naive"),
        ({"appointment_type": "00000000-0000-4000-8000-000000000000"}, "appointment_type", None),
        ({"chiropractor": "00000000-0000-4000-8000-000000000000"}, "chiropractor", None),
        ({"desk_notes": "x" * 2001}, "desk_notes", "max_length"),
        ({"start_at": "next tuesday"}, "start_at", "invalid"),
        ({"override": "maybe"}, "override", "invalid"),
    ],
)
def test_bad_bookings_name_the_field(front_desk_client, booking, change, attr, code):
    response = front_desk_client.post(APPOINTMENTS, {**booking, **change})

    assert response.status_code == 400
    found = codes(response)
    assert [a for a, _ in found] == [attr], found
    if code is not None:
        assert found[0][1] == code
    assert Appointment.objects.count() == 0


@pytest.mark.django_db
def test_a_time_the_clocks_skip_is_refused(front_desk_client, booking):
    # 02:30 on the second Sunday of March does not exist in New York.
    year = datetime.datetime.now(datetime.UTC).year + 1
    march = datetime.date(year, 3, 1)
    second_sunday = march + datetime.timedelta(days=(6 - march.weekday()) % 7 + 7)

    response = front_desk_client.post(
        APPOINTMENTS, {**booking, "start_at": f"{second_sunday}T02:30:00-05:00"}
    )

    assert response.status_code == 400
    assert codes(response) == [("start_at", "nonexistent_local_time")]


@pytest.mark.django_db
def test_archived_patients_inactive_types_and_other_roles_are_refused(
    front_desk_client, booking, patient, adjustment_type, clinic
):
    assert front_desk_client.delete(f"/api/v1/patients/{patient.id}/").status_code == 204
    archived = front_desk_client.post(APPOINTMENTS, booking)
    front_desk_client.post(f"/api/v1/patients/{patient.id}/restore/")
    adjustment_type.is_active = False
    adjustment_type.save()
    inactive_type = front_desk_client.post(APPOINTMENTS, booking)
    adjustment_type.is_active = True
    adjustment_type.save()
    desk = UserFactory(clinic=clinic, role="front_desk")
    not_a_chiropractor = front_desk_client.post(
        APPOINTMENTS, {**booking, "chiropractor": str(desk.id)}
    )

    # The same conflict as every other write for an archived patient (issue 26: one status).
    assert archived.status_code == 409
    assert codes(archived) == [(None, "patient_archived")]
    assert codes(inactive_type) == [("appointment_type", "inactive_type")]
    assert not_a_chiropractor.status_code == 400
    assert [attr for attr, _ in codes(not_a_chiropractor)] == ["chiropractor"]
    assert Appointment.objects.count() == 0


@pytest.mark.django_db
def test_moving_an_appointment_keeps_its_history(
    front_desk_client, chiropractor_client, booking, booking_day
):
    booked = front_desk_client.post(APPOINTMENTS, booking).json()
    url = f"{APPOINTMENTS}{booked['id']}/"

    moved = front_desk_client.patch(url, {"start_at": local(booking_day, 14)}, HTTP_IF_MATCH='"1"')
    stale = front_desk_client.patch(url, {"start_at": local(booking_day, 15)}, HTTP_IF_MATCH='"1"')
    history = chiropractor_client.get(f"{url}history/")

    assert moved.status_code == 200, moved.json()
    assert moved.json()["times_moved"] == 1
    assert moved.json()["start_at"].startswith(f"{booking_day}T19:00")
    assert stale.status_code == 412
    assert history.status_code == 200
    starts = [version["values"].get("start_at") for version in history.json()["results"]]
    assert len([s for s in starts if s]) == 2


@pytest.mark.django_db
def test_the_freed_time_can_be_booked_after_a_move(front_desk_client, booking, booking_day):
    first = front_desk_client.post(APPOINTMENTS, booking).json()
    front_desk_client.patch(f"{APPOINTMENTS}{first['id']}/", {"start_at": local(booking_day, 11)})

    again = front_desk_client.post(APPOINTMENTS, booking)

    assert again.status_code == 201


@pytest.mark.django_db
def test_the_status_moves(front_desk_client, chiropractor_client, booking, booking_day, patient):
    booked = front_desk_client.post(APPOINTMENTS, booking).json()
    url = f"{APPOINTMENTS}{booked['id']}/"
    visit = chiropractor_client.post(
        "/api/v1/visits/",
        {"patient": str(patient.id), "visit_at": "2026-11-20T10:00:00Z", "pain_before": 5},
    ).json()

    arrived = front_desk_client.post(f"{url}arrive/")
    completed = chiropractor_client.post(f"{url}complete/", {"visit": visit["id"]})
    cancel_completed = front_desk_client.post(f"{url}cancel/", {"reason": "sick"})

    assert arrived.json()["status"] == "arrived"
    assert completed.status_code == 200, completed.json()
    assert completed.json()["visit"] == visit["id"]
    assert completed.json()["allowed_actions"] == []
    assert cancel_completed.status_code == 409
    assert codes(cancel_completed) == [(None, "transition_not_allowed")]


@pytest.mark.django_db
def test_cancelling_needs_a_reason_and_frees_the_time(front_desk_client, booking, front_desk):
    booked = front_desk_client.post(APPOINTMENTS, booking).json()
    url = f"{APPOINTMENTS}{booked['id']}/cancel/"

    no_reason = front_desk_client.post(url, {})
    bad_reason = front_desk_client.post(url, {"reason": "bored"})
    cancelled = front_desk_client.post(url, {"reason": "work", "note": "Shift changed."})
    rebooked = front_desk_client.post(APPOINTMENTS, booking)

    assert codes(no_reason) == [("reason", "required")]
    assert codes(bad_reason) == [("reason", "invalid_choice")]
    body = cancelled.json()
    assert body["status"] == "cancelled"
    assert body["cancellation_reason"] == "work"
    assert body["cancelled_by"] == str(front_desk.id)
    assert body["cancelled_at"] is not None
    assert rebooked.status_code == 201


@pytest.mark.django_db
def test_a_no_show_is_recorded(front_desk_client, booking):
    booked = front_desk_client.post(APPOINTMENTS, booking).json()

    answer = front_desk_client.post(f"{APPOINTMENTS}{booked['id']}/no-show/")

    assert answer.json()["status"] == "no_show"
    assert Appointment.objects.get(pk=booked["id"]).status == "no_show"


@pytest.mark.django_db
def test_a_visit_of_another_patient_cannot_complete_it(
    front_desk_client, chiropractor_client, booking, clinic
):
    booked = front_desk_client.post(APPOINTMENTS, booking).json()
    stranger = PatientFactory(clinic=clinic)
    visit = chiropractor_client.post(
        "/api/v1/visits/",
        {"patient": str(stranger.id), "visit_at": "2026-11-20T10:00:00Z", "pain_before": 5},
    ).json()

    answer = chiropractor_client.post(
        f"{APPOINTMENTS}{booked['id']}/complete/", {"visit": visit["id"]}
    )

    assert codes(answer) == [("visit", "visit_of_another_patient")]
    assert Appointment.objects.get(pk=booked["id"]).status == "booked"


@pytest.mark.django_db
def test_another_clinics_appointment_is_not_found(front_desk_client, other_admin_client, booking):
    booked = front_desk_client.post(APPOINTMENTS, booking).json()

    assert other_admin_client.get(f"{APPOINTMENTS}{booked['id']}/").status_code == 404
    assert other_admin_client.get(APPOINTMENTS).json()["results"] == []
    assert other_admin_client.post(f"{APPOINTMENTS}{booked['id']}/arrive/").status_code == 404


@pytest.mark.django_db
def test_the_day_view_filters_by_chiropractor_day_and_status(
    front_desk_client, booking, booking_day, chiropractor, clinic, adjustment_type
):
    for hour in (9, 10, 11):
        front_desk_client.post(APPOINTMENTS, {**booking, "start_at": local(booking_day, hour)})
    next_day = booking_day + datetime.timedelta(days=1)
    front_desk_client.post(APPOINTMENTS, {**booking, "start_at": local(next_day, 9)})
    first = Appointment.objects.order_by("start_at").first()
    front_desk_client.post(f"{APPOINTMENTS}{first.id}/cancel/", {"reason": "sick"})

    day = front_desk_client.get(
        APPOINTMENTS,
        {
            "chiropractor": str(chiropractor.id),
            "start_from": local(booking_day, 0),
            "start_before": local(next_day, 0),
            "status": "booked",
        },
    )

    assert day.status_code == 200
    starts = [row["start_at"] for row in day.json()["results"]]
    assert len(starts) == 2
    assert starts == sorted(starts)


@pytest.mark.django_db
def test_the_day_views_queries_do_not_grow_with_its_appointments(
    front_desk_client, booking, booking_day
):
    def day_view_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            answer = front_desk_client.get(APPOINTMENTS, {"start_from": local(booking_day, 0)})
        assert answer.status_code == 200
        return len(queries)

    front_desk_client.post(APPOINTMENTS, booking)
    one = day_view_queries()
    for hour in (9, 11, 13, 14, 15, 16):
        other = PatientFactory(clinic_id=Appointment.objects.first().clinic_id)
        front_desk_client.post(
            APPOINTMENTS,
            {**booking, "patient": str(other.id), "start_at": local(booking_day, hour)},
        )
    assert Appointment.objects.count() == 7
    assert day_view_queries() == one


@pytest.mark.django_db
def test_appointment_types_are_kept_by_clinic_admins(
    clinic_admin_client, front_desk_client, adjustment_type
):
    created = clinic_admin_client.post(
        "/api/v1/appointment-types/",
        {"name": "New-patient exam", "duration_minutes": 45, "default_for": "new_patient"},
    )
    desk = front_desk_client.post(
        "/api/v1/appointment-types/", {"name": "Quick", "duration_minutes": 10}
    )
    second_default = clinic_admin_client.post(
        "/api/v1/appointment-types/",
        {"name": "Another", "duration_minutes": 15, "default_for": "regular_visit"},
    )
    too_long = clinic_admin_client.post(
        "/api/v1/appointment-types/", {"name": "Marathon", "duration_minutes": 600}
    )
    retired = clinic_admin_client.delete(f"/api/v1/appointment-types/{adjustment_type.id}/")

    assert created.status_code == 201
    assert desk.status_code == 403
    assert second_default.status_code == 400
    assert codes(too_long) == [("duration_minutes", "max_value")]
    assert retired.status_code == 204
    assert AppointmentType.objects.get(pk=adjustment_type.pk).is_active is False


@pytest.mark.django_db
def test_a_chiropractor_keeps_only_their_own_hours(
    chiropractor_client, front_desk_client, clinic_admin_client, chiropractor, clinic
):
    colleague = UserFactory(clinic=clinic, role="chiropractor")
    monday = {"weekday": 0, "start_time": "08:00", "end_time": "12:00"}

    own = chiropractor_client.post(
        "/api/v1/working-hours/", {**monday, "chiropractor": str(chiropractor.id)}
    )
    colleagues = chiropractor_client.post(
        "/api/v1/working-hours/", {**monday, "chiropractor": str(colleague.id)}
    )
    by_admin = clinic_admin_client.post(
        "/api/v1/working-hours/", {**monday, "chiropractor": str(colleague.id)}
    )
    by_desk = front_desk_client.post(
        "/api/v1/working-hours/", {**monday, "chiropractor": str(chiropractor.id)}
    )
    overlapping = chiropractor_client.post(
        "/api/v1/working-hours/",
        {
            "weekday": 0,
            "start_time": "11:00",
            "end_time": "13:00",
            "chiropractor": str(chiropractor.id),
        },
    )
    backwards = chiropractor_client.post(
        "/api/v1/working-hours/",
        {
            "weekday": 1,
            "start_time": "13:00",
            "end_time": "11:00",
            "chiropractor": str(chiropractor.id),
        },
    )
    removed = chiropractor_client.delete(f"/api/v1/working-hours/{own.json()['id']}/")
    listed = front_desk_client.get("/api/v1/working-hours/", {"chiropractor": str(chiropractor.id)})

    assert own.status_code == 201
    assert colleagues.status_code == 403
    assert by_admin.status_code == 201
    assert by_desk.status_code == 403
    assert codes(overlapping) == [("start_time", "working_hours_overlap")]
    assert backwards.status_code == 400
    assert removed.status_code == 204
    assert listed.json()["results"] == []


@pytest.mark.django_db
def test_repeat_rules_of_exceptions_are_checked(chiropractor_client, chiropractor, booking_day):
    body = {
        "chiropractor": str(chiropractor.id),
        "kind": "time_off",
        "start_at": local(booking_day, 13),
        "end_at": local(booking_day, 17),
    }

    weekly = chiropractor_client.post(
        "/api/v1/schedule-exceptions/", {**body, "recurrence": "FREQ=WEEKLY;COUNT=4"}
    )
    hourly = chiropractor_client.post(
        "/api/v1/schedule-exceptions/", {**body, "recurrence": "FREQ=HOURLY"}
    )
    endless = chiropractor_client.post(
        "/api/v1/schedule-exceptions/", {**body, "recurrence": "FREQ=WEEKLY"}
    )

    assert weekly.status_code == 201, weekly.json()
    last = datetime.datetime.fromisoformat(weekly.json()["last_ends_at"])
    assert last.date() == booking_day + datetime.timedelta(weeks=3)
    assert codes(hourly) == [("recurrence", "invalid_recurrence")]
    assert endless.json()["last_ends_at"] is None
    for rule in (
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;COUNT=-1",
        "FREQ=DAILY;COUNT=12345678901234567890",
        "FREQ=MONTHLY;BYDAY=+999MO",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=WEEKLY;BYDAY=MO\nEXDATE:20260105T130000",
    ):
        refused = chiropractor_client.post(
            "/api/v1/schedule-exceptions/", {**body, "recurrence": rule}
        )
        assert codes(refused) == [("recurrence", "invalid_recurrence")], rule
    ancient = chiropractor_client.post(
        "/api/v1/schedule-exceptions/",
        {**body, "start_at": "1800-01-01T13:00:00-05:00", "end_at": "1800-01-01T17:00:00-05:00"},
    )
    month_long = chiropractor_client.post(
        "/api/v1/schedule-exceptions/",
        {
            **body,
            "end_at": local(booking_day + datetime.timedelta(days=40), 17),
            "recurrence": "FREQ=YEARLY",
        },
    )
    assert ancient.status_code == 400
    assert codes(month_long) == [("end_at", "too_long")]


@pytest.mark.django_db
def test_a_visit_starts_from_an_arrived_appointment_with_the_plans_items(
    front_desk_client, chiropractor_client, booking, full_plan, clinic
):
    plan = chiropractor_client.post("/api/v1/treatment-plans/", full_plan).json()
    chiropractor_client.post(f"/api/v1/treatment-plans/{plan['id']}/activate/")
    booked = front_desk_client.post(APPOINTMENTS, {**booking, "plan": plan["id"]}).json()
    url = f"{APPOINTMENTS}{booked['id']}/start-visit/"

    too_early = chiropractor_client.post(url)
    front_desk_client.post(f"{APPOINTMENTS}{booked['id']}/arrive/")
    by_desk = front_desk_client.post(url)
    colleague = client_for(UserFactory(clinic=clinic, role="chiropractor"))
    by_colleague = colleague.post(url)
    started = chiropractor_client.post(url)

    assert too_early.status_code == 409
    assert codes(too_early) == [(None, "appointment_not_arrived")]
    assert by_desk.status_code == 403
    assert by_colleague.status_code == 403
    assert started.status_code == 201, started.json()
    visit = started.json()
    assert visit["status"] == "draft"
    assert visit["plan"] == plan["id"]
    assert [a["planned_item"] for a in visit["adjustments"]] == [
        a["id"] for a in plan["adjustments"]
    ]
    assert [e["planned_item"] for e in visit["exercises"]] == [e["id"] for e in plan["exercises"]]
    assert visit["adjustments"][0]["segment"] == plan["adjustments"][0]["segment"]
    closed = Appointment.objects.get(pk=booked["id"])
    assert (closed.status, str(closed.visit_id)) == ("completed", visit["id"])
