"""Reads of the audit trail: the caller's clinic only (row-level security says the same)."""

from django.db.models import QuerySet

from audit.models import AuditEvent, AuditSeal
from clinics.models import User


def audit_event_list(*, user: User) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(clinic_id=user.clinic_id)


def patient_access_log(*, user: User, patient_id: object) -> QuerySet[AuditEvent]:
    """Who touched this patient's record, when, and what they did."""
    return audit_event_list(user=user).filter(patient_ids__contains=[patient_id])


def audit_seal_list(*, user: User) -> QuerySet[AuditSeal]:
    return AuditSeal.objects.filter(clinic_id=user.clinic_id)
