"""Staff as the clinic admin manages them."""

from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.roles import Role
from api.serializers import StrictModelSerializer
from clinics.models import Clinic, User

STAFF_EXAMPLE = {
    "id": "8d7c6b5a-4f3e-2d1c-0b9a-887766554433",
    "username": "dr.palmer@back-in-line",
    "first_name": "Daniel",
    "last_name": "Palmer",
    "email": "d.palmer@example-clinic.com",
    "role": "chiropractor",
    "npi": "1234567893",
    "calendar_colour": "#4e79a7",
    "is_active": True,
    "date_joined": "2026-09-01T08:00:00Z",
    "last_login": "2026-11-25T07:58:00Z",
    "mfa_enabled": True,
}


@extend_schema_serializer(
    examples=[
        OpenApiExample("Chiropractor", value=STAFF_EXAMPLE, response_only=True),
        OpenApiExample("Change role", value={"role": "clinic_admin"}, request_only=True),
    ]
)
class StaffSerializer(StrictModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices, help_text="What the staff member may do.")
    mfa_enabled = serializers.SerializerMethodField(
        help_text="Whether the staff member logs in with a second factor (TOTP)."
    )

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_mfa_enabled(self, user: User) -> bool:
        annotated = getattr(user, "mfa_enabled", None)  # clinics.selectors.staff_list
        if annotated is not None:
            return bool(annotated)
        enabled: bool = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
        return enabled

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "npi",
            "calendar_colour",
            "is_active",
            "date_joined",
            "last_login",
            "mfa_enabled",
        ]
        read_only_fields = ["id", "username", "is_active", "date_joined", "last_login"]
        extra_kwargs = {
            "id": {"help_text": "The staff member's identifier."},
            "username": {
                "help_text": "What the staff member logs in with (`<name>@<clinic slug>`)."
            },
            "first_name": {"help_text": "Given name.", "max_length": 150},
            "last_name": {"help_text": "Family name.", "max_length": 150},
            "email": {"help_text": "Work email address."},
            "npi": {
                "help_text": "A chiropractor's individual NPI (10 digits, Luhn check digit over "
                "80840): the rendering provider on claims. Empty when none.",
                "min_length": 10,
            },
            "calendar_colour": {
                "help_text": "The colour of their column on the calendar (`#rrggbb`, lower case); "
                "empty for one picked from a palette by their id (the directory's `colour`)."
            },
            "is_active": {"help_text": "False once deactivated: the user can no longer log in."},
            "date_joined": {"help_text": "When the account was created."},
            "last_login": {"help_text": "When the user last logged in, if ever."},
        }


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "New chiropractor",
            value={
                "username": "dr.palmer",
                "password": "spine-aligned-2026",
                "first_name": "Daniel",
                "last_name": "Palmer",
                "email": "d.palmer@example-clinic.com",
                "role": "chiropractor",
            },
            request_only=True,
        ),
        OpenApiExample("Chiropractor", value=STAFF_EXAMPLE, response_only=True),
    ]
)
class StaffCreateSerializer(StaffSerializer):
    username = serializers.RegexField(
        r"^[A-Za-z0-9._+-]+$",
        max_length=100,
        help_text="The staff member's name within the clinic (letters, digits, `.`, `_`, `+`, "
        "`-`); unique within the clinic only. They log in as `<username>@<clinic slug>`, "
        "which the answer's `username` shows.",
        error_messages={"invalid": "Use only letters, digits and . _ + -"},
    )
    password = serializers.CharField(
        write_only=True,
        max_length=128,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Initial password: at least 12 characters, hard to guess (zxcvbn), no names of the user or clinic.",
    )

    class Meta(StaffSerializer.Meta):
        fields = [*StaffSerializer.Meta.fields, "password"]
        read_only_fields = ["id", "is_active", "date_joined", "last_login"]
        extra_kwargs = StaffSerializer.Meta.extra_kwargs


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A clinic requiring a second factor of its chiropractors and admins",
            value={
                "id": "11111111-2222-3333-4444-555555555555",
                "name": "Back in Line Chiropractic",
                "slug": "back-in-line",
                "time_zone": "America/New_York",
                "mfa_required_roles": ["chiropractor", "clinic_admin"],
                "npi": "1245319599",
                "tax_id": "12-3456789",
                "address": "12 Spine Street, Springfield, IL 62701",
                "phone": "+1 217 555 0100",
                "appointment_reminders": "both",
            },
            response_only=True,
        ),
        OpenApiExample(
            "Require a second factor of every role",
            value={"mfa_required_roles": ["chiropractor", "clinic_admin", "front_desk"]},
            request_only=True,
        ),
    ]
)
class ClinicSerializer(StrictModelSerializer):
    mfa_required_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        max_length=len(Role.choices),
        help_text="Roles whose staff must log in with a second factor (TOTP). Staff of such a "
        "role who have none set one up at their next login; a token already issued stays "
        "valid until it expires.",
    )

    class Meta:
        model = Clinic
        fields = [
            "id",
            "name",
            "slug",
            "time_zone",
            "mfa_required_roles",
            "npi",
            "tax_id",
            "address",
            "phone",
            "appointment_reminders",
        ]
        read_only_fields = ["id", "name", "slug", "time_zone"]
        extra_kwargs = {
            "id": {"help_text": "The clinic's identifier."},
            "slug": {"help_text": "The clinic's short name: staff log in as `<name>@<slug>`."},
            "name": {"help_text": "The clinic's name (changed by the platform's operators)."},
            "time_zone": {"help_text": "IANA time zone of the clinic."},
            "npi": {
                "help_text": "The clinic's group NPI (billing provider, CMS-1500 item 33a): 10 "
                "digits with a Luhn check digit over 80840. Empty when none.",
                "min_length": 10,
            },
            "tax_id": {"help_text": "Employer identification number, written 12-3456789."},
            "address": {"help_text": "Postal address printed on claims and superbills."},
            "phone": {
                "help_text": "Phone number printed on claims and superbills, and given in "
                "appointment reminders as the number to call to reschedule."
            },
            "appointment_reminders": {
                "help_text": "When booked patients are reminded of their appointment, by email "
                "(or SMS where a provider is configured and the patient prefers it): `off`, "
                "`24h` or `48h` before, or `both`. A reminder due later than 2 hours before the "
                "appointment is not sent; a cancelled appointment gets none, a moved one a new "
                "one. Patients may opt out (`appointment_reminders` on the patient)."
            },
        }

    def validate_mfa_required_roles(self, value: list[str]) -> list[str]:
        return sorted(set(value))


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A chiropractor",
            value={
                "id": STAFF_EXAMPLE["id"],
                "display_name": "Daniel Palmer",
                "role": "chiropractor",
                "colour": "#4e79a7",
            },
            response_only=True,
        )
    ]
)
class PractitionerSerializer(serializers.ModelSerializer):
    """A name and a colour for the calendar: nothing else of a staff account."""

    display_name = serializers.CharField(
        read_only=True,
        help_text="Their full name, or their name within the clinic when they gave none.",
    )
    role = serializers.ChoiceField(choices=Role.choices, read_only=True, help_text="Their role.")
    colour = serializers.CharField(
        read_only=True,
        help_text="Their calendar colour (`#rrggbb`): the one a clinic admin chose, else one "
        "picked from a palette by their id, the same on every call.",
    )

    class Meta:
        model = User
        fields = ["id", "display_name", "role", "colour"]
        extra_kwargs = {
            "id": {
                "help_text": "The staff member's identifier (as appointments, "
                "working hours and free times name them)."
            }
        }
