"""The feed's order under concurrency: numbers are given after commit, so a transaction that
commits late is read late, never skipped; 20 writers at once give a gapless feed in which each
record's changes keep their order."""

import threading
import time

import pytest
import requests
from django.db import connection, transaction
from knox.models import AuthToken

from changes.models import ChangeEvent
from changes.numbering import number_all
from patients.models import Patient
from tests.changes.conftest import EVENTS, feed
from tests.conftest import FLUSHABLE_APPS
from tests.factories import PatientFactory

WRITERS = 20
CHANGES_EACH = 3  # a patient registered, then changed twice


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_transaction_that_commits_late_is_read_after_the_others_not_skipped(
    front_desk_client, clinic
):
    """An id-ordered cursor (a BIGSERIAL read) would skip the late one: it takes its id first
    and commits last."""
    start = feed(front_desk_client)["next_cursor"]
    inserted, release = threading.Event(), threading.Event()
    late: list[str] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                late.append(str(PatientFactory(clinic_id=clinic.id).id))
                inserted.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert inserted.wait(timeout=30)
    early = PatientFactory(clinic=clinic)

    first = feed(front_desk_client, after=start)
    release.set()
    writer.join()
    second = feed(front_desk_client, after=first["next_cursor"])

    assert [e["resource_id"] for e in first["results"]] == [str(early.id)]
    assert [e["resource_id"] for e in second["results"]] == late
    early_event, late_event = (
        ChangeEvent.objects.get(resource_id=pk) for pk in (early.id, late[0])
    )
    assert late_event.id < early_event.id and late_event.seq > early_event.seq


@pytest.mark.system
@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_twenty_concurrent_writers_give_a_gapless_feed_in_each_records_order(
    start_server, front_desk, clinic
):
    base = start_server(workers=4)
    token = AuthToken.objects.create(front_desk)[1]
    headers = {"Authorization": f"Bearer {token}"}
    barrier = threading.Barrier(WRITERS)
    writing = threading.Event()
    writing.set()
    errors: list[BaseException] = []
    read: list[dict] = []

    def write(n: int) -> None:
        try:
            session = requests.Session()
            barrier.wait()
            created = session.post(
                f"{base}/api/v1/patients/",
                json={
                    "given_name": f"Writer{n}",
                    "family_name": "Concurrent",
                    "date_of_birth": "1980-01-01",
                    "sex_at_birth": "female",
                },
                headers=headers,
                timeout=60,
            )
            assert created.status_code == 201, created.text
            url = f"{base}/api/v1/patients/{created.json()['id']}/"
            for occupation in ("Welder", "Roofer"):
                changed = session.patch(
                    url, json={"occupation": occupation}, headers=headers, timeout=60
                )
                assert changed.status_code == 200, changed.text
        except BaseException as error:
            errors.append(error)

    def number_while_writing() -> None:
        try:
            while writing.is_set():
                number_all()
                time.sleep(0.01)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def read_while_writing() -> None:
        session, after = requests.Session(), "0"
        try:
            while True:
                done = not writing.is_set()
                page = session.get(
                    f"{base}{EVENTS}", params={"after": after}, headers=headers, timeout=60
                ).json()
                read.extend(page["results"])
                after = page["next_cursor"]
                if done and not page["has_more"]:
                    return
        except BaseException as error:
            errors.append(error)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    helpers = [
        threading.Thread(target=number_while_writing),
        threading.Thread(target=read_while_writing),
    ]
    for thread in [*helpers, *writers]:
        thread.start()
    for thread in writers:
        thread.join()
    number_all()  # what the last writers committed
    writing.clear()
    for thread in helpers:
        thread.join()

    assert errors == []
    committed = ChangeEvent.objects.filter(clinic=clinic).order_by("seq")
    assert [e["seq"] for e in read] == list(range(1, WRITERS * CHANGES_EACH + 1))
    assert [e["seq"] for e in read] == [event.seq for event in committed]
    assert Patient.objects.filter(clinic=clinic).count() == WRITERS
    by_record: dict[str, list[int]] = {}
    for event in read:
        by_record.setdefault(event["resource_id"], []).append(event["version"])
    assert len(by_record) == WRITERS
    assert all(versions == [1, 2, 3] for versions in by_record.values())
