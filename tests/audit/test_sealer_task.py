"""The sealer as the job queue runs it: a periodic task every AUDIT_SEAL_INTERVAL_SECONDS, one
pass at a time, that a real worker runs."""

import pytest
from django.conf import settings
from django.db import connection
from procrastinate.contrib.django import app as queue

from audit.models import AuditEvent, AuditSeal
from audit.tasks import keep_partitions, seal
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


def test_the_partitions_are_kept_hourly():
    registered = queue.periodic_registry.periodic_tasks["audit.partitions", "audit.partitions"]

    assert registered.task is keep_partitions
    assert registered.cron == cron_every(3600)


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_worker_makes_a_coming_months_missing_partition(empty_queue):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_char(date_trunc('month', now()) + interval '2 months',"
            ' \'"audit_auditevent_y"YYYY"m"MM\')'
        )
        month = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {month}")  # empty: the month has not begun
    keep_partitions.defer(timestamp=1_800_000_000)

    with as_worker(queue) as worker_app:
        worker_app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_inherits"
            " WHERE inhparent = 'audit_auditevent'::regclass AND inhrelid = to_regclass(%s)",
            [month],
        )
        assert cursor.fetchone()[0] == 1
