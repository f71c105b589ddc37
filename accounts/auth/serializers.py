"""Request and response bodies of login, logout and me."""

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.auth.error_codes import AuthCode
from accounts.auth.lockout import is_locked_out
from accounts.mfa import CHALLENGE_STEPS
from api.context import context_of
from api.permissions import RESOURCE_ROLES, capabilities_of
from api.roles import Role
from api.serializers import StrictSerializer
from clinics.models import User
from tenancy.request_context import open_login_context


class LoginSerializer(StrictSerializer):
    username = serializers.CharField(
        help_text="The staff member's login name: `<name>@<clinic slug>` (e.g. "
        "`dr.palmer@back-in-line`).",
        max_length=150,
    )
    password = serializers.CharField(
        help_text="The staff member's password.",
        max_length=128,
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )

    def validate(self, attrs: dict) -> dict:
        request = self.context["request"]
        # Row-level security hides every user until a clinic is known: the user's own.
        clinic_id = open_login_context(username=attrs["username"], request=request)
        context_of(request).login.clinic_id = clinic_id
        user = authenticate(
            request=request._request,  # django-axes counts failures on the HttpRequest
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None and is_locked_out(request):
            # django-axes refuses a locked account before any password is hashed; hash once
            # as a wrong password does, so that the time taken does not tell it is locked.
            make_password(attrs["password"])
        # One message for every failure, so that logins cannot probe which usernames exist.
        if user is None or not user.is_clinic_staff or not user.staff_clinic.is_active:
            raise serializers.ValidationError(
                "Unable to log in with the username and password given.",
                code=AuthCode.INVALID_CREDENTIALS,
            )
        attrs["user"] = user
        return attrs


class ClinicSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The clinic's identifier.")
    name = serializers.CharField(help_text="The clinic's name.")
    slug = serializers.CharField(help_text="The clinic's short name, the end of login names.")
    time_zone = serializers.CharField(help_text="IANA time zone of the clinic.")


class CapabilitySerializer(serializers.Serializer):
    read = serializers.BooleanField(help_text="Whether the user may read it.")
    write = serializers.BooleanField(help_text="Whether the user may create or change it.")


CapabilitiesSerializer = type(
    "CapabilitiesSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        **{
            resource: CapabilitySerializer(help_text=text)
            for resource, (_, _, text) in RESOURCE_ROLES.items()
        },
    },
)


class CurrentUserSerializer(serializers.ModelSerializer):
    clinic = ClinicSummarySerializer(help_text="The clinic the user works in.")
    role = serializers.ChoiceField(choices=Role.choices, help_text="The user's role in the clinic.")
    capabilities = serializers.SerializerMethodField(
        help_text="What the user's role may read and write, per resource, so that a front end "
        "can hide what the user may not use. The server still checks every request."
    )

    @extend_schema_field(CapabilitiesSerializer)
    def get_capabilities(self, user: User) -> dict:
        return capabilities_of(user.role)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "clinic",
            "capabilities",
        ]
        extra_kwargs = {
            "id": {"help_text": "The user's identifier."},
            "first_name": {"help_text": "Given name."},
            "last_name": {"help_text": "Family name."},
            "email": {"help_text": "Work email address."},
        }


class LoginResponseSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send as `Authorization: Bearer <token>`. Shown once; only its digest is stored.",
    )
    expiry = serializers.DateTimeField(
        help_text="When the token expires if unused; each use extends it, up to its absolute lifetime.",
    )
    user = CurrentUserSerializer(help_text="Who logged in.")


OTPAUTH_EXAMPLE = (
    "otpauth://totp/Chiro%20API%3Adr.demo%40demo?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    "&algorithm=SHA1&digits=6&period=30&issuer=Chiro%20API"
)
ENROLMENT_EXAMPLE = {
    "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    "otpauth_uri": OTPAUTH_EXAMPLE,
    "qr_svg": '<svg xmlns="http://www.w3.org/2000/svg" width="148" height="148">…</svg>',
}


@extend_schema_serializer(
    examples=[OpenApiExample("A new authenticator", value=ENROLMENT_EXAMPLE, response_only=True)]
)
class MfaEnrolmentSerializer(serializers.Serializer):
    secret = serializers.CharField(
        help_text="The authenticator's secret (base32), for typing into the app by hand."
    )
    otpauth_uri = serializers.CharField(
        help_text="The `otpauth://totp/…` key URI authenticator apps read from a QR code."
    )
    qr_svg = serializers.CharField(help_text="The key URI as a QR code (an SVG image).")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Enter a code",
            value={
                "challenge": "eyJ1c2VyIjoiOGQ3YzZi…:1xWO7M:AlHPRSfRJ-rbsOr",
                "expires_at": "2026-11-26T09:05:00Z",
                "step": "verify",
                "enrolment": None,
            },
            response_only=True,
        ),
        OpenApiExample(
            "Set up an authenticator first (the clinic requires one)",
            value={
                "challenge": "eyJ1c2VyIjoiOGQ3YzZi…:1xWO7M:Zk3u9Qe0bF2mT1c",
                "expires_at": "2026-11-26T09:05:00Z",
                "step": "enrol",
                "enrolment": ENROLMENT_EXAMPLE,
            },
            response_only=True,
        ),
    ]
)
class MfaChallengeSerializer(serializers.Serializer):
    challenge = serializers.CharField(
        help_text="Send back to `POST /api/v1/auth/login/verify` with the code; works once."
    )
    expires_at = serializers.DateTimeField(help_text="When the challenge stops working.")
    step = serializers.ChoiceField(
        choices=CHALLENGE_STEPS,
        help_text="`verify`: the staff member has an authenticator. `enrol`: their clinic "
        "requires a second factor of their role and they have none; `enrolment` holds a new one.",
    )
    enrolment = MfaEnrolmentSerializer(
        allow_null=True, help_text="The authenticator to set up when `step` is `enrol`; else null."
    )


class MfaVerifySerializer(StrictSerializer):
    challenge = serializers.CharField(
        max_length=500, help_text="The challenge the password step answered."
    )
    code = serializers.CharField(
        max_length=20,
        help_text="Six digits from the authenticator app, or a recovery code (`abcde-fghjk`).",
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Logged in with a code",
            value={
                "token": "9f2c4e…(64 hex characters)",
                "expiry": "2026-11-26T09:30:00Z",
                "user": {
                    "id": "8d7c6b5a-4f3e-2d1c-0b9a-887766554433",
                    "username": "dr.demo@demo",
                    "first_name": "Daniel",
                    "last_name": "Palmer",
                    "email": "",
                    "role": "chiropractor",
                    "clinic": {
                        "id": "11111111-2222-3333-4444-555555555555",
                        "name": "Demo Spine & Sports Chiropractic",
                        "slug": "demo",
                        "time_zone": "America/New_York",
                    },
                    "capabilities": capabilities_of("chiropractor"),
                },
                "recovery_codes": [],
            },
            response_only=True,
        )
    ]
)
class MfaLoginResponseSerializer(LoginResponseSerializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        max_length=20,
        help_text="One-time recovery codes when this login enrolled the authenticator (shown "
        "only now: store them safely); otherwise empty.",
    )
