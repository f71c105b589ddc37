"""Patients and conditions as the API reads and writes them."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.concurrency import VERSION_HELP
from api.required_when import required_when
from api.serializers import CachedModelSerializer, ClinicalFieldsMixin, StrictModelSerializer
from patients.error_codes import PatientCode
from patients.models import LATERALITY_RULE, Condition, Patient, PatientStatus
from patients.phone import normalize_phone


@extend_schema_field({"type": "string", "example": "+16175550123"})
class PhoneNumberField(serializers.CharField):
    """Any common format in; E.164 out (`(617) 555-0123` → `+16175550123`)."""

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        if not value:
            return value
        try:
            return normalize_phone(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.messages[0], code=PatientCode.INVALID_PHONE
            ) from error


class AddressSerializer(StrictModelSerializer):
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        allow_blank=True,
        required=False,
        error_messages={"invalid": "Use an ISO 3166-1 alpha-2 code, e.g. US."},
        help_text="ISO 3166-1 alpha-2 country code, e.g. US (any case in, upper case out).",
    )

    def validate_country(self, value: str) -> str:
        return value.upper()

    line1 = serializers.CharField(
        source="address_line1",
        max_length=200,
        allow_blank=True,
        required=False,
        help_text="Street address.",
    )
    line2 = serializers.CharField(
        source="address_line2",
        max_length=200,
        allow_blank=True,
        required=False,
        help_text="Apartment, suite, unit.",
    )

    class Meta:
        model = Patient
        fields = ["line1", "line2", "city", "region", "postal_code", "country"]
        extra_kwargs = {
            "city": {"help_text": "City or town.", "required": False},
            "region": {"help_text": "State, province or county.", "required": False},
            "postal_code": {"help_text": "ZIP or postal code.", "required": False},
            "country": {
                "help_text": "ISO 3166-1 alpha-2 country code, e.g. US.",
                "required": False,
            },
        }


class EmergencyContactSerializer(StrictModelSerializer):
    name = serializers.CharField(
        source="emergency_contact_name",
        max_length=200,
        allow_blank=True,
        required=False,
        help_text="Whom to call in an emergency.",
    )
    relationship = serializers.CharField(
        source="emergency_contact_relationship",
        max_length=100,
        allow_blank=True,
        required=False,
        help_text="Their relationship to the patient, e.g. spouse.",
    )
    phone = PhoneNumberField(
        source="emergency_contact_phone",
        max_length=30,
        allow_blank=True,
        required=False,
        help_text="Their phone number; any common format in, E.164 out.",
    )

    class Meta:
        model = Patient
        fields = ["name", "relationship", "phone"]


class ConditionSummarySerializer(CachedModelSerializer):
    class Meta:
        model = Condition
        fields = ["id", "code", "display"]
        extra_kwargs = {
            "id": {"help_text": "The condition's identifier."},
            "code": {"help_text": "ICD-10-CM code, dotted."},
            "display": {"help_text": "Official ICD-10-CM description."},
        }


PATIENT_REQUEST_EXAMPLE = {
    "given_name": "María",
    "family_name": "García",
    "preferred_name": "Mari",
    "date_of_birth": "1979-03-14",
    "sex_at_birth": "female",
    "gender_identity": "woman",
    "phone": "(617) 555-0100",
    "email": "maria.garcia@example.com",
    "address": {
        "line1": "12 Harbor Street",
        "line2": "Apt 4",
        "city": "Boston",
        "region": "MA",
        "postal_code": "02110",
        "country": "US",
    },
    "emergency_contact": {"name": "José García", "relationship": "spouse", "phone": "+16175550111"},
    "preferred_contact_method": "sms",
    "appointment_reminders": True,
    "occupation": "Software developer",
    "activity_level": "desk_work",
}
PATIENT_RESPONSE_EXAMPLE = {
    "id": "5b0f1f8e-3c1d-4a55-9a63-0f4d2a8c9e11",
    "chart_number": "000123",
    **PATIENT_REQUEST_EXAMPLE,
    "phone": "+16175550100",
    "status": "active",
    "archived_at": None,
    "archived_by": None,
    "last_visit_at": "2026-11-20T14:30:00Z",
    "active_conditions": [
        {"id": "0c9a6f3e-1b2d-4e5f-8a9b-7c6d5e4f3a21", "code": "M54.2", "display": "Cervicalgia"}
    ],
    "created_at": "2026-10-01T09:12:00Z",
    "updated_at": "2026-11-20T14:35:00Z",
    "version": 3,
}


@extend_schema_serializer(
    examples=[
        OpenApiExample("New patient", value=PATIENT_REQUEST_EXAMPLE, request_only=True),
        OpenApiExample("Patient", value=PATIENT_RESPONSE_EXAMPLE, response_only=True),
    ]
)
class PatientSerializer(ClinicalFieldsMixin, StrictModelSerializer):
    phone = PhoneNumberField(
        max_length=30,
        allow_blank=True,
        required=False,
        help_text="Phone number; any common format in, E.164 out. Numbers without a country "
        "code are read in the deployment's default region.",
    )
    address = AddressSerializer(source="*", required=False, help_text="Postal address.")
    emergency_contact = EmergencyContactSerializer(
        source="*", required=False, help_text="Emergency contact."
    )
    status = serializers.ChoiceField(
        choices=PatientStatus.choices,
        required=False,
        help_text="`active` or `inactive` (discharged) may be set; `archived` is reached only by DELETE "
        "and left by POST …/restore/.",
    )
    active_conditions = ConditionSummarySerializer(
        source="ongoing_conditions",
        many=True,
        read_only=True,
        help_text="The patient's ongoing conditions (active, recurrence, relapse).",
    )

    class Meta:
        model = Patient
        clinical_fields = ["active_conditions"]
        fields = [
            "id",
            "chart_number",
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "sex_at_birth",
            "gender_identity",
            "phone",
            "email",
            "address",
            "emergency_contact",
            "preferred_contact_method",
            "appointment_reminders",
            "occupation",
            "activity_level",
            "status",
            "archived_at",
            "archived_by",
            "last_visit_at",
            "active_conditions",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [
            "archived_at",
            "archived_by",
            "last_visit_at",
            "created_at",
            "updated_at",
            "version",
        ]
        extra_kwargs = {
            "id": {"help_text": "The patient's identifier."},
            "chart_number": {
                "required": False,
                "help_text": "Clinic-unique chart number (MRN). Assigned (000001, 000002, …) when not given.",
            },
            "given_name": {"help_text": "Given (first) name."},
            "family_name": {"help_text": "Family (last) name."},
            "preferred_name": {"help_text": "The name the patient likes to be called."},
            "date_of_birth": {
                "help_text": "Date of birth; not in the future, at most 130 years ago."
            },
            "sex_at_birth": {"help_text": "Sex assigned at birth."},
            "gender_identity": {"help_text": "Gender identity, if the patient shares it."},
            "email": {"help_text": "Email address (stored in lower case)."},
            "preferred_contact_method": {"help_text": "How the patient prefers to be contacted."},
            "appointment_reminders": {
                "help_text": "Whether the patient is sent appointment reminders (when the clinic "
                "sends them); false records each reminder as skipped (`opted_out`). Default true."
            },
            "occupation": {"help_text": "Occupation, e.g. warehouse picker, software developer."},
            "activity_level": {"help_text": "How physically active the patient is day to day."},
            "archived_at": {"help_text": "When the patient was archived; null unless archived."},
            "archived_by": {
                "help_text": "Staff member who archived the patient; null unless archived."
            },
            "last_visit_at": {
                "help_text": "Time of the patient's most recent visit; null before the first."
            },
            "created_at": {"help_text": "When the record was created."},
            "updated_at": {"help_text": "When the record last changed."},
            "version": VERSION_HELP,
        }

    def validate_email(self, value: str) -> str:
        return value.strip().lower()


CONDITION_REQUEST_EXAMPLE = {
    "code": "M62.830",
    "body_region": "lumbar",
    "laterality": "",
    "onset_date": "2026-10-28",
    "cause": "sudden_exercise",
    "pain_at_intake": 7,
    "clinical_status": "active",
    "verification_status": "confirmed",
    "note": "Spasm after the first gym session in a year; worse on flexion.",
}
CONDITION_RESPONSE_EXAMPLE = {
    "id": "0c9a6f3e-1b2d-4e5f-8a9b-7c6d5e4f3a21",
    "patient": "5b0f1f8e-3c1d-4a55-9a63-0f4d2a8c9e11",
    **CONDITION_REQUEST_EXAMPLE,
    "display": "Muscle spasm of back",
    "resolved_on": None,
    "recorded_by": "8d7c6b5a-4f3e-2d1c-0b9a-887766554433",
    "created_at": "2026-11-01T10:00:00Z",
    "updated_at": "2026-11-01T10:00:00Z",
    "version": 1,
}


@extend_schema_serializer(
    examples=[
        OpenApiExample("Back spasm", value=CONDITION_REQUEST_EXAMPLE, request_only=True),
        OpenApiExample("Back spasm", value=CONDITION_RESPONSE_EXAMPLE, response_only=True),
    ]
)
@required_when(LATERALITY_RULE)
class ConditionSerializer(StrictModelSerializer):
    code = serializers.CharField(
        max_length=10,
        help_text="ICD-10-CM code, with or without the dot (`M5450` or `M54.50`); must be billable. "
        "Stored and returned dotted.",
    )

    class Meta:
        model = Condition
        fields = [
            "id",
            "patient",
            "code",
            "display",
            "body_region",
            "laterality",
            "onset_date",
            "cause",
            "pain_at_intake",
            "clinical_status",
            "verification_status",
            "resolved_on",
            "note",
            "recorded_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [
            "patient",
            "display",
            "recorded_by",
            "created_at",
            "updated_at",
            "version",
        ]
        extra_kwargs = {
            "id": {"help_text": "The condition's identifier."},
            "patient": {"help_text": "The patient this condition belongs to."},
            "display": {"help_text": "Official ICD-10-CM description, filled in by the server."},
            "body_region": {"help_text": "Where in the body."},
            "laterality": {"help_text": "Side; required for upper and lower extremity conditions."},
            "onset_date": {"help_text": "When it started; not in the future nor before birth."},
            "cause": {"help_text": "What brought it on."},
            "pain_at_intake": {
                "help_text": "Pain on the 0–10 numeric rating scale (NRS) at intake.",
                "min_value": 0,
                "max_value": 10,
            },
            "clinical_status": {"help_text": "FHIR clinical status."},
            "verification_status": {
                "help_text": "FHIR verification status; `entered-in-error` is set by DELETE only."
            },
            "resolved_on": {
                "help_text": "When it resolved; set to today when the status becomes `resolved` "
                "without a date, cleared when it becomes ongoing again."
            },
            "note": {"help_text": "Free-text clinical note."},
            "recorded_by": {"help_text": "Staff member who recorded it."},
            "created_at": {"help_text": "When it was recorded."},
            "updated_at": {"help_text": "When it last changed."},
            "version": VERSION_HELP,
        }
