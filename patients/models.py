"""Patients (demographics) and their conditions (diagnoses and complaints)."""

import unicodedata
import uuid
from datetime import UTC, date, datetime
from typing import ClassVar

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

from api.concurrency import VersionedModel
from api.error_codes import ApiCode
from api.required_when import RequiredWhen
from changes.tracking import Action, status_actions, track_changes
from reference.models import BodyRegion
from tenancy.models import ClinicScopedModel, ClinicScopedQuerySet


def search_key(text: str) -> str:
    """Case- and accent-folded form of a name, so that `zoe` finds `Zoë` and `ZOE`."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown"


class GenderIdentity(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary"
    TRANSGENDER_WOMAN = "transgender_woman", "Transgender woman"
    TRANSGENDER_MAN = "transgender_man", "Transgender man"
    OTHER = "other", "Other"
    NOT_DISCLOSED = "not_disclosed", "Prefers not to say"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"
    MAIL = "mail", "Post"


class ActivityLevel(models.TextChoices):
    SEDENTARY = "sedentary", "Sedentary"
    DESK_WORK = "desk_work", "Desk work"
    MANUAL_LABOUR = "manual_labour", "Manual labour"
    ACTIVE = "active", "Recreationally active"
    ATHLETE = "athlete", "Athlete"


class PatientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive (discharged)"
    ARCHIVED = "archived", "Archived"


# Patients never seen sort as if last seen at the dawn of time, so that the ordering key is
# never null (cursor pagination needs that) and an expression index can serve it.
LAST_VISIT_SORT_KEY = Coalesce(
    "last_visit_at", Value(datetime(1, 1, 1, tzinfo=UTC), output_field=models.DateTimeField())
)

# Conditions without a known onset sort as the earliest, for the same reason.
ONSET_SORT_KEY = Coalesce("onset_date", Value(date(1, 1, 1), output_field=models.DateField()))

chart_number_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$",
    "Use 1–20 letters, digits or hyphens, starting with a letter or digit.",
    code="invalid_chart_number",
)


@track_changes(
    "patient",
    clinical=False,
    patient="id",
    actions=(
        *status_actions("status", {"archived": "archived", "inactive": "discharged"}),
        Action("restored", pgtrigger.Q(old__status="archived", new__status__df="archived")),
    ),
    # Derived from the patient's visits (treatments.visits), not a change of the record.
    ignored=("last_visit_at",),
)
@pghistory.track()
class Patient(ClinicScopedModel, VersionedModel):
    """A patient of one clinic: identity, contact details and status. Never deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    chart_number = models.CharField(max_length=20, validators=[chart_number_validator])
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex_at_birth = models.CharField(max_length=10, choices=SexAtBirth.choices)
    gender_identity = models.CharField(max_length=20, choices=GenderIdentity.choices, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use an ISO 3166-1 alpha-2 code.")],
    )
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_relationship = models.CharField(max_length=100, blank=True)
    emergency_contact_phone = models.CharField(max_length=20, blank=True)
    preferred_contact_method = models.CharField(
        max_length=10, choices=ContactMethod.choices, blank=True
    )
    # A default in the database too: the load test's and benchmark's bulk inserts name columns.
    appointment_reminders = models.BooleanField(
        default=True,
        db_default=True,
        help_text="Whether the patient is sent appointment reminders; false: opted out.",
    )
    occupation = models.CharField(max_length=200, blank=True)
    activity_level = models.CharField(max_length=20, choices=ActivityLevel.choices, blank=True)
    status = models.CharField(
        max_length=10, choices=PatientStatus.choices, default=PatientStatus.ACTIVE
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_visit_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Derived search columns, kept in step by save(): accent- and case-folded names, and the
    # phone's digits reversed so that "ends with 5550100" is an indexable prefix search.
    # The "C" collation lets one plain btree index serve both `LIKE 'abc%'` and ORDER BY.
    given_name_key = models.CharField(max_length=100, editable=False, default="", db_collation="C")
    family_name_key = models.CharField(max_length=100, editable=False, default="", db_collation="C")
    phone_digits_reversed = models.CharField(
        max_length=20, editable=False, default="", db_collation="C"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "chart_number"],
                name="patient_chart_number_unique_per_clinic",
                violation_error_code=ApiCode.UNIQUE,
                violation_error_message="Another patient of this clinic has this chart number.",
            ),
            models.CheckConstraint(
                condition=models.Q(status="archived", archived_at__isnull=False)
                | ~models.Q(status="archived"),
                name="patient_archived_has_timestamp",
            ),
        ]
        indexes = [
            models.Index(
                fields=["clinic", "family_name_key", "given_name_key"],
                name="patient_family_name_idx",
            ),
            models.Index(fields=["clinic", "given_name_key"], name="patient_given_name_idx"),
            models.Index(fields=["clinic", "date_of_birth"], name="patient_dob_idx"),
            models.Index(fields=["clinic", "email"], name="patient_email_idx"),
            models.Index(fields=["clinic", "status", "family_name_key"], name="patient_status_idx"),
            models.Index(fields=["clinic", "created_at"], name="patient_created_idx"),
            models.Index(F("clinic"), LAST_VISIT_SORT_KEY, name="patient_last_visit_idx"),
            models.Index(fields=["clinic", "phone_digits_reversed"], name="patient_phone_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.chart_number})"

    @cached_property
    def ongoing_conditions(self) -> list["Condition"]:
        """Ongoing, non-erroneous conditions; list selectors prefetch this for many patients."""
        return list(Condition.objects.ongoing().filter(patient=self))

    def save(self, *args, **kwargs) -> None:
        self.given_name_key = search_key(self.given_name)
        self.family_name_key = search_key(self.family_name)
        self.phone_digits_reversed = "".join(ch for ch in reversed(self.phone) if ch.isdigit())
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "given_name_key",
                "family_name_key",
                "phone_digits_reversed",
            }
        super().save(*args, **kwargs)


class ChartNumberCounter(ClinicScopedModel):
    """The last chart number handed out automatically in a clinic."""

    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic"], name="chart_counter_one_per_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.clinic_id}: {self.last_value}"


# Regions with a left and a right: a condition there must say which side.
SIDED_REGIONS = frozenset({BodyRegion.UPPER_EXTREMITY, BodyRegion.LOWER_EXTREMITY})
# An extremity has two sides: the chart must say which (`laterality_required`).
LATERALITY_RULE = RequiredWhen("laterality", "body_region", tuple(sorted(SIDED_REGIONS)))


class Laterality(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Bilateral"


class ConditionCause(models.TextChoices):
    INJURY = "injury", "Injury"
    OVERUSE = "overuse", "Overuse"
    REPETITIVE_STRAIN = "repetitive_strain", "Repetitive strain"
    POSTURAL = "postural", "Postural"
    SPINAL_MISALIGNMENT = "spinal_misalignment", "Misalignment of the spine"
    SUDDEN_EXERCISE = "sudden_exercise", "Sudden start of exercise after inactivity"
    UNKNOWN = "unknown", "Unknown"


class ClinicalStatus(models.TextChoices):
    """FHIR condition-clinical value set."""

    ACTIVE = "active", "Active"
    RECURRENCE = "recurrence", "Recurrence"
    RELAPSE = "relapse", "Relapse"
    INACTIVE = "inactive", "Inactive"
    REMISSION = "remission", "Remission"
    RESOLVED = "resolved", "Resolved"


ONGOING_CLINICAL_STATUSES = frozenset(
    {ClinicalStatus.ACTIVE, ClinicalStatus.RECURRENCE, ClinicalStatus.RELAPSE}
)


class VerificationStatus(models.TextChoices):
    """FHIR condition-ver-status value set."""

    PROVISIONAL = "provisional", "Provisional"
    DIFFERENTIAL = "differential", "Differential"
    CONFIRMED = "confirmed", "Confirmed"
    REFUTED = "refuted", "Refuted"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


# Diagnoses that no longer stand: not treated, not billed.
VOID_VERIFICATION_STATUSES = frozenset(
    {VerificationStatus.ENTERED_IN_ERROR, VerificationStatus.REFUTED}
)


class ConditionQuerySet(ClinicScopedQuerySet):
    def ongoing(self) -> "ConditionQuerySet":
        return (
            self.filter(clinical_status__in=ONGOING_CLINICAL_STATUSES)
            .exclude(verification_status__in=VOID_VERIFICATION_STATUSES)
            .order_by("created_at")
        )


ConditionManager = models.Manager.from_queryset(ConditionQuerySet)


@track_changes(
    "condition",
    clinical=True,
    actions=(
        *status_actions("verification_status", {"entered-in-error": "entered_in_error"}),
        *status_actions("clinical_status", {"resolved": "resolved"}),
    ),
)
@pghistory.track()
class Condition(ClinicScopedModel, VersionedModel):
    """A diagnosis or complaint of a patient, coded in ICD-10-CM. Never deleted."""

    objects: ClassVar[ConditionManager["Condition"]] = ConditionManager()

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="conditions")
    code = models.CharField(max_length=8, db_collation="C")
    display = models.CharField(max_length=300, editable=False)
    body_region = models.CharField(max_length=20, choices=BodyRegion.choices)
    laterality = models.CharField(max_length=10, choices=Laterality.choices, blank=True)
    onset_date = models.DateField(null=True, blank=True)
    cause = models.CharField(max_length=20, choices=ConditionCause.choices, blank=True)
    pain_at_intake = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    clinical_status = models.CharField(
        max_length=12, choices=ClinicalStatus.choices, default=ClinicalStatus.ACTIVE
    )
    verification_status = models.CharField(
        max_length=16, choices=VerificationStatus.choices, default=VerificationStatus.CONFIRMED
    )
    resolved_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pain_at_intake__lte=10), name="condition_pain_at_most_10"
            ),
            models.CheckConstraint(
                condition=models.Q(clinical_status="resolved") | models.Q(resolved_on__isnull=True),
                name="condition_resolved_on_only_when_resolved",
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "patient", "created_at"], name="condition_patient_idx"),
            models.Index(fields=["clinic", "code"], name="condition_code_idx"),
            models.Index(fields=["clinic", "clinical_status"], name="condition_clinical_idx"),
            models.Index(fields=["clinic", "verification_status"], name="condition_verif_idx"),
            models.Index(fields=["clinic", "body_region"], name="condition_region_idx"),
            models.Index(fields=["clinic", "onset_date"], name="condition_onset_idx"),
            models.Index(F("clinic"), ONSET_SORT_KEY, name="condition_onset_sort_idx"),
            models.Index(fields=["clinic", "created_at"], name="condition_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display}"
