"""Reads of clinics and staff, scoped to the requesting user's clinic."""

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.roles import Role
from clinics.models import Clinic, User


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


def own_clinic(*, user: User) -> QuerySet[Clinic]:
    """The caller's clinic, the only one they may see: a queryset of one row."""
    return Clinic.objects.filter(pk=user.staff_clinic_id)


def practitioner_list(*, user: User) -> QuerySet[User]:
    """The staff of the caller's clinic who treat, deactivated or not (their signed records
    still name them): chiropractors, and anyone holding an individual NPI, such as a
    chiropractor whose role has since become clinic admin. With their clinic."""
    return (
        User.objects.filter(clinic_id=user.staff_clinic_id)
        .filter(Q(role=Role.CHIROPRACTOR) | ~Q(npi=""))
        .select_related("clinic")
    )
