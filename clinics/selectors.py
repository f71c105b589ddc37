"""Reads of clinics and staff, scoped to the requesting user's clinic."""

from django.db.models import QuerySet

from clinics.models import User


def staff_list(*, user: User) -> QuerySet[User]:
    """The staff of the caller's own clinic; nobody else's."""
    return User.objects.filter(clinic_id=user.clinic_id).select_related("clinic")


def user_with_clinic(user_id: object) -> User:
    return User.objects.select_related("clinic").get(pk=user_id)
