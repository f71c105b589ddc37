"""How a plan is going, as the API answers it."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from treatments.examples import answer_example
from treatments.plans.models import Comparator, GoalMeasure, GoalStatus, PlanStatus


class TrendSerializer(serializers.Serializer):
    first = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        coerce_to_string=False,
        help_text="First value in the plan period.",
    )
    last = serializers.DecimalField(
        max_digits=5, decimal_places=1, coerce_to_string=False, help_text="Latest value."
    )
    best = serializers.DecimalField(
        max_digits=5, decimal_places=1, coerce_to_string=False, help_text="Lowest (best) value."
    )
    change = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        coerce_to_string=False,
        help_text="last − first (negative is better).",
    )
    meaningful = serializers.BooleanField(
        help_text="Change of at least 2 NRS points or 10 percentage points."
    )
    improved = serializers.BooleanField(help_text="True when the latest value is below the first.")


class ReexaminationSerializer(serializers.Serializer):
    due_on = serializers.DateField(help_text="When the next re-examination is due.")
    due_because = serializers.ChoiceField(
        choices=[
            ("visits", "The plan's interval in visits (reexam_interval_visits) comes first"),
            ("days", "The plan's interval in days (reexam_interval_days) comes first"),
        ],
        help_text="Which of the plan's two intervals makes the re-examination due first.",
    )
    overdue = serializers.BooleanField(
        help_text="True once the due date has passed or more visits than the interval were given."
    )
    last_on = serializers.DateField(
        allow_null=True, help_text="Date of the last re-examination; null if none yet."
    )
    visits_since = serializers.IntegerField(
        help_text="Visits since the last re-examination (or the plan start)."
    )


class GoalProgressSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="goal.id", help_text="The goal.")
    description = serializers.CharField(source="goal.description", help_text="The goal in words.")
    measure = serializers.ChoiceField(
        choices=GoalMeasure.choices,
        allow_blank=True,
        source="goal.measure",
        help_text="What it is measured on (empty if none).",
    )
    comparator = serializers.ChoiceField(
        choices=Comparator.choices,
        allow_blank=True,
        source="goal.comparator",
        help_text="How the value compares to the target (empty if no measure).",
    )
    target_value = serializers.DecimalField(
        source="goal.target_value",
        max_digits=6,
        decimal_places=1,
        coerce_to_string=False,
        allow_null=True,
        help_text="The target.",
    )
    status = serializers.ChoiceField(
        choices=GoalStatus.choices, source="goal.status", help_text="The goal's recorded status."
    )
    current_value = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        coerce_to_string=False,
        allow_null=True,
        help_text="Latest measured value (NRS, ODI %, NDI %); null when the measure is not recorded.",
    )
    met = serializers.BooleanField(
        allow_null=True, help_text="Whether the current value meets the target; null if unknown."
    )


class PlanCalendarSerializer(serializers.Serializer):
    booked = serializers.IntegerField(
        help_text="Appointments for the plan booked or arrived (not yet completed)."
    )
    completed = serializers.IntegerField(help_text="Appointments completed with a visit.")
    cancelled = serializers.IntegerField(help_text="Appointments cancelled.")
    missed = serializers.IntegerField(help_text="Appointments the patient did not come to.")
    unscheduled = serializers.IntegerField(
        help_text="Visits still to come that no appointment holds yet "
        "(POST /treatment-plans/{id}/schedule/ books them)."
    )
    next_visit_at = serializers.DateTimeField(
        allow_null=True, help_text="The next booked appointment; null when none."
    )
    next_reexamination_at = serializers.DateTimeField(
        allow_null=True,
        help_text="The next booked re-examination (an appointment of the clinic's "
        "re-examination type); null when none.",
    )


class PlanAuthorisationSerializer(serializers.Serializer):
    case = serializers.UUIDField(help_text="The case the plan is billed under.")
    authorisation_number = serializers.CharField(
        allow_blank=True, help_text="The payer's authorisation number."
    )
    authorised_visits = serializers.IntegerField(
        allow_null=True, help_text="Visits authorised; null for no limit."
    )
    authorised_from = serializers.DateField(allow_null=True, help_text="First authorised day.")
    authorised_to = serializers.DateField(allow_null=True, help_text="Last authorised day.")
    visits_used = serializers.IntegerField(
        help_text="Signed visits of the plan within the authorised dates."
    )
    visits_left = serializers.IntegerField(
        allow_null=True, help_text="Authorised visits not yet used; null for no limit."
    )


@extend_schema_serializer(
    examples=[answer_example("A relief plan after its first visit", "progress")]
)
class PlanProgressSerializer(serializers.Serializer):
    plan = serializers.UUIDField(help_text="The plan.")
    status = serializers.ChoiceField(choices=PlanStatus.choices, help_text="The plan's status.")
    visits_planned = serializers.IntegerField(
        help_text="The visits the plan's stages plan: Σ visits_per_week × weeks."
    )
    visits_done = serializers.IntegerField(
        help_text="Visits logged against the plan (not discarded)."
    )
    visits_remaining = serializers.IntegerField(help_text="Planned visits still to come.")
    calendar = PlanCalendarSerializer(
        help_text="The plan's appointments on the calendar against its schedule."
    )
    authorisation = PlanAuthorisationSerializer(
        allow_null=True,
        help_text="The authorisation of the case the plan is billed under (visits used and "
        "left); null when the plan has no case.",
    )
    reexamination = ReexaminationSerializer(help_text="When the next re-examination is due.")
    pain = TrendSerializer(
        allow_null=True, help_text="NRS pain trend (visits and recorded scores); null without data."
    )
    odi = TrendSerializer(allow_null=True, help_text="Oswestry % trend; null without data.")
    ndi = TrendSerializer(allow_null=True, help_text="Neck Disability % trend; null without data.")
    goals = GoalProgressSerializer(many=True, help_text="Each goal against its target.")
