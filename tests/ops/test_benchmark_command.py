import pytest
from django.core.management import call_command

from patients.models import Patient
from treatments.models import TreatmentPlan, Visit

pytestmark = pytest.mark.system  # the benchmark command


@pytest.mark.django_db
def test_benchmark_loads_synthetic_data_and_times_every_endpoint(capsys):
    call_command("benchmark", patients=400, runs=2, budget_ms=5000)

    out = capsys.readouterr().out
    assert Patient.objects.count() == 400
    assert TreatmentPlan.objects.count() == 400
    assert Visit.objects.count() == 1200
    assert "patients, name prefix" in out and "visits, of a patient" in out
