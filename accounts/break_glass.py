"""Break-glass access: a staff member whose role does not read clinical records (the front
desk) opens one patient's record in an emergency, giving a reason, for a limited time.

While the grant lasts, the patient's own endpoints (`/patients/{id}/`, its conditions,
outcome measures and history) answer that user as they answer a clinician, for reading
only; every such read is audited as `break_glass_read`, and the grant itself as
`break_glass`. Clinic admins list every grant.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import timezone
from rest_framework.permissions import SAFE_METHODS

from accounts.error_codes import AccessCode
from accounts.models import BreakGlassGrant
from api.errors import Conflict
from api.mixin_bases import ViewSetBase
from api.permissions import may_read_clinical
from api.roles import Role
from clinics.models import User


def grants(*, user: User) -> QuerySet[BreakGlassGrant]:
    """Clinic admins see the clinic's grants; anyone else their own."""
    found = BreakGlassGrant.objects.for_clinic(user.staff_clinic_id).select_related(
        "user", "patient", "ended_by"
    )
    return found if user.role == Role.CLINIC_ADMIN else found.filter(user_id=user.pk)


def active_grant(*, user: User, patient_id: uuid.UUID | str) -> BreakGlassGrant | None:
    return (
        BreakGlassGrant.objects.for_clinic(user.staff_clinic_id)
        .filter(
            user_id=user.pk,
            patient_id=patient_id,
            expires_at__gt=timezone.now(),
            ended_at__isnull=True,
        )
        .order_by("-expires_at")
        .first()
    )


def grant_open(*, user: User, patient: Model, reason: str, minutes: int | None) -> BreakGlassGrant:
    if may_read_clinical(user):
        raise Conflict(
            "Your role already reads clinical records; break-glass access is not needed.",
            code=AccessCode.BREAK_GLASS_NOT_NEEDED,
        )
    now = timezone.now()
    return BreakGlassGrant.objects.create(  # type: ignore[misc]
        # The patient's model lives in patients, above accounts: to the type checker it is a
        # Model, not the Patient the foreign key names.
        clinic_id=user.staff_clinic_id,
        user=user,
        patient=patient,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(minutes=minutes or settings.BREAK_GLASS_MINUTES),
    )


def grant_end(*, grant: BreakGlassGrant, by: User) -> BreakGlassGrant:
    if grant.ended_at is not None or grant.expires_at <= timezone.now():
        raise Conflict("The grant has already ended.", code=AccessCode.BREAK_GLASS_ENDED)
    grant.ended_at = timezone.now()
    grant.ended_by = by
    grant.save(update_fields=["ended_at", "ended_by"])
    return grant


def _patient_key(patient_id: object) -> uuid.UUID | None:
    """The patient key an id from the URL names, if any: another id (a FHIR id is any
    string) opens nothing, and the view answers it as it answers an unknown id."""
    if not patient_id:
        return None
    try:
        return uuid.UUID(str(patient_id))
    except ValueError:
        return None


class BreakGlassReadMixin(ViewSetBase):
    """For a patient's own endpoints: a user with an active grant for the patient in the URL
    reads them as a clinician does (`api.permissions` sees `user.break_glass_grant`)."""

    break_glass_patient_kwarg = "patient_pk"

    def check_permissions(self, request) -> None:
        user = request.user
        if getattr(user, "is_clinic_staff", False):
            # Decided afresh for each request and its patient, never carried over.
            user.break_glass_grant = None
            patient_id = _patient_key(self.kwargs.get(self.break_glass_patient_kwarg))
            if (
                patient_id is not None
                and request.method in SAFE_METHODS
                and not may_read_clinical(user)
            ):
                user.break_glass_grant = active_grant(user=user, patient_id=patient_id)
        super().check_permissions(request)
