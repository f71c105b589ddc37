"""Bodies of the second-factor endpoints."""

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from api.serializers import StrictSerializer


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
