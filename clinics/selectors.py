"""Reads of clinics and staff, scoped to the requesting user's clinic."""

import uuid

from django.db.models import Exists, OuterRef, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinics.models import User


def staff_list(*, user: User) -> QuerySet[User]:
    """The staff of the caller's own clinic; nobody else's."""
    return (
        User.objects.filter(clinic_id=user.staff_clinic_id)
        .select_related("clinic")
        .annotate(
            mfa_enabled=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True))
        )
    )


def user_with_clinic(user_id: uuid.UUID) -> User:
    return User.objects.select_related("clinic").get(pk=user_id)


def practitioner_directory(*, user: User) -> QuerySet[User]:
    """The active staff of the caller's clinic: what a calendar shows of them."""
    return User.objects.filter(clinic_id=user.staff_clinic_id, is_active=True).only(
        "id", "username", "first_name", "last_name", "role", "calendar_colour"
    )
