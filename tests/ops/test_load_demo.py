"""The demo clinic `make run` loads shows a working week and María's billed visits, read
through the API as the demo chiropractor would."""

import datetime

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from clinics.models import User
from ops.management.commands.load_demo import DEMO_WEEK
from patients.models import Patient
from patients.services import clinic_today
from tenancy.models import ClinicScopedModel
from tests.conftest import client_for


def clinic_rows() -> dict[str, int]:
    """Rows of every clinic-scoped table: the clinic's records and their items."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if issubclass(model, ClinicScopedModel)
    }


@pytest.mark.django_db
def test_the_demo_shows_a_working_week_and_marias_billed_visits_once():
    call_command("load_demo")
    first = clinic_rows()
    call_command("load_demo")
    assert clinic_rows() == first

    client = client_for(User.objects.get(username="dr.demo@demo"))
    maria = Patient.objects.get(given_name="María", family_name="García")

    hours = client.get("/api/v1/working-hours/", {"page_size": 100}).json()["results"]
    assert {row["weekday"] for row in hours} == {0, 1, 2, 3, 4}
    types = client.get("/api/v1/appointment-types/").json()["results"]
    assert {row["default_for"] for row in types} == {
        "new_patient",
        "regular_visit",
        "reexamination",
    }

    # A week of appointments from now on: passed slots of this week go to next week.
    now = timezone.now()
    week = client.get(
        "/api/v1/appointments/",
        {
            "start_from": now.isoformat(),
            "start_before": (now + datetime.timedelta(days=8)).isoformat(),
            "page_size": 100,
        },
    )
    assert week.status_code == 200
    appointments = week.json()["results"]
    assert len(appointments) == len(DEMO_WEEK)
    assert len({row["patient"] for row in appointments}) == 5
    assert {row["status"] for row in appointments} == {"booked"}
    # Every demo patient has an email address: the worker's console shows their reminders.
    assert client.get("/api/v1/clinic/").json()["appointment_reminders"] == "both"
    assert not Patient.objects.filter(clinic=maria.clinic, email="").exists()

    visits = client.get("/api/v1/visits/", {"patient": str(maria.id)}).json()["results"]
    assert len(visits) == 3
    for visit in visits:
        assert visit["status"] == "signed"
        assert visit["adjustments"] and visit["soft_tissue"] and visit["exercises"]
        assert all(item["planned_item"] for item in visit["adjustments"])
        assert visit["coding"]["status"] == "final"
        assert {line["cpt"] for line in visit["coding"]["lines"]} == {"98940", "97110"}

    claim = client.get(f"/api/v1/visits/{visits[0]['id']}/claim/")
    assert claim.status_code == 200
    assert claim.json()["ready"] is True, claim.json()["problems"]
    assert claim.json()["total_charge"] == "95.00"
    superbill = client.get(f"/api/v1/visits/{visits[0]['id']}/superbill/")
    assert superbill.status_code == 200
    assert superbill.content.startswith(b"%PDF")

    statement = client.get(
        f"/api/v1/patients/{maria.id}/statement/",
        {"date_from": "2026-11-01", "date_to": clinic_today(maria.clinic).isoformat()},
    )
    assert statement.status_code == 200
    assert len(statement.json()["visits"]) == 3
    assert statement.json()["total_charge"] == "285.00"
