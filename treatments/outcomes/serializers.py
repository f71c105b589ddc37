"""Outcome measures as the API reads and writes them."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.serializers import StrictModelSerializer
from treatments.examples import answer_example
from treatments.outcomes.models import OutcomeMeasure


@extend_schema_serializer(
    examples=[answer_example("An NDI questionnaire, scored by the server", "outcome")]
)
class OutcomeMeasureSerializer(StrictModelSerializer):
    value = serializers.IntegerField(
        min_value=0,
        max_value=10,
        required=False,
        allow_null=True,
        write_only=True,
        help_text="For `nrs`: the pain score 0–10 (returned as `score`).",
    )
    answers = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=5, allow_null=True),
        required=False,
        allow_null=True,
        help_text="For `odi` and `ndi`: the ten answers, 0–5 each, null for an unanswered item "
        "(at most two).",
    )
    percent = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        coerce_to_string=False,
        read_only=True,
        allow_null=True,
        help_text="ODI/NDI: score ÷ (5 × items answered) × 100; null for NRS.",
    )

    class Meta:
        model = OutcomeMeasure
        fields = [
            "id",
            "instrument",
            "measured_at",
            "value",
            "answers",
            "score",
            "max_score",
            "percent",
            "visit",
            "status",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "score",
            "max_score",
            "visit",
            "status",
            "recorded_by",
            "created_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "The measurement's identifier."},
            "instrument": {"help_text": "What was measured."},
            "measured_at": {
                "help_text": "When it was measured; defaults to now.",
                "required": False,
            },
            "score": {"help_text": "NRS: the pain score. ODI/NDI: sum of the answered items."},
            "max_score": {
                "help_text": "10 for NRS; 5 × items answered for ODI/NDI (50 when all are)."
            },
            "visit": {
                "help_text": "The visit an NRS score was taken from; null when recorded directly."
            },
            "status": {"help_text": "`entered-in-error` once discarded."},
            "recorded_by": {"help_text": "Who recorded it."},
            "created_at": {"help_text": "When it was recorded."},
        }
