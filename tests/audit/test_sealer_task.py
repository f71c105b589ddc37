"""The sealer as the job queue runs it: a periodic task every AUDIT_SEAL_INTERVAL_SECONDS, one
pass at a time, that a real worker runs."""

import pytest
from django.conf import settings
from django.db import connection
from procrastinate.contrib.django import app as queue

from audit.models import AuditEvent, AuditSeal
from audit.tasks import seal
from jobs.periodic import cron_every
from tests.conftest import FLUSHABLE_APPS
from tests.job_queue import as_worker


def test_the_sealer_is_deferred_every_interval_one_pass_at_a_time():
    registered = queue.periodic_registry.periodic_tasks["audit.seal", "audit.seal"]

    assert registered.task is seal
    assert registered.cron == cron_every(settings.AUDIT_SEAL_INTERVAL_SECONDS)
    assert (seal.lock, seal.queueing_lock) == ("audit.seal", "audit.seal")


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_worker_seals_the_events_of_a_request(chiropractor_client, patient, empty_queue):
    assert chiropractor_client.get(f"/api/v1/patients/{patient.id}/").status_code == 200
    seal.defer(timestamp=1_800_000_000)

    with as_worker(queue) as worker_app:
        worker_app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)

    events = AuditEvent.objects.filter(clinic_id=patient.clinic_id)
    assert events.exists()
    assert not events.filter(seq__isnull=True).exists()
    assert AuditSeal.objects.filter(clinic_id=patient.clinic_id).exists()
    # Run, and deleted as it succeeded (the worker's own ticks may have queued another pass).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE args->>'timestamp' = %s", ["1800000000"]
        )
        assert cursor.fetchone()[0] == 0
