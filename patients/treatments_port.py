"""What patients ask of treatments, which sits above them: whether a plan is under way when a
patient is archived. Patients never import treatments; the treatments app's config answers,
found through the app registry (as treatments asks billing: treatments.visits.billing_port)."""

from datetime import date
from typing import Protocol

from django.apps import apps


class OpenPlan(Protocol):
    status: str
    start_date: date


class PatientTreatments(Protocol):
    def open_plan(self, patient) -> OpenPlan | None:
        """The patient's plan under way (active or on hold), the earliest first, if any."""
        ...


def treatments() -> PatientTreatments:
    return apps.get_app_config("treatments")  # type: ignore[return-value]
