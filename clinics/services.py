"""Writes that carry the rules of clinics and staff."""

from typing import Unpack

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from knox.models import AuthToken

from api.errors import Conflict, field_error
from api.roles import Role
from clinics.error_codes import ClinicCode
from clinics.inputs import StaffChanges
from clinics.models import Clinic, User


def login_name(clinic: Clinic, name: str) -> str:
    """What a staff member logs in with: their name within the clinic, then the clinic's slug.

    Names are unique within a clinic only, so a clinic admin choosing one learns nothing of
    other clinics' staff.
    """
    return f"{name}@{clinic.slug}"


def slug_for(name: str) -> str:
    """A free slug made of the clinic's name (`back-in-line`, then `back-in-line-2`…)."""
    base = slugify(name)[:32].strip("-") or "clinic"
    taken = set(
        Clinic.objects.filter(slug__regex=rf"^{base}(-[0-9]+)?$").values_list("slug", flat=True)
    )
    n = 1
    slug = base
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def clinic_create(
    *,
    name: str,
    admin_username: str,
    admin_password: str,
    time_zone: str = "UTC",
    slug: str | None = None,
) -> Clinic:
    """Onboard a clinic together with its first clinic admin."""
    clinic = Clinic(name=name, time_zone=time_zone, slug=slug or slug_for(name))
    clinic.full_clean()
    clinic.save()
    staff_create(
        clinic=clinic, username=admin_username, password=admin_password, role=Role.CLINIC_ADMIN
    )
    return clinic


def check_active_chiropractor(chiropractor: User, clinic_id: object) -> None:
    """The chiropractor named on a plan, a visit or a schedule: an active one of the clinic."""
    if (
        chiropractor.clinic_id != clinic_id
        or chiropractor.role != Role.CHIROPRACTOR
        or not chiropractor.is_active
    ):
        raise field_error(
            "chiropractor",
            "Choose an active chiropractor of the clinic.",
            ClinicCode.NOT_CHIROPRACTOR,
        )


def staff_create(
    *,
    clinic: Clinic,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    npi: str = "",
    calendar_colour: str = "",
) -> User:
    """`username` is the name within the clinic; the staff member logs in as
    `<username>@<clinic slug>` (login_name)."""
    user = User(
        clinic=clinic,
        username=login_name(clinic, username),
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        npi=npi,
        calendar_colour=calendar_colour,
    )
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def _ensure_another_active_admin(user: User) -> None:
    # Lock the clinic so that two admins demoting each other at once cannot both pass.
    Clinic.objects.select_for_update().filter(pk=user.staff_clinic_id).first()
    others = User.objects.filter(
        clinic_id=user.staff_clinic_id, role=Role.CLINIC_ADMIN, is_active=True
    ).exclude(pk=user.pk)
    if user.role == Role.CLINIC_ADMIN and user.is_active and not others.exists():
        raise Conflict(
            "The clinic must keep at least one active clinic admin.",
            code=ClinicCode.LAST_CLINIC_ADMIN,
        )


@transaction.atomic
def staff_update(*, user: User, **changes: Unpack[StaffChanges]) -> User:
    """Change names, email or role; a clinic never loses its last active admin."""
    if changes.get("role", user.role) != user.role:
        _ensure_another_active_admin(user)
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def staff_deactivate(*, user: User, by: User) -> User:
    """Stop a staff member from logging in and revoke every token they hold."""
    if user.pk == by.pk:
        raise Conflict("You cannot deactivate your own account.", code=ClinicCode.SELF_DEACTIVATION)
    _ensure_another_active_admin(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    AuthToken.objects.filter(user=user).delete()
    return user


def staff_reactivate(*, user: User) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def staff_unlock(*, user: User) -> User:
    """Forget the account's failed logins (django-axes), lifting a lockout before its cool-off."""
    axes_reset(username=user.username)
    return user
