"""Reference data as pickers read it."""

from rest_framework import serializers

from api.serializers import QueryParametersSerializer, StrictModelSerializer
from reference.cpt import TIMED_CPT_CHOICES
from reference.models import (
    Exercise,
    Listing,
    Muscle,
    Segment,
    SegmentKind,
    SoftTissueModality,
    Technique,
)


class Icd10CodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ICD-10-CM code, dotted.")
    description = serializers.CharField(help_text="Official description.")
    billable = serializers.BooleanField(
        help_text="True for a leaf code, which a condition may use; false for a category."
    )
    chiropractic = serializers.BooleanField(
        help_text="One of the codes chiropractic clinics use most (ranked first)."
    )


class Icd10SearchQuerySerializer(QueryParametersSerializer):
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


class SegmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Segment
        fields = ["code", "name", "kind", "cmt_region", "sided"]
        extra_kwargs = {
            "code": {"help_text": "Code to use in plans and visits, e.g. C5, L_ILIUM, KNEE."},
            "name": {"help_text": "Display name."},
            "kind": {"help_text": "What kind of segment or joint it is; listings apply to kinds."},
            "cmt_region": {"help_text": "CMT region it counts towards (98940–98943)."},
            "sided": {"help_text": "True when an adjustment must say left or right."},
        }


class ListingSerializer(serializers.ModelSerializer):
    applies_to = serializers.ListField(
        child=serializers.ChoiceField(choices=SegmentKind.choices),
        help_text="Kinds of segment it can describe.",
    )

    class Meta:
        model = Listing
        fields = ["code", "description", "notation", "applies_to"]
        extra_kwargs = {
            "code": {"help_text": "Code to use in plans and visits, e.g. PRS, PIIN."},
            "description": {"help_text": "What the listing means."},
            "notation": {"help_text": "Gonstead listing or Diversified restriction."},
        }


class SoftTissueModalitySerializer(serializers.ModelSerializer):
    cpt_code = serializers.ChoiceField(
        choices=TIMED_CPT_CHOICES,
        read_only=True,
        help_text="Timed CPT code it is billed under (97124, 97140, 97112).",
    )

    class Meta:
        model = SoftTissueModality
        fields = ["code", "name", "cpt_code"]
        extra_kwargs = {
            "code": {"help_text": "Code to use in plans and visits."},
            "name": {"help_text": "Display name."},
        }


class MuscleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Muscle
        fields = ["code", "name", "body_region"]
        extra_kwargs = {
            "code": {"help_text": "Code to use in plans and visits."},
            "name": {"help_text": "Display name."},
            "body_region": {"help_text": "Where the muscle is."},
        }


CLINIC_ENTRY_HELP = {
    "id": {"help_text": "The entry's identifier."},
    "code": {
        "help_text": "Code to use in plans and visits: lower-case letters, digits, underscores."
    },
    "name": {"help_text": "Display name."},
    "description": {"help_text": "What it is or how it is done."},
}


class TechniqueSerializer(StrictModelSerializer):
    shipped = serializers.SerializerMethodField(
        help_text="True for shipped entries; false for the clinic's own."
    )

    class Meta:
        model = Technique
        fields = ["id", "code", "name", "description", "shipped"]
        extra_kwargs = CLINIC_ENTRY_HELP

    def get_shipped(self, entry: Technique) -> bool:
        return entry.clinic_id is None


class ExerciseSerializer(StrictModelSerializer):
    shipped = serializers.SerializerMethodField(
        help_text="True for shipped entries; false for the clinic's own."
    )

    class Meta:
        model = Exercise
        fields = [
            "id",
            "code",
            "name",
            "description",
            "body_region",
            "default_sets",
            "default_repetitions",
            "default_hold_seconds",
            "cpt_code",
            "shipped",
        ]
        extra_kwargs = {
            **CLINIC_ENTRY_HELP,
            "body_region": {"help_text": "Body region the exercise works on."},
            "default_sets": {"help_text": "Usual sets (1–20)."},
            "default_repetitions": {"help_text": "Usual repetitions per set (1–100)."},
            "default_hold_seconds": {"help_text": "Usual hold in seconds (0–600)."},
            "cpt_code": {"help_text": "Timed CPT code when done in the clinic: 97110 or 97112."},
        }

    def get_shipped(self, entry: Exercise) -> bool:
        return entry.clinic_id is None
