"""Billing's representations: a visit's coding, coverage, cases, the fee schedule, coding
corrections, claim data and statements."""

from typing import TYPE_CHECKING

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.error_codes import ApiCode
from api.mixin_bases import SerializerBase
from api.required_when import RequiredWhen, required_when
from api.serializers import (
    BoundedDateField,
    ClinicScopedPrimaryKeyField,
    QueryParametersSerializer,
    StrictModelSerializer,
    merged,
)
from billing.claims import PROBLEM_CHOICES
from billing.coding import TIMED_REASON_CHOICES, WARNING_CHOICES
from billing.error_codes import BillingCode
from billing.examples import answer_example
from billing.models import (
    AdjustmentGroup,
    ClaimPayment,
    CodingCorrection,
    Coverage,
    FeeScheduleEntry,
    InsuranceCase,
    SubscriberRelationship,
)
from billing.payer_rules import PAYER_TYPE_CHOICES, PayerType
from billing.visit_coding import CODING_STATUS_CHOICES, answer_lines
from patients.models import Patient
from reference.cpt import CPT_CHOICES
from treatments.models import TreatmentPlan
from treatments.visits.serializers import (
    PerformedAdjustmentSerializer,
    PerformedExerciseSerializer,
    PerformedSoftTissueSerializer,
)

if TYPE_CHECKING:
    from billing.selectors import CountedCase

PATIENT_ID = "5b0f1f8e-3c1d-4a55-9a63-0f4d2a8c9e11"
COVERAGE_ID = "0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f"
STAMPS = {"created_at": "2026-11-20T15:00:00Z", "updated_at": "2026-11-20T15:00:00Z", "version": 1}
MAX_CORRECTED_ITEMS = 30
MAX_ADJUSTMENTS = 20  # an 835 claim payment carries at most 99 CAS; a visit's, a few


class BillingLineSerializer(serializers.Serializer):
    cpt = serializers.ChoiceField(choices=CPT_CHOICES, help_text="CPT code.")
    units = serializers.IntegerField(help_text="Units billed.")
    modifiers = serializers.ListField(
        child=serializers.CharField(),
        max_length=4,
        help_text="Modifiers in claim order (at most 4), e.g. AT, 59, GP, GY, GA, GZ.",
    )
    diagnosis_pointers = serializers.ListField(
        child=serializers.CharField(),
        max_length=4,
        help_text="The letters (A–L) of the diagnoses the line is billed for among `diagnoses` "
        "(CMS-1500 item 24E), primary first: those of the regions it treats, up to four.",
    )
    diagnosis_codes = serializers.ListField(
        child=serializers.CharField(),
        max_length=4,
        help_text="The same diagnoses by ICD-10-CM code, in the same order.",
    )
    minutes = serializers.IntegerField(
        allow_null=True, help_text="Timed minutes behind the units; null for CMT."
    )
    regions = serializers.ListField(
        child=serializers.CharField(),
        help_text="Body regions the line treats (empty on lines frozen before regions were "
        "recorded).",
    )


class CodingWarningSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=WARNING_CHOICES, help_text="Machine-readable warning code."
    )
    message = serializers.CharField(help_text="What the biller should know.")


class TimedShareSerializer(serializers.Serializer):
    cpt = serializers.ChoiceField(choices=CPT_CHOICES, help_text="The timed service's CPT code.")
    modifier = serializers.CharField(
        allow_blank=True,
        help_text="`59` when billed as distinct from the CMT's regions; blank otherwise.",
    )
    minutes = serializers.IntegerField(help_text="Its minutes at the visit.")
    units = serializers.IntegerField(help_text="The units it bills; 0 when it earned none.")
    reason = serializers.ChoiceField(
        choices=TIMED_REASON_CHOICES, help_text="Why its minutes earned those units."
    )
    explanation = serializers.CharField(help_text="The same, in a sentence a biller can read out.")


class TimedMinutesSerializer(serializers.Serializer):
    total = serializers.IntegerField(
        help_text="The timed minutes counted (bundled services' minutes are not)."
    )
    units = serializers.IntegerField(
        help_text="The units they bill by the 8-minute rule (8–22 min: 1, 23–37: 2, …)."
    )
    bundled = serializers.IntegerField(help_text="The minutes bundled with the CMT.")
    services = TimedShareSerializer(
        many=True,
        help_text="Each timed service (by code and modifier), also those that earned no unit.",
    )


class CodingLinesSerializer(serializers.Serializer):
    diagnoses = serializers.ListField(
        child=serializers.CharField(),
        max_length=12,
        help_text="The claim's diagnoses, in order (M99.0x first), at most 12.",
    )
    lines = BillingLineSerializer(
        many=True, help_text="Billing lines derived from what was performed."
    )
    warnings = CodingWarningSerializer(
        many=True, help_text="Documentation or billing problems to fix; empty for front-desk users."
    )
    timed_minutes = TimedMinutesSerializer(
        allow_null=True,
        help_text="How the timed minutes became units, service by service, so that minutes "
        "that earned nothing are explained. Null on a discarded visit and on codings frozen "
        "before the summary was kept.",
    )


@extend_schema_serializer(
    examples=[answer_example("CMT with a bundled manual-therapy service", "coding")]
)
class CodingSerializer(CodingLinesSerializer):
    status = serializers.ChoiceField(
        choices=CODING_STATUS_CHOICES,
        help_text="`draft` (visit unsigned: the lines follow its changes), `final` (signed: "
        "changed only by a coding correction) or `void` (discarded: no lines).",
    )
    payer_type = serializers.ChoiceField(
        choices=PAYER_TYPE_CHOICES,
        allow_null=True,
        help_text="The payer type whose rules the lines follow; null when the patient has no "
        "coverage in effect on the date of service.",
    )
    coverage = serializers.UUIDField(
        allow_null=True, help_text="The coverage billed: the case's, else the primary one."
    )
    case = serializers.UUIDField(
        allow_null=True, help_text="The case the visit is billed under (its plan's), if any."
    )


# A record's ranges are its service's rule (billing.services); this checks a query's.
class DateRangeMixin(SerializerBase):
    """Ranges of a record (start, end) whose end may not come before its start: refused
    naming the end field."""

    date_ranges: tuple[tuple[str, str], ...] = ()

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        for start_name, end_name in self.date_ranges:
            start, end = merged(self, attrs, start_name), merged(self, attrs, end_name)
            if start is not None and end is not None and end < start:
                raise serializers.ValidationError(
                    {end_name: [f"Give a date on or after {start_name}."]},
                    code=BillingCode.ENDS_BEFORE_START,
                )
        return attrs


COVERAGE_EXAMPLE = {
    "id": COVERAGE_ID,
    "patient": PATIENT_ID,
    "payer_name": "Medicare Part B",
    "payer_type": "medicare",
    "payer_id": "00882",
    "member_id": "1EG4-TE5-MK73",
    "group_number": "",
    "subscriber_relationship": "self",
    "subscriber_name": "",
    "subscriber_birth_date": None,
    "priority": "primary",
    "starts_on": "2026-01-01",
    "ends_on": None,
    **STAMPS,
}


# Only self-pay goes without a member id; a subscriber other than the patient is named.
MEMBER_ID_RULE = RequiredWhen("member_id", "payer_type", (PayerType.SELF_PAY,), unless=True)
SUBSCRIBER_NAME_RULE = RequiredWhen(
    "subscriber_name", "subscriber_relationship", (SubscriberRelationship.SELF,), unless=True
)


@extend_schema_serializer(
    examples=[OpenApiExample("Medicare as primary payer", value=COVERAGE_EXAMPLE)]
)
@required_when(MEMBER_ID_RULE, SUBSCRIBER_NAME_RULE)
class CoverageSerializer(StrictModelSerializer):
    patient = ClinicScopedPrimaryKeyField(
        queryset=Patient.objects.all(), help_text="The patient covered."
    )

    class Meta:
        model = Coverage
        fields = [
            "id",
            "patient",
            "payer_name",
            "payer_type",
            "payer_id",
            "member_id",
            "group_number",
            "subscriber_relationship",
            "subscriber_name",
            "subscriber_birth_date",
            "priority",
            "starts_on",
            "ends_on",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["created_at", "updated_at", "version"]
        extra_kwargs = {
            "id": {"help_text": "The coverage's identifier."},
            "payer_name": {"help_text": "The insurer or payer, as on the card."},
            "payer_type": {
                "help_text": "Decides the payer rules applied to the visit's lines (Medicare: "
                "GP, GY, GA/GZ)."
            },
            "payer_id": {"help_text": "The payer's electronic id, if known."},
            "member_id": {
                "help_text": "The insured's id on the card (CMS-1500 item 1a); needed unless "
                "self-pay."
            },
            "group_number": {"help_text": "Group or policy number (item 11)."},
            "subscriber_relationship": {
                "help_text": "The patient's relationship to the subscriber (item 6)."
            },
            "subscriber_name": {
                "help_text": "The subscriber's name when not the patient (item 4)."
            },
            "subscriber_birth_date": {
                "help_text": "The subscriber's date of birth when not the patient (item 11a); "
                "not in the future, at most 130 years ago."
            },
            "priority": {"help_text": "`primary` is billed first, then `secondary`."},
            "starts_on": {"help_text": "First day of cover."},
            "ends_on": {"help_text": "Last day of cover; null while it lasts."},
            "created_at": {"help_text": "When it was recorded."},
            "updated_at": {"help_text": "When it last changed."},
        }

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        after = {
            name: merged(self, attrs, name)
            for name in ("payer_type", "member_id", "subscriber_relationship", "subscriber_name")
        }
        if MEMBER_ID_RULE.applies(after["payer_type"]) and not after["member_id"]:
            raise serializers.ValidationError(
                {"member_id": ["A payer's member id is needed (only self-pay goes without)."]},
                code=ApiCode.REQUIRED,
            )
        relationship = after["subscriber_relationship"] or SubscriberRelationship.SELF
        if SUBSCRIBER_NAME_RULE.applies(relationship) and not after["subscriber_name"]:
            raise serializers.ValidationError(
                {"subscriber_name": ["Name the subscriber when it is not the patient."]},
                code=ApiCode.REQUIRED,
            )
        return attrs


CASE_EXAMPLE = {
    "id": "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
    "patient": PATIENT_ID,
    "coverage": COVERAGE_ID,
    "plan": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
    "title": "Low back pain, 2026",
    "claim_number": "",
    "authorisation_number": "AUTH-55012",
    "authorised_visits": 12,
    "authorised_from": "2026-11-01",
    "authorised_to": "2027-01-31",
    "referring_provider": "Dr. Jane Osler",
    "referring_npi": "1245319599",
    "contact_role": "",
    "contact_name": "",
    "contact_phone": "",
    "abn_signed_on": None,
    "visits_used": 4,
    "visits_left": 8,
    **STAMPS,
}


@extend_schema_serializer(
    examples=[OpenApiExample("An authorised course of care", value=CASE_EXAMPLE)]
)
class InsuranceCaseSerializer(StrictModelSerializer):
    patient = ClinicScopedPrimaryKeyField(
        queryset=Patient.objects.all(), help_text="The patient the case is for."
    )
    coverage = ClinicScopedPrimaryKeyField(
        queryset=Coverage.objects.filter(archived_at__isnull=True),
        help_text="The coverage billed for the case: one of the patient's.",
    )
    plan = ClinicScopedPrimaryKeyField(
        queryset=TreatmentPlan.objects.all(),
        required=False,
        allow_null=True,
        help_text="The treatment plan billed under the case (one case a plan); its visits "
        "count toward the authorisation. Null: every visit of the patient counts.",
    )
    visits_used = serializers.IntegerField(
        read_only=True, help_text="Signed visits the authorisation counts (within its dates)."
    )
    visits_left = serializers.SerializerMethodField(
        help_text="Authorised visits not yet used; null when the case has no visit limit."
    )

    class Meta:
        model = InsuranceCase
        fields = [
            "id",
            "patient",
            "coverage",
            "plan",
            "title",
            "claim_number",
            "authorisation_number",
            "authorised_visits",
            "authorised_from",
            "authorised_to",
            "referring_provider",
            "referring_npi",
            "contact_role",
            "contact_name",
            "contact_phone",
            "abn_signed_on",
            "visits_used",
            "visits_left",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["created_at", "updated_at", "version"]
        extra_kwargs = {
            "id": {"help_text": "The case's identifier."},
            "title": {"help_text": "What the case is, as the desk calls it."},
            "claim_number": {
                "help_text": "The insurer's claim number (personal injury, workers' compensation)."
            },
            "authorisation_number": {"help_text": "Prior authorisation number (item 23)."},
            "authorised_visits": {
                "help_text": "Visits authorised, 1–366; null for no limit.",
                "min_value": 1,
                "max_value": 366,
            },
            "authorised_from": {"help_text": "First day visits are authorised."},
            "authorised_to": {"help_text": "Last day visits are authorised."},
            "referring_provider": {"help_text": "Who referred the patient (item 17)."},
            "referring_npi": {
                "help_text": "The referring provider's NPI (item 17b), Luhn-checked.",
                "min_length": 10,
            },
            "contact_role": {"help_text": "Whether the contact is the adjuster or the attorney."},
            "contact_name": {"help_text": "The adjuster or attorney handling the claim."},
            "contact_phone": {"help_text": "How to reach them."},
            "abn_signed_on": {
                "help_text": "When the patient signed an Advance Beneficiary Notice (Medicare "
                "maintenance care: GA instead of GZ); null when none is on file."
            },
            "created_at": {"help_text": "When it was opened."},
            "updated_at": {"help_text": "When it last changed."},
        }

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_visits_left(self, case: "CountedCase") -> int | None:
        # case_list annotates every case it reads with visits_used.
        if case.authorised_visits is None:
            return None
        return max(case.authorised_visits - case.visits_used, 0)


FEE_EXAMPLE = {
    "id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
    "cpt": "98941",
    "modifier": "",
    "charge": "65.00",
    "effective_from": "2026-01-01",
    "effective_to": None,
    **STAMPS,
}


@extend_schema_serializer(examples=[OpenApiExample("98941 at 65.00", value=FEE_EXAMPLE)])
class FeeScheduleEntrySerializer(StrictModelSerializer):
    charge = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=0,
        max_value=99_999,
        help_text="What the clinic charges per unit, 0–99,999.00 (a string with two decimals).",
    )

    class Meta:
        model = FeeScheduleEntry
        fields = [
            "id",
            "cpt",
            "modifier",
            "charge",
            "effective_from",
            "effective_to",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["created_at", "updated_at", "version"]
        extra_kwargs = {
            "id": {"help_text": "The fee's identifier."},
            "cpt": {"help_text": "The CPT code charged for."},
            "modifier": {
                "help_text": "A modifier the fee applies to (e.g. 59); empty for the code's "
                "fee whatever its modifiers."
            },
            "effective_from": {"help_text": "First date of service the fee applies to."},
            "effective_to": {"help_text": "Last date of service it applies to; null: open."},
            "created_at": {"help_text": "When it was added."},
            "updated_at": {"help_text": "When it last changed."},
        }


class CodingCorrectionSerializer(StrictModelSerializer):
    """A correction: the performed lists sent replace the visit's (as when a draft is
    edited); the lines are derived again from them."""

    # With many=True DRF passes max_length to the ListSerializer it makes; the stubs'
    # serializer __init__ leaves it out (here and in the next two lists).
    adjustments = PerformedAdjustmentSerializer(  # type: ignore[call-arg]
        many=True,
        required=False,
        max_length=MAX_CORRECTED_ITEMS,
        write_only=True,
        help_text="The adjustments actually given (replaces the list).",
    )
    soft_tissue = PerformedSoftTissueSerializer(  # type: ignore[call-arg]
        many=True,
        required=False,
        max_length=MAX_CORRECTED_ITEMS,
        write_only=True,
        help_text="The soft-tissue work actually done, with its minutes (replaces the list).",
    )
    exercises = PerformedExerciseSerializer(  # type: ignore[call-arg]
        many=True,
        required=False,
        max_length=MAX_CORRECTED_ITEMS,
        write_only=True,
        help_text="The exercises actually done, with their minutes (replaces the list).",
    )
    coding_before = serializers.SerializerMethodField(
        help_text="The lines it replaced (before the payer's rules)."
    )
    coding_after = serializers.SerializerMethodField(
        help_text="The lines it gave (before the payer's rules)."
    )

    @extend_schema_field(CodingLinesSerializer)
    def get_coding_before(self, correction: CodingCorrection) -> dict:
        return self._lines(correction.coding_before)

    @extend_schema_field(CodingLinesSerializer)
    def get_coding_after(self, correction: CodingCorrection) -> dict:
        return self._lines(correction.coding_after)

    def _clinical(self) -> bool:
        return bool(self.context.get("clinical", True))

    def _lines(self, document: dict) -> dict:
        data = CodingLinesSerializer(answer_lines(document)).data
        # Warnings name findings and treated regions: clinicians only, as on the coding.
        return data if self._clinical() else {**data, "warnings": []}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self._clinical():
            data["changes"] = {}  # what was performed is clinical
        return data

    class Meta:
        model = CodingCorrection
        fields = [
            "id",
            "visit",
            "reason",
            "adjustments",
            "soft_tissue",
            "exercises",
            "changes",
            "coding_before",
            "coding_after",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "visit", "changes", "created_by", "created_at"]
        extra_kwargs = {
            "id": {"help_text": "The correction's identifier."},
            "reason": {
                "help_text": "Why the billing is corrected (kept with the correction).",
                "min_length": 3,
            },
            "changes": {
                "help_text": "What was corrected: each list given, as sent (empty for the "
                "front desk, as are the warnings)."
            },
            "visit": {"help_text": "The visit corrected."},
            "created_by": {"help_text": "Who corrected it."},
            "created_at": {"help_text": "When."},
        }

    def validate(self, attrs: dict) -> dict:
        if not {"adjustments", "soft_tissue", "exercises"} & set(attrs):
            raise serializers.ValidationError(
                {"non_field_errors": ["Send the corrected adjustments, soft_tissue or exercises."]},
                code=BillingCode.NOTHING_TO_CORRECT,
            )
        return attrs


class ClaimPartySerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Name, family name first where a person.")
    npi = serializers.CharField(allow_blank=True, help_text="NPI; empty when none is recorded.")


class BillingProviderSerializer(ClaimPartySerializer):
    tax_id = serializers.CharField(allow_blank=True, help_text="EIN (item 25).")
    address = serializers.CharField(allow_blank=True, help_text="Postal address (item 33).")
    phone = serializers.CharField(allow_blank=True, help_text="Phone (item 33).")


class ClaimPatientSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Item 2: family name, given name.")
    birth_date = serializers.DateField(help_text="Item 3.")
    sex = serializers.CharField(help_text="Item 3: M, F or U.")
    address = serializers.CharField(allow_blank=True, help_text="Item 5.")
    phone = serializers.CharField(allow_blank=True, help_text="Item 5.")
    account_number = serializers.CharField(help_text="Item 26: the patient's chart number.")


class ClaimInsuredSerializer(serializers.Serializer):
    payer_name = serializers.CharField(help_text="Who the claim goes to.")
    payer_type = serializers.ChoiceField(choices=PAYER_TYPE_CHOICES, help_text="Payer type.")
    payer_id = serializers.CharField(allow_blank=True, help_text="The payer's electronic id.")
    member_id = serializers.CharField(allow_blank=True, help_text="Item 1a.")
    name = serializers.CharField(help_text="Item 4: the subscriber.")
    relationship = serializers.CharField(help_text="Item 6: the patient to the subscriber.")
    group_number = serializers.CharField(allow_blank=True, help_text="Item 11.")


class ClaimDiagnosisSerializer(serializers.Serializer):
    letter = serializers.CharField(help_text="Item 21 letter, A–L.")
    code = serializers.CharField(help_text="ICD-10-CM code (ICD indicator 0).")


class ClaimLineSerializer(serializers.Serializer):
    date_of_service = serializers.DateField(help_text="Item 24A, the clinic's date.")
    place_of_service = serializers.CharField(help_text="Item 24B: 11 (office).")
    cpt = serializers.ChoiceField(choices=CPT_CHOICES, help_text="Item 24D.")
    modifiers = serializers.ListField(
        child=serializers.CharField(), max_length=4, help_text="Item 24D, at most 4."
    )
    diagnosis_pointers = serializers.ListField(
        child=serializers.CharField(), max_length=4, help_text="Item 24E: letters, primary first."
    )
    diagnosis_codes = serializers.ListField(
        child=serializers.CharField(),
        max_length=4,
        help_text="The same diagnoses by ICD-10-CM code, in the same order.",
    )
    units = serializers.IntegerField(help_text="Item 24G.")
    unit_charge = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        allow_null=True,
        help_text="The fee schedule's charge a unit on the date of service; null when none.",
    )
    charge = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        allow_null=True,
        help_text="Item 24F: unit charge × units; null when the fee schedule has none.",
    )
    rendering_npi = serializers.CharField(allow_blank=True, help_text="Item 24J.")


class ClaimProblemSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=PROBLEM_CHOICES,
        help_text="What keeps the claim from being sent.",
    )
    message = serializers.CharField(help_text="What to fix.")


class ClaimAdjustmentSerializer(serializers.Serializer):
    group = serializers.ChoiceField(
        choices=AdjustmentGroup.choices,
        help_text="Claim adjustment group code (835 CAS01): CO written off, PR the patient's "
        "(deductible, coinsurance), OA other, PI payer-initiated, CR correction.",
    )
    reason = serializers.RegexField(
        r"^[A-Z0-9]{1,5}$",
        help_text="Claim adjustment reason code (CARC, 835 CAS02), e.g. 45 (over the fee "
        "schedule), 1 (deductible), 2 (coinsurance), 96 (not covered).",
    )
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=-99_999,
        max_value=99_999,
        help_text="The amount adjusted, −99,999.00 to 99,999.00 (a string with two decimals).",
    )


PAYMENT_EXAMPLE = {
    "id": "4f3e2d1c-0b9a-4887-a6b5-c4d3e2f1a0b9",
    "visit": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
    "coverage": COVERAGE_ID,
    "paid_on": "2026-12-01",
    "paid_amount": "59.97",
    "payer_claim_number": "22126300456000",
    "adjustments": [
        {"group": "CO", "reason": "45", "amount": "18.04"},
        {"group": "PR", "reason": "2", "amount": "14.99"},
    ],
    "recorded_by": "2f3e4d5c-6b7a-4980-8f1e-2d3c4b5a6978",
    "created_at": "2026-12-02T15:00:00Z",
}


@extend_schema_serializer(
    examples=[OpenApiExample("Medicare paid 80 % of the allowed amount", value=PAYMENT_EXAMPLE)]
)
class ClaimPaymentSerializer(StrictModelSerializer):
    """A payer's payment on the visit's claim, as its remittance (ERA or EOB) says."""

    coverage = ClinicScopedPrimaryKeyField(
        queryset=Coverage.objects.all(),
        help_text="The coverage that paid: the visit's primary payer (the crossover claim to "
        "the secondary is built from its payments) or the secondary.",
    )
    paid_on = BoundedDateField(
        help_text="The remittance's date: on or after the date of service, not in the future."
    )
    paid_amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        max_value=99_999,
        help_text="What the payer paid, 0–99,999.00 (0 for a denial; a string with two decimals).",
    )
    # many=True: max_length goes to the ListSerializer (the stubs' __init__ leaves it out).
    adjustments = ClaimAdjustmentSerializer(  # type: ignore[call-arg]
        many=True,
        required=False,
        max_length=MAX_ADJUSTMENTS,
        help_text=f"The remittance's adjustments (CAS), at most {MAX_ADJUSTMENTS}.",
    )

    class Meta:
        model = ClaimPayment
        fields = [
            "id",
            "visit",
            "coverage",
            "paid_on",
            "paid_amount",
            "payer_claim_number",
            "adjustments",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["id", "visit", "recorded_by", "created_at"]
        extra_kwargs = {
            "id": {"help_text": "The payment's identifier."},
            "visit": {"help_text": "The visit whose claim was paid."},
            "payer_claim_number": {
                "help_text": "The payer's claim control number (ICN), as on the remittance."
            },
            "recorded_by": {"help_text": "Staff member who recorded it."},
            "created_at": {"help_text": "When it was recorded."},
        }


class ClaimPriorPaymentSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The payment recorded.")
    coverage = serializers.UUIDField(help_text="The coverage that paid.")
    paid_on = serializers.DateField(help_text="The remittance's date.")
    paid_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text="What it paid."
    )
    payer_claim_number = serializers.CharField(
        allow_blank=True, help_text="Its claim control number (ICN)."
    )
    adjustments = ClaimAdjustmentSerializer(many=True, help_text="Its adjustments (CAS).")


@extend_schema_serializer(examples=[answer_example("A Medicare claim's data", "claim")])
class ClaimSerializer(serializers.Serializer):
    visit = serializers.UUIDField(help_text="The visit billed.")
    payer = serializers.ChoiceField(
        choices=[
            ("primary", "The claim to the visit's payer (its case's coverage, else the primary)."),
            ("secondary", "The crossover claim to the secondary coverage."),
        ],
        help_text="Which payer the claim goes to.",
    )
    coding_status = serializers.ChoiceField(
        choices=CODING_STATUS_CHOICES, help_text="The coding's status (final once signed)."
    )
    ready = serializers.BooleanField(help_text="True when nothing in `problems` is left.")
    problems = ClaimProblemSerializer(many=True, help_text="What to fix before sending it.")
    patient = ClaimPatientSerializer(help_text="Items 2, 3, 5, 26.")
    insured = ClaimInsuredSerializer(allow_null=True, help_text="Items 1, 1a, 4, 6, 11.")
    other_insured = ClaimInsuredSerializer(
        allow_null=True,
        help_text="Items 9, 9a, 9d: the other coverage (the secondary on the primary's claim, "
        "the primary on the crossover); null when there is none.",
    )
    other_coverage = serializers.BooleanField(
        help_text="Item 11d: whether there is another health benefit plan."
    )
    claim_number = serializers.CharField(
        allow_blank=True, help_text="The insurer's claim number (PI, workers' compensation)."
    )
    initial_treatment_date = serializers.DateField(
        allow_null=True,
        help_text="Item 14 (qualifier 454): the date the current course of treatment began, "
        "the plan's start.",
    )
    referring_provider = ClaimPartySerializer(allow_null=True, help_text="Items 17, 17b.")
    prior_authorisation = serializers.CharField(allow_blank=True, help_text="Item 23.")
    diagnoses = ClaimDiagnosisSerializer(many=True, help_text="Item 21, A–L (at most 12).")
    lines = ClaimLineSerializer(many=True, help_text="Item 24.")
    total_charge = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text="Item 28: the lines' charges added up."
    )
    prior_payments = ClaimPriorPaymentSerializer(
        many=True,
        help_text="On the crossover: the primary's recorded payments and adjustments "
        "(coordination of benefits); empty on the primary's claim.",
    )
    amount_paid = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        help_text="Item 29: what the payers before this one paid (0.00 on the primary's claim).",
    )
    balance_due = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text="The total charge less the amount paid."
    )
    rendering_provider = ClaimPartySerializer(help_text="Item 31 and 24J.")
    billing_provider = BillingProviderSerializer(help_text="Items 25, 33, 33a.")


class StatementVisitSerializer(serializers.Serializer):
    visit = serializers.UUIDField(help_text="The visit.")
    date_of_service = serializers.DateField(help_text="The clinic's date of the visit.")
    diagnoses = serializers.ListField(child=serializers.CharField(), help_text="Its diagnoses.")
    lines = ClaimLineSerializer(many=True, help_text="What was charged.")
    total_charge = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text="The visit's charges."
    )


@extend_schema_serializer(examples=[answer_example("A month's statement", "statement")])
class StatementSerializer(serializers.Serializer):
    patient = ClaimPatientSerializer(help_text="Who the statement is for.")
    clinic = BillingProviderSerializer(help_text="Who it is from.")
    date_from = serializers.DateField(help_text="First date of service included.")
    date_to = serializers.DateField(help_text="Last date of service included.")
    visits = StatementVisitSerializer(
        many=True, help_text="Signed visits in the range, oldest first."
    )
    total_charge = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Everything charged in the range."
    )


class StatementQuerySerializer(DateRangeMixin, QueryParametersSerializer):
    date_from = BoundedDateField(help_text="First date of service (the clinic's dates).")
    date_to = BoundedDateField(help_text="Last date of service; at most 366 days on.")
    date_ranges = (("date_from", "date_to"),)

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if (attrs["date_to"] - attrs["date_from"]).days > 366:
            raise serializers.ValidationError(
                {"date_to": ["A statement covers at most 366 days."]},
                code=BillingCode.RANGE_TOO_LONG,
            )
        return attrs
