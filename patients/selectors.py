"""Reads of patients and conditions: scoped to the caller's clinic, prefetched for their role."""

from django.db.models import QuerySet

from api.nested_reads import Nested, nested
from api.permissions import may_read_clinical
from clinics.models import User
from patients.models import Condition, Patient

ONGOING_CONDITIONS = Nested("conditions", Condition.objects.ongoing(), to_attr="ongoing_conditions")


def patient_list(*, user: User) -> QuerySet[Patient]:
    """Patients of the caller's clinic; clinicians also get each patient's ongoing conditions."""
    patients: QuerySet[Patient] = Patient.objects.for_clinic(user.clinic_id)
    if may_read_clinical(user):
        patients = nested(patients, ONGOING_CONDITIONS)
    return patients


def condition_list(*, user: User) -> QuerySet[Condition]:
    return Condition.objects.for_clinic(user.clinic_id).select_related("patient")
