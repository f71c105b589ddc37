"""`make loadtest` in small: 10,000 patients, a second per scenario, the real servers."""

from io import StringIO

import pytest
from django.core.management import call_command

from fhir_import.models import ImportedResource
from patients.models import Patient
from tests.conftest import FLUSHABLE_APPS

pytestmark = pytest.mark.system  # the small load test


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_the_load_test_completes_without_errors_within_its_round_trip_budgets():
    out = StringIO()

    # The command fails (CommandError) on any error answer or a read over its budget.
    call_command(
        "loadtest", patients=10_000, seconds=1, rounds=1, connections=8, workers=2, stdout=out
    )

    report = out.getvalue()
    # The seeded patients, and those the import scenario wrote besides.
    imported = ImportedResource.objects.filter(resource_type="Patient").values("record_id")
    assert Patient.objects.exclude(pk__in=imported).count() == 10_000
    assert imported.exists()
    for scenario in (
        "patient retrieve",
        "patient retrieve, spread",
        "patient list",
        "FHIR Patient read",
        "FHIR Patient search, name",
        "FHIR Patient $everything",
        "FHIR import, a patient and a condition",
        "name search",
        "phone search",
        "plan detail",
        "visits list",
        "visit create, 10 items",
        "visit create, 10 items, no change feed",
        "change feed, a page of 100",
        "plan progress",
        "day view",
        "available times, 7 days",
        "appointment reminders list",
        "a patient's appointment reminders",
        "series preview, 24 visits",
        "claim data",
        "webhook endpoints list",
        "ceiling: small JSON",
        "ceiling: ORM read by id",
        "ceiling: retrieve's floor",
    ):
        assert scenario in report
    assert "Project worker RSS after the load" in report
    assert "Change feed's cost on 'visit create, 10 items': CPU" in report
    # pgbench's run of a retrieve's SQL, audited and not (or a line saying pgbench is missing).
    assert "Database row" in report
