"""Billing records: who pays (coverage), the case a course of care is billed under, the
clinic's fee schedule, and corrections of a signed visit's coding."""

import uuid

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from api.concurrency import VersionedModel
from billing.error_codes import BillingCode
from billing.payer_rules import PAYER_TYPE_CHOICES
from changes.tracking import set_or_cleared, track_changes
from clinics.npi import npi_shape, validate_npi
from patients.models import Patient
from reference.cpt import CPT_CHOICES
from tenancy.models import ClinicScopedModel
from treatments.models import TreatmentPlan, Visit

# Payer ids, member ids, group numbers, claim and authorisation numbers: letters, digits and
# dashes, as payers print them on cards and letters.
validate_identifier = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9-]*$",
    "Use letters, digits and dashes only.",
    code=BillingCode.INVALID_IDENTIFIER,
)
validate_modifier = RegexValidator(
    r"^([A-Z0-9]{2})?$", "A modifier is two capital letters or digits.", code="invalid_modifier"
)


class SubscriberRelationship(models.TextChoices):
    SELF = "self", "Self"
    SPOUSE = "spouse", "Spouse"
    CHILD = "child", "Child"
    OTHER = "other", "Other"


class CoveragePriority(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"


class CaseContactRole(models.TextChoices):
    ADJUSTER = "adjuster", "Claims adjuster"
    ATTORNEY = "attorney", "Attorney"


@track_changes(
    "coverage",
    clinical=False,
    actions=set_or_cleared("archived_at", set_as="archived", cleared_as="restored"),
)
@pghistory.track()
class Coverage(ClinicScopedModel, VersionedModel):
    """Who pays for a patient's care (FHIR Coverage): a payer, the member, the subscriber."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="coverages")
    payer_name = models.CharField(max_length=200)
    payer_type = models.CharField(max_length=24, choices=PAYER_TYPE_CHOICES)
    payer_id = models.CharField(max_length=20, blank=True, validators=[validate_identifier])
    member_id = models.CharField(max_length=40, blank=True, validators=[validate_identifier])
    group_number = models.CharField(max_length=40, blank=True, validators=[validate_identifier])
    subscriber_relationship = models.CharField(
        max_length=8, choices=SubscriberRelationship.choices, default=SubscriberRelationship.SELF
    )
    subscriber_name = models.CharField(max_length=200, blank=True)
    subscriber_birth_date = models.DateField(null=True, blank=True)
    priority = models.CharField(
        max_length=10, choices=CoveragePriority.choices, default=CoveragePriority.PRIMARY
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="coverage_ends_after_start",
                violation_error_code=BillingCode.ENDS_BEFORE_START,
            ),
        ]
        indexes = [
            models.Index(
                fields=["clinic", "patient", "priority", "starts_on"], name="coverage_patient_idx"
            ),
            models.Index(fields=["clinic", "payer_type", "created_at"], name="coverage_payer_idx"),
            models.Index(fields=["clinic", "created_at"], name="coverage_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.payer_name} ({self.priority})"


@track_changes(
    "insurance_case",
    clinical=False,
    actions=set_or_cleared("archived_at", set_as="closed", cleared_as="reopened"),
)
@pghistory.track()
class InsuranceCase(ClinicScopedModel, VersionedModel):
    """A course of care billed under one coverage: its authorisation, referral and, for
    personal-injury and workers' compensation cases, the claim and who handles it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="cases")
    plan = models.ForeignKey(
        TreatmentPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    title = models.CharField(max_length=200)
    claim_number = models.CharField(max_length=40, blank=True, validators=[validate_identifier])
    authorisation_number = models.CharField(
        max_length=40, blank=True, validators=[validate_identifier]
    )
    authorised_visits = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    authorised_from = models.DateField(null=True, blank=True)
    authorised_to = models.DateField(null=True, blank=True)
    referring_provider = models.CharField(max_length=200, blank=True)
    referring_npi = models.CharField(
        max_length=10, blank=True, validators=[npi_shape, validate_npi]
    )
    contact_role = models.CharField(max_length=10, choices=CaseContactRole.choices, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    abn_signed_on = models.DateField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(archived_at__isnull=True, plan__isnull=False),
                name="insurance_case_one_per_plan",
                violation_error_code="plan_has_case",
                violation_error_message="This plan is billed under another case already.",
            ),
            models.CheckConstraint(
                condition=models.Q(authorised_to__isnull=True)
                | models.Q(authorised_from__isnull=True)
                | models.Q(authorised_to__gte=models.F("authorised_from")),
                name="insurance_case_authorised_range",
                violation_error_code=BillingCode.ENDS_BEFORE_START,
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "patient", "created_at"], name="case_patient_idx"),
            models.Index(fields=["clinic", "plan"], name="case_plan_idx"),
            models.Index(fields=["clinic", "coverage"], name="case_coverage_idx"),
            models.Index(fields=["clinic", "created_at"], name="case_created_idx"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track()
class FeeScheduleEntry(ClinicScopedModel, VersionedModel):
    """What the clinic charges for a code (with a modifier, or any), over a date range."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cpt = models.CharField(max_length=5, choices=CPT_CHOICES)
    modifier = models.CharField(max_length=2, blank=True, validators=[validate_modifier])
    charge = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(99_999)],
    )
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "cpt", "modifier", "effective_from"],
                condition=models.Q(archived_at__isnull=True),
                name="fee_once_a_start",
                violation_error_code=BillingCode.FEE_OVERLAPS,
                violation_error_message="A fee for this code and modifier starts that day already.",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="fee_ends_after_start",
                violation_error_code=BillingCode.ENDS_BEFORE_START,
            ),
            models.CheckConstraint(
                condition=models.Q(charge__gte=0, charge__lte=99_999), name="fee_charge_range"
            ),
        ]
        indexes = [
            models.Index(
                fields=["clinic", "cpt", "modifier", "effective_from"], name="fee_code_idx"
            ),
            models.Index(fields=["clinic", "effective_from"], name="fee_effective_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cpt}{'-' + self.modifier if self.modifier else ''}: {self.charge}"


# The claim of a signed visit is the visit's (its id); its coding names diagnoses.
@track_changes(
    "claim",
    clinical=True,
    on_insert="coding_corrected",
    on_update=None,
    resource_id="visit_id",
    patient="visit__patient_id",
)
class CodingCorrection(ClinicScopedModel):
    """A correction of a signed visit's billing, with its reason and the coding before and
    after; kept forever (it is never changed, only followed by another)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="coding_corrections")
    reason = models.CharField(max_length=500)
    changes = models.JSONField()
    coding_before = models.JSONField()
    coding_after = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["clinic", "visit", "created_at"], name="coding_correction_visit_idx"
            )
        ]


class AdjustmentGroup(models.TextChoices):
    """Claim adjustment group codes (X12 835 CAS01), as a remittance advice prints them."""

    CONTRACTUAL = "CO", "Contractual obligation (written off)"
    PATIENT = "PR", "Patient responsibility (deductible, coinsurance, copay)"
    OTHER = "OA", "Other adjustment"
    PAYER = "PI", "Payer-initiated reduction"
    CORRECTION = "CR", "Correction or reversal"


@track_changes(
    "claim",
    clinical=False,
    on_insert="payment_recorded",
    on_update=None,
    resource_id="visit_id",
    patient="visit__patient_id",
)
class ClaimPayment(ClinicScopedModel):
    """What a payer paid on a visit's claim, as its remittance (ERA or EOB) says: the amount,
    the adjustments and the date. Kept as recorded: the next payer's claim (crossover) is
    built from it, and a later remittance is recorded beside it, never over it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="claim_payments")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField()
    paid_amount = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    payer_claim_number = models.CharField(
        max_length=40, blank=True, validators=[validate_identifier]
    )
    # [{"group": "CO", "reason": "45", "amount": "12.00"}, …]: CAS segments, at most 20.
    adjustments = models.JSONField(default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(paid_amount__gte=0), name="claim_payment_not_negative"
            )
        ]
        indexes = [
            models.Index(fields=["clinic", "visit", "paid_on"], name="claim_payment_visit_idx")
        ]

    def __str__(self) -> str:
        return f"{self.paid_amount} on {self.paid_on}"
