"""Clinics (the tenants) and the staff users who work in them."""

import uuid
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from api.roles import Role
from clinics.npi import npi_shape, validate_npi

# An employer identification number, as printed on a CMS-1500 (item 25).
validate_tax_id = RegexValidator(
    r"^\d{2}-\d{7}$", "A tax id (EIN) is written 12-3456789.", code="invalid_tax_id"
)


validate_colour = RegexValidator(
    r"^#[0-9a-f]{6}$", "A colour is written #1f77b4 (lower case).", code="invalid_colour"
)
# The colour of a staff member who has none chosen, picked by their id: stable, and spread
# over colours a calendar can tell apart (Tableau 10).
CALENDAR_PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not a known IANA time zone.", code="invalid_time_zone")


class ReminderSchedule(models.TextChoices):
    """When a clinic's patients are reminded of their booked appointments, by email or SMS."""

    OFF = "off", "No reminders"
    HOURS_24 = "24h", "24 hours before"
    HOURS_48 = "48h", "48 hours before"
    BOTH = "both", "48 and 24 hours before"


class Clinic(models.Model):
    """A clinic: the tenant every clinical record belongs to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, help_text="The clinic's display name.")
    slug = models.SlugField(
        max_length=40,
        unique=True,
        help_text="The clinic's short name: staff log in as `<name>@<slug>`.",
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA time zone the clinic works in, e.g. America/New_York.",
    )
    is_active = models.BooleanField(default=True, help_text="Inactive clinics cannot log in.")
    npi = models.CharField(
        max_length=10,
        blank=True,
        validators=[npi_shape, validate_npi],
        help_text="The clinic's group (billing provider) NPI, CMS-1500 item 33a.",
    )
    tax_id = models.CharField(
        max_length=10,
        blank=True,
        validators=[validate_tax_id],
        help_text="The clinic's employer identification number, CMS-1500 item 25.",
    )
    address = models.CharField(
        max_length=300,
        blank=True,
        help_text="The clinic's postal address, printed on claims, superbills and statements.",
    )
    phone = models.CharField(max_length=30, blank=True, help_text="The clinic's phone number.")
    mfa_required_roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices),
        default=list,
        blank=True,
        size=len(Role.choices),
        help_text="Roles whose staff must log in with a second factor (TOTP).",
    )
    appointment_reminders = models.CharField(
        max_length=4,
        choices=ReminderSchedule.choices,
        default=ReminderSchedule.OFF,
        db_default=ReminderSchedule.OFF,
        help_text="When patients are reminded of their booked appointments.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff member of exactly one clinic, with one role.

    Only platform operators (superusers, for the Django admin) may exist without a clinic;
    they cannot use the clinic API.
    """

    # Not stored: the break-glass grant that opens this request's patient to this user, decided
    # afresh for each request (accounts.break_glass.BreakGlassReadMixin).
    break_glass_grant: models.Model | None = None

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text="The clinic this staff member works in.",
    )
    role = models.CharField(
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text="What the staff member may do in the clinic.",
    )
    npi = models.CharField(
        max_length=10,
        blank=True,
        validators=[npi_shape, validate_npi],
        help_text="A chiropractor's individual NPI: the rendering provider on claims.",
    )
    calendar_colour = models.CharField(
        max_length=7,
        blank=True,
        validators=[validate_colour],
        help_text="The colour of this staff member's column on the clinic's calendar.",
    )

    @property
    def display_name(self) -> str:
        """How the calendar names them: their full name, else their name within the clinic."""
        return self.get_full_name() or self.username.split("@", 1)[0]

    @property
    def colour(self) -> str:
        return self.calendar_colour or CALENDAR_PALETTE[self.id.int % len(CALENDAR_PALETTE)]

    class Meta:
        ordering = ["username"]
        indexes = [
            models.Index(fields=["clinic", "username"], name="user_clinic_username_idx"),
            models.Index(fields=["clinic", "last_name", "first_name"], name="user_clinic_name_idx"),
            models.Index(fields=["clinic", "date_joined"], name="user_clinic_joined_idx"),
            models.Index(fields=["clinic", "role", "username"], name="user_clinic_role_idx"),
            models.Index(fields=["clinic", "is_active", "username"], name="user_clinic_active_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(clinic__isnull=False) & ~models.Q(role=""))
                | models.Q(is_superuser=True),
                name="user_staff_has_clinic_and_role",
                violation_error_message="A staff member needs a clinic and a role.",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def is_clinic_staff(self) -> bool:
        return self.is_active and self.clinic_id is not None and bool(self.role)

    # Every user but a platform operator works in a clinic; the clinic API lets no operator in.
    @property
    def staff_clinic(self) -> Clinic:
        """The clinic of a staff member."""
        if self.clinic is None:
            raise LookupError(f"{self.username} works in no clinic.")
        return self.clinic

    @property
    def staff_clinic_id(self) -> uuid.UUID:
        """The id of a staff member's clinic, without reading the clinic."""
        if self.clinic_id is None:
            raise LookupError(f"{self.username} works in no clinic.")
        return self.clinic_id
