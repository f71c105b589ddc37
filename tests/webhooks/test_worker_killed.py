"""The issue's check with real workers: a worker killed mid-delivery, another started; every
event is delivered at least once, in order per record, and the duplicate carries the same
`webhook-id`."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.utils import timezone
from procrastinate.contrib.django import app as project_app

from ops.loadtest.servers import current_database_url
from tests.conftest import FLUSHABLE_APPS
from tests.webhooks.conftest import NEW_PATIENT, register
from tests.webhooks.receiver import Receiver, running
from webhooks.delivery import INTERRUPTED
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.system  # real worker processes, one killed


def until(condition: Callable[[], bool], seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def worker(log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker"],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": current_database_url(),
            "WEBHOOK_TIMEOUT_SECONDS": "2",
            "JOB_LOG_LEVEL": "INFO",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_worker_killed_mid_delivery_loses_no_event_and_keeps_the_order(
    empty_queue, tmp_path, clinic_admin_client, front_desk_client
):
    workers: list[subprocess.Popen] = []
    output = tmp_path / "workers.log"
    with running(Receiver(answers=["hang", 200])) as receiver, output.open("w") as log:
        try:
            endpoint = register(clinic_admin_client, receiver.url)
            patients = []
            for name in ("Okafor", "Lindqvist"):
                patient = front_desk_client.post(
                    "/api/v1/patients/", {**NEW_PATIENT, "family_name": name}
                ).json()
                changed = front_desk_client.patch(
                    f"/api/v1/patients/{patient['id']}/", {"occupation": "Welder"}
                )
                assert changed.status_code == 200
                patients.append(patient["id"])

            workers.append(worker(log))
            # The first POST hangs: the worker is mid-delivery. Kill it there.
            assert until(lambda: len(receiver.received) == 1), output.read_text()
            workers[0].kill()
            workers[0].wait(10)
            # What a stopped worker was running stays `doing` with its locks held (procrastinate
            # leaves stalled jobs to the operator): retried, as procrastinate's recipe does.
            for job in project_app.job_manager.list_jobs(status="doing"):
                assert job.id is not None
                project_app.job_manager.retry_job_by_id(job.id, retry_at=timezone.now())
            workers.append(worker(log))

            def all_delivered() -> bool:
                deliveries = WebhookDelivery.objects.filter(endpoint_id=endpoint["id"])
                return deliveries.count() == 4 and all(d.status == "succeeded" for d in deliveries)

            assert until(all_delivered), output.read_text()
        finally:
            for process in workers:
                process.kill()
                process.wait(10)

    bodies = [json.loads(received.body) for received in receiver.received]
    ids = [received.headers["webhook-id"] for received in receiver.received]
    deliveries = WebhookDelivery.objects.filter(endpoint_id=endpoint["id"]).order_by("event_seq")
    # At least once: every event, and the killed attempt's event a second time, same id.
    assert set(ids) == {d.event_id for d in deliveries}
    assert len(ids) == 5
    assert ids.count(ids[0]) == 2
    assert receiver.received[0].body == next(
        r.body for r in receiver.received[1:] if r.headers["webhook-id"] == ids[0]
    )
    # In order per record: each record's events arrive in feed order (a repeat aside).
    for patient in patients:
        seqs = [b["data"]["seq"] for b in bodies if b["data"]["resource_id"] == patient]
        first_seen = list(dict.fromkeys(seqs))
        assert first_seen == sorted(first_seen) and len(first_seen) == 2, seqs
        assert [b["type"] for b in bodies if b["data"]["resource_id"] == patient][-1] == (
            "patient.updated"
        )
    killed = deliveries.get(event_id=ids[0])
    assert killed.attempts == 2
    assert killed.attempt_log.order_by("number").first().error == INTERRUPTED
