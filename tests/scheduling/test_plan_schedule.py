"""A tapering care plan booked onto the calendar in one call: preview, conflicts and their
alternatives, all-or-nothing confirmation, skipping conflicts, and re-running for the rest."""

import datetime

import pytest

from audit.models import AuditEvent
from scheduling.models import Appointment, AppointmentType, WorkingHours
from tests.factories import PatientFactory
from tests.scheduling.conftest import local, next_weekday

PLANS = "/api/v1/treatment-plans/"
APPOINTMENTS = "/api/v1/appointments/"
TAPERING = [{"visits_per_week": 3, "weeks": 4}, {"visits_per_week": 2, "weeks": 6}]


@pytest.fixture
def monday() -> datetime.date:
    return next_weekday(0)


@pytest.fixture
def reexam_type(clinic) -> AppointmentType:
    return AppointmentType.objects.create(
        clinic=clinic, name="Re-examination", duration_minutes=30, default_for="reexamination"
    )


@pytest.fixture
def tapering_plan(chiropractor_client, full_plan, monday, adjustment_type, reexam_type) -> dict:
    body = {
        key: value for key, value in full_plan.items() if key not in ("visits_per_week", "weeks")
    }
    body.update(
        frequency=TAPERING,
        start_date=str(monday),
        reexam_interval_visits=12,
        reexam_interval_days=120,
    )
    plan = chiropractor_client.post(PLANS, body)
    assert plan.status_code == 201, plan.json()
    return plan.json()


def schedule(client, plan: dict, **body):
    return client.post(
        f"{PLANS}{plan['id']}/schedule/",
        {"weekdays": [0, 2, 4], "times": ["09:00", "10:00"], **body},
    )


def test_the_preview_has_every_visit_with_its_reexaminations(
    front_desk_client, tapering_plan, working_week, monday, reexam_type
):
    answer = schedule(front_desk_client, tapering_plan)

    assert answer.status_code == 200, answer.json()
    body = answer.json()
    visits = body["visits"]
    assert len(visits) == 24
    assert [v["number"] for v in visits if v["reexamination"]] == [12, 24]
    assert {v["appointment_type"] for v in visits if v["reexamination"]} == {str(reexam_type.id)}
    assert {v["status"] for v in visits} == {"free"}
    assert visits[0]["wall_clock"] == local(monday, 9)
    # Three a week for four weeks (Mon, Wed, Fri), then two a week (Mon, Wed).
    days = [datetime.datetime.fromisoformat(v["wall_clock"]).date() for v in visits]
    assert [d.weekday() for d in days[:3]] == [0, 2, 4]
    assert [d.weekday() for d in days[12:14]] == [0, 2]
    assert days[-1] == monday + datetime.timedelta(weeks=9, days=2)
    assert body["confirmed"] is False
    assert Appointment.objects.count() == 0


def test_the_series_warns_from_the_visit_beyond_the_authorisation(
    front_desk_client, chiropractor_client, tapering_plan, working_week, patient
):
    # The payer authorised 10 visits: the 11th of the series on is beyond them.
    coverage = front_desk_client.post(
        "/api/v1/coverages/",
        {
            "patient": str(patient.id),
            "payer_name": "Acme Health",
            "payer_type": "commercial",
            "member_id": "AC-1",
            "starts_on": "2026-01-01",
        },
    ).json()
    case = front_desk_client.post(
        "/api/v1/cases/",
        {
            "patient": str(patient.id),
            "coverage": coverage["id"],
            "plan": tapering_plan["id"],
            "title": "Neck, 2026",
            "authorised_visits": 10,
        },
    )
    assert case.status_code == 201, case.json()

    for confirm in (False, True):
        visits = schedule(front_desk_client, tapering_plan, confirm=confirm).json()["visits"]
        warned = [v["number"] for v in visits if v["warnings"]]
        assert warned == list(range(11, 25)), confirm
        assert visits[10]["warnings"][0]["code"] == "beyond_authorisation"
        assert "visit 11 of 10 authorised" in visits[10]["warnings"][0]["message"]

    # The week view says the same of each booked appointment, in the page's statements.
    page = front_desk_client.get(APPOINTMENTS, {"plan": tapering_plan["id"], "page_size": 100})
    booked = page.json()["results"]
    assert [bool(a["warnings"]) for a in booked] == [False] * 10 + [True] * 14


def test_a_conflict_is_shown_with_the_nearest_free_times(
    front_desk_client, tapering_plan, working_week, monday, booking, clinic
):
    # Someone else holds 09:00 and 10:00 on the first Wednesday.
    wednesday = monday + datetime.timedelta(days=2)
    for hour in (9, 10):
        stranger = PatientFactory(clinic=clinic)
        booked = front_desk_client.post(
            APPOINTMENTS,
            {**booking, "patient": str(stranger.id), "start_at": local(wednesday, hour)},
        )
        assert booked.status_code == 201

    visits = schedule(front_desk_client, tapering_plan).json()["visits"]

    second = visits[1]
    assert second["status"] == "conflict"
    assert second["start_at"] is None
    nearest = [
        datetime.datetime.fromisoformat(a["wall_clock"]).strftime("%H:%M")
        for a in second["alternatives"]
    ]
    # 09:15 and 09:45 run into the booked visits' times and buffers; 10:15 too.
    assert nearest == ["09:30", "10:30", "10:45"]
    assert all(v["status"] == "free" for v in visits if v["number"] != 2)


def test_confirm_books_the_series_in_one_call(
    front_desk_client, tapering_plan, working_week, front_desk
):
    answer = schedule(front_desk_client, tapering_plan, confirm=True)

    assert answer.status_code == 200, answer.json()
    visits = answer.json()["visits"]
    assert {v["status"] for v in visits} == {"booked"}
    stored = Appointment.objects.filter(plan_id=tapering_plan["id"])
    assert stored.count() == 24
    assert {a.booked_by_id for a in stored} == {front_desk.id}
    assert {str(a.id) for a in stored} == {v["appointment"] for v in visits}


def test_one_conflict_makes_the_confirm_book_none(
    front_desk_client, tapering_plan, working_week, monday, booking, clinic
):
    # A booking made after the preview takes both preferred times on one day of the series.
    preview = schedule(front_desk_client, tapering_plan).json()
    day = datetime.datetime.fromisoformat(preview["visits"][10]["wall_clock"]).date()
    for hour in (9, 10):
        stranger = PatientFactory(clinic=clinic)
        front_desk_client.post(
            APPOINTMENTS, {**booking, "patient": str(stranger.id), "start_at": local(day, hour)}
        )

    refused = schedule(front_desk_client, tapering_plan, confirm=True)
    skipped = schedule(front_desk_client, tapering_plan, confirm=True, skip_conflicts=True)

    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "series_conflicts"
    assert skipped.status_code == 200
    statuses = [v["status"] for v in skipped.json()["visits"]]
    assert statuses.count("booked") == 23
    assert statuses.count("conflict") == 1
    assert Appointment.objects.filter(plan_id=tapering_plan["id"]).count() == 23


def test_re_running_proposes_only_the_rest(front_desk_client, tapering_plan, working_week):
    first = schedule(front_desk_client, tapering_plan, confirm=True).json()
    booked = Appointment.objects.filter(plan_id=tapering_plan["id"]).order_by("start_at")
    for appointment in booked[14:]:
        front_desk_client.post(f"{APPOINTMENTS}{appointment.id}/cancel/", {"reason": "cost"})

    again = schedule(front_desk_client, tapering_plan).json()

    assert len(first["visits"]) == 24
    assert again["already_booked"] == 14
    assert [v["number"] for v in again["visits"]] == list(range(15, 25))
    assert [v["number"] for v in again["visits"] if v["reexamination"]] == [24]
    last_booked = booked[13].start_at.date()
    assert all(
        datetime.datetime.fromisoformat(v["start_at"]).date() > last_booked for v in again["visits"]
    )


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"weekdays": [0, 2]}, "weekdays", "too_few_weekdays"),
        ({"weekdays": [7, 1, 2]}, "weekdays.0", "max_value"),
        ({"times": ["25:00"]}, "times.0", "invalid"),
        ({"times": []}, "times", "min_length"),
        ({"start_date": "2020-01-06"}, "start_date", "in_the_past"),
    ],
)
def test_bad_series_requests_name_the_field(
    front_desk_client, tapering_plan, working_week, body, attr, code
):
    answer = schedule(front_desk_client, tapering_plan, **body)

    assert answer.status_code == 400
    assert [(e["attr"], e["code"]) for e in answer.json()["errors"]] == [(attr, code)]
    assert Appointment.objects.count() == 0


def test_another_clinics_plan_is_not_found(other_admin_client, tapering_plan):
    answer = schedule(other_admin_client, tapering_plan)

    assert answer.status_code == 404


def test_working_hours_shape_the_series(
    front_desk_client, tapering_plan, clinic, chiropractor, monday
):
    # Only Monday mornings are worked: Wednesdays and Fridays conflict.
    WorkingHours.objects.create(
        clinic=clinic,
        chiropractor=chiropractor,
        weekday=0,
        start_time=datetime.time(9),
        end_time=datetime.time(12),
    )

    visits = schedule(front_desk_client, tapering_plan).json()["visits"]

    assert [v["status"] for v in visits[:3]] == ["free", "conflict", "conflict"]
    assert visits[1]["alternatives"] == []


def test_progress_and_the_calendar_agree(
    front_desk_client, chiropractor_client, tapering_plan, working_week
):
    chiropractor_client.post(f"{PLANS}{tapering_plan['id']}/activate/")
    schedule(front_desk_client, tapering_plan, confirm=True)
    booked = list(Appointment.objects.filter(plan_id=tapering_plan["id"]).order_by("start_at"))
    front_desk_client.post(f"{APPOINTMENTS}{booked[0].id}/cancel/", {"reason": "sick"})
    front_desk_client.post(f"{APPOINTMENTS}{booked[1].id}/no-show/")

    progress = chiropractor_client.get(f"{PLANS}{tapering_plan['id']}/progress/").json()

    calendar = progress["calendar"]
    assert calendar["booked"] == 22
    assert (calendar["cancelled"], calendar["missed"], calendar["completed"]) == (1, 1, 0)
    assert calendar["unscheduled"] == 24 - 22
    assert calendar["next_visit_at"] == booked[2].start_at.isoformat().replace("+00:00", "Z")
    reexam = next(a for a in booked if a.appointment_type.default_for == "reexamination")
    assert calendar["next_reexamination_at"] == reexam.start_at.isoformat().replace("+00:00", "Z")


def test_a_preview_is_read_and_a_confirmation_books_in_the_audit_trail(
    front_desk_client, tapering_plan, working_week
):
    schedule(front_desk_client, tapering_plan)
    preview = AuditEvent.objects.filter(resource_type="appointment_series").latest("id")
    schedule(front_desk_client, tapering_plan, confirm=True)
    booking = AuditEvent.objects.filter(resource_type="appointment_series").latest("id")

    assert preview.action == "read"
    assert booking.action == "create"
    booked = {str(a.id) for a in Appointment.objects.filter(plan_id=tapering_plan["id"])}
    assert booked <= set(booking.object_ids)


def test_without_a_reexamination_type_the_count_carries_on(
    front_desk_client, chiropractor_client, full_plan, monday, adjustment_type, working_week
):
    body = {
        key: value for key, value in full_plan.items() if key not in ("visits_per_week", "weeks")
    }
    body.update(frequency=TAPERING, start_date=str(monday), reexam_interval_days=120)
    plan = chiropractor_client.post(PLANS, body).json()
    schedule(front_desk_client, plan, confirm=True)
    booked = Appointment.objects.filter(plan_id=plan["id"]).order_by("start_at")
    for appointment in booked[6:]:
        front_desk_client.post(f"{APPOINTMENTS}{appointment.id}/cancel/", {"reason": "cost"})

    again = schedule(front_desk_client, plan).json()

    assert again["already_booked"] == 6
    assert [v["number"] for v in again["visits"] if v["reexamination"]] == [12, 24]


@pytest.mark.parametrize(
    ("payload", "content_type", "status", "code"),
    [
        ('{"weekdays": [0', "application/json", 400, "parse_error"),
        ("weekdays=0", "text/plain", 415, "unsupported_media_type"),
    ],
)
def test_an_unreadable_schedule_request_is_refused_and_audited(
    front_desk_client, tapering_plan, payload, content_type, status, code
):
    url = f"{PLANS}{tapering_plan['id']}/schedule/"
    unknown = f"{PLANS}00000000-0000-0000-0000-000000000000/schedule/"

    answer = front_desk_client.generic("POST", url, payload, content_type=content_type)
    missing = front_desk_client.generic("POST", unknown, payload, content_type=content_type)

    assert answer.status_code == status
    assert answer.json()["errors"][0]["code"] == code
    assert missing.status_code == 404
    for response in (answer, missing):
        event = AuditEvent.objects.get(request_id=response["X-Request-ID"])
        assert event.status_code == response.status_code
        assert event.action == "read"
    assert Appointment.objects.count() == 0
