"""Reference data as pickers read it."""

from rest_framework import serializers


class Icd10CodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ICD-10-CM code, dotted.")
    description = serializers.CharField(help_text="Official description.")
    billable = serializers.BooleanField(
        help_text="True for a leaf code, which a condition may use; false for a category."
    )
    chiropractic = serializers.BooleanField(
        help_text="One of the codes chiropractic clinics use most (ranked first)."
    )


class Icd10SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=100,
        help_text="Code prefix (`M54`, `m5450`) or words of the description (`spasm back`).",
    )
    billable = serializers.BooleanField(
        required=False, default=False, help_text="Only billable (leaf) codes."
    )
    limit = serializers.IntegerField(
        required=False,
        default=20,
        min_value=1,
        max_value=100,
        help_text="At most this many codes (default 20, at most 100).",
    )
