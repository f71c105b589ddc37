"""Bodies of the second-factor and break-glass endpoints."""

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.models import BreakGlassGrant
from api.serializers import ClinicScopedPrimaryKeyField, StrictModelSerializer, StrictSerializer
from clinics.models import User


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "On, as the clinic requires",
            value={"enabled": True, "required": True, "recovery_codes_left": 9},
            response_only=True,
        )
    ]
)
class MfaStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Whether logging in asks for a second factor.")
    # A field named as Field's `required` flag: DRF's metaclass takes declared fields out of
    # the class, so the flag is untouched.
    required = serializers.BooleanField(  # type: ignore[assignment]
        help_text="Whether the clinic requires a second factor of the user's role (then it "
        "cannot be turned off by the user)."
    )
    recovery_codes_left = serializers.IntegerField(
        min_value=0, help_text="Unused recovery codes (0 when the second factor is off)."
    )


class MfaCodeSerializer(StrictSerializer):
    code = serializers.CharField(max_length=20, help_text="Six digits from the authenticator app.")


class PasswordSerializer(StrictSerializer):
    password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        write_only=True,
        style={"input_type": "password"},
        help_text="The user's password, asked again.",
    )


class MfaDisableSerializer(PasswordSerializer):
    code = serializers.CharField(
        max_length=20,
        help_text="Six digits from the authenticator app, or a recovery code.",
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Ten new recovery codes",
            value={
                "recovery_codes": [
                    "k7m2p-x9qrt",
                    "b4nf8-wz3hc",
                    "t6yv2-m8ksd",
                    "q3rp9-h7bnx",
                    "z8cw4-f2kmt",
                    "n5xh7-r3pqv",
                    "c9tm2-w6bdy",
                    "h4qz8-p7nvk",
                    "y2bd6-t9xmr",
                    "m7kf3-c4wzq",
                ]
            },
            response_only=True,
        )
    ]
)
class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        max_length=20,
        help_text="One-time codes that stand in for the authenticator; shown only now.",
    )


class GrantHolderSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The staff member's identifier."},
            "first_name": {"help_text": "Given name."},
            "last_name": {"help_text": "Family name."},
            "role": {"help_text": "Their role in the clinic."},
        }


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Front desk in an emergency",
            value={
                "patient": "3f0c2a9e-5b7d-4e1f-9a8b-6c5d4e3f2a1b",
                "reason": "Patient collapsed in the waiting room; paramedics ask for diagnoses.",
                "minutes": 60,
            },
            request_only=True,
        ),
        OpenApiExample(
            "An active grant",
            value={
                "id": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
                "patient": "3f0c2a9e-5b7d-4e1f-9a8b-6c5d4e3f2a1b",
                "user": {
                    "id": "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091",
                    "username": "desk.demo@demo",
                    "first_name": "Fiona",
                    "last_name": "Desk",
                    "role": "front_desk",
                },
                "reason": "Patient collapsed in the waiting room; paramedics ask for diagnoses.",
                "granted_at": "2026-11-26T09:00:00Z",
                "expires_at": "2026-11-26T10:00:00Z",
                "ended_at": None,
                "active": True,
            },
            response_only=True,
        ),
    ]
)
class BreakGlassGrantSerializer(StrictModelSerializer):
    patient = ClinicScopedPrimaryKeyField(
        # The patients app stands above this one: its model is found through the registry.
        queryset=apps.get_model("patients", "Patient").objects.all(),
        pk_field=serializers.UUIDField(),
        help_text="The patient whose clinical record is opened.",
    )
    reason = serializers.CharField(
        min_length=10,
        max_length=1000,
        help_text="Why the record has to be opened (kept with the grant and shown to admins).",
    )
    minutes = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=5,
        max_value=settings.BREAK_GLASS_MAX_MINUTES,
        help_text=f"How long the grant lasts; default {settings.BREAK_GLASS_MINUTES}.",
    )
    user = GrantHolderSerializer(read_only=True, help_text="Who opened the record.")
    active = serializers.SerializerMethodField(help_text="Whether the grant still works.")

    class Meta:
        model = BreakGlassGrant
        fields = [
            "id",
            "patient",
            "user",
            "reason",
            "minutes",
            "granted_at",
            "expires_at",
            "ended_at",
            "active",
        ]
        read_only_fields = ["id", "granted_at", "expires_at", "ended_at"]
        extra_kwargs = {
            "id": {"help_text": "The grant's identifier."},
            "granted_at": {"help_text": "When the record was opened."},
            "expires_at": {"help_text": "When the grant stops working."},
            "ended_at": {"help_text": "When the grant was ended early, if it was."},
        }

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_active(self, grant: BreakGlassGrant) -> bool:
        return grant.ended_at is None and grant.expires_at > timezone.now()
