"""No double-booking, whatever the concurrency: fifty desks booking the same time for one
chiropractor through the production server with several workers."""

import threading

import pytest
import requests

from scheduling.models import Appointment
from tests.conftest import FLUSHABLE_APPS
from tests.factories import PatientFactory

ATTEMPTS = 50


def overlapping_pairs() -> int:
    rows = list(
        Appointment.objects.filter(status__in=["booked", "arrived", "completed"]).values_list(
            "chiropractor_id", "start_at", "end_at"
        )
    )
    return sum(
        1
        for i, (chiro, start, end) in enumerate(rows)
        for other_chiro, other_start, other_end in rows[i + 1 :]
        if chiro == other_chiro and start < other_end and other_start < end
    )


@pytest.mark.system
@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_fifty_concurrent_bookings_of_one_time_create_exactly_one(
    start_server, front_desk, booking, clinic
):
    from knox.models import AuthToken

    base = start_server(workers=4)
    token = AuthToken.objects.create(front_desk)[1]
    # Each desk books a different patient, so that only the chiropractor's time collides.
    bodies = [
        {**booking, "patient": str(PatientFactory(clinic=clinic).id)} for _ in range(ATTEMPTS)
    ]
    barrier = threading.Barrier(ATTEMPTS)
    statuses: list[int] = []

    def book(n: int) -> None:
        session = requests.Session()
        barrier.wait()
        answer = session.post(
            f"{base}/api/v1/appointments/",
            json=bodies[n],
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] + [409] * (ATTEMPTS - 1)
    assert Appointment.objects.count() == 1
    assert overlapping_pairs() == 0


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_the_database_alone_refuses_concurrent_overlaps(booking, clinic, chiropractor, front_desk):
    """Writers that skip the service (a script, an import) still cannot double-book."""
    import datetime

    from django.db import IntegrityError, transaction

    from tests.concurrency import at_once

    start = datetime.datetime.fromisoformat(booking["start_at"])
    patients = [PatientFactory(clinic=clinic) for _ in range(10)]

    def insert(n: int) -> int:
        try:
            with transaction.atomic():
                Appointment.objects.create(
                    clinic=clinic,
                    patient=patients[n],
                    chiropractor=chiropractor,
                    appointment_type_id=booking["appointment_type"],
                    start_at=start + datetime.timedelta(minutes=n),
                    end_at=start + datetime.timedelta(minutes=n + 15),
                    booked_by=front_desk,
                )
        except IntegrityError:
            return 409
        return 201

    statuses = at_once(insert, len(patients))

    assert sorted(statuses) == [201] + [409] * (len(patients) - 1)
    assert overlapping_pairs() == 0


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_two_confirmations_of_one_plan_book_its_visits_once(
    chiropractor, clinic, full_plan, adjustment_type, working_week
):
    """Each names another chiropractor, so no overlap stops the second: the plan's lock does."""
    from scheduling.models import WorkingHours
    from tests.concurrency import at_once
    from tests.conftest import client_for
    from tests.factories import UserFactory
    from tests.scheduling.conftest import next_weekday

    colleague = UserFactory(clinic=clinic, role="chiropractor")
    for hours in working_week:
        WorkingHours.objects.create(
            clinic=clinic,
            chiropractor=colleague,
            weekday=hours.weekday,
            start_time=hours.start_time,
            end_time=hours.end_time,
        )
    body = {k: v for k, v in full_plan.items() if k not in ("visits_per_week", "weeks")}
    body.update(frequency=[{"visits_per_week": 3, "weeks": 2}], start_date=str(next_weekday(0)))
    plan = client_for(chiropractor).post("/api/v1/treatment-plans/", body).json()
    clients = [client_for(chiropractor), client_for(chiropractor)]
    chosen = [chiropractor, colleague]

    def confirm(n: int) -> int:
        return (
            clients[n]
            .post(
                f"/api/v1/treatment-plans/{plan['id']}/schedule/",
                {
                    "weekdays": [0, 2, 4],
                    "times": ["09:00"],
                    "chiropractor": str(chosen[n].id),
                    "confirm": True,
                },
            )
            .status_code
        )

    assert at_once(confirm, 2) == [200, 200]
    assert Appointment.objects.filter(plan_id=plan["id"]).count() == 6
