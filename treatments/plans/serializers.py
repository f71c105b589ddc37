"""Treatment plans, their goals and planned interventions, as the API reads and writes them."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.concurrency import VERSION_HELP
from api.roles import Role
from api.serializers import (
    ClinicalFieldsMixin,
    ClinicReferenceCodeField,
    ClinicScopedPrimaryKeyField,
    ReferenceCodeField,
    StrictModelSerializer,
    StrictSerializer,
)
from clinics.models import User
from patients.models import Condition, Patient
from reference.cpt import TIMED_CPT_CHOICES
from reference.models import (
    CmtRegion,
    Exercise,
    Listing,
    Segment,
    SoftTissueModality,
    Technique,
)
from treatments.examples import answer_example
from treatments.plans import transitions
from treatments.plans.models import (
    Goal,
    PlannedAdjustment,
    PlannedExercise,
    PlannedSoftTissue,
    TreatmentPlan,
)

ITEM_READ_ONLY = ["id", "version"]
ITEM_HELP = {
    "id": {"help_text": "The item's identifier."},
    "position": {"help_text": "Order within the plan (0 first); defaults to the end."},
    "version": VERSION_HELP,
}


class GoalSerializer(StrictModelSerializer):
    target_value = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        coerce_to_string=False,
        required=False,
        allow_null=True,
        help_text="The number to reach, e.g. 2 for `pain <= 2`.",
    )

    class Meta:
        model = Goal
        fields = [
            "id",
            "description",
            "measure",
            "comparator",
            "target_value",
            "target_date",
            "status",
            "position",
            "version",
        ]
        read_only_fields = ITEM_READ_ONLY
        extra_kwargs = {
            **ITEM_HELP,
            "description": {"help_text": "The goal in words, e.g. 'Sit 60 minutes without pain'."},
            "measure": {
                "help_text": "What the target is measured on; empty for a goal without a number."
            },
            "comparator": {"help_text": "How the measured value compares to the target."},
            "target_date": {"help_text": "When the goal should be reached."},
            "status": {"help_text": "Where the goal stands."},
        }


# What an adjustment is, planned or performed: segment, listing, technique, side.
class AdjustmentFieldsSerializer(StrictModelSerializer):
    segment = ReferenceCodeField(
        slug_field="code",
        queryset=Segment.objects.all(),
        help_text="Segment or joint code (see /reference/segments/), e.g. C5, L_ILIUM, KNEE.",
    )
    cmt_region = serializers.ChoiceField(
        choices=CmtRegion.choices,
        source="segment.cmt_region",
        read_only=True,
        help_text="The segment's CMT region (cervical … pelvic, extraspinal).",
    )
    listing = ReferenceCodeField(
        slug_field="code",
        queryset=Listing.objects.all(),
        required=False,
        allow_null=True,
        help_text="Listing or restriction found (see /reference/listings/), e.g. PRS, PIIN, LEFT_ROTATION_RESTRICTION.",
    )
    technique = ClinicReferenceCodeField(
        queryset=Technique.objects.all(),
        help_text="Technique code (see /reference/techniques/), e.g. diversified.",
    )


class PlannedAdjustmentSerializer(AdjustmentFieldsSerializer):
    class Meta:
        model = PlannedAdjustment
        fields = [
            "id",
            "segment",
            "cmt_region",
            "listing",
            "technique",
            "laterality",
            "notes",
            "position",
            "version",
        ]
        read_only_fields = ITEM_READ_ONLY
        extra_kwargs = {
            **ITEM_HELP,
            "laterality": {
                "help_text": "Side, for sided joints (extremities, ribs, costovertebral); empty otherwise."
            },
            "notes": {"help_text": "Set-up or contact notes."},
        }


# What soft-tissue work is, planned or performed: modality, its CPT code, muscles.
class SoftTissueFieldsSerializer(StrictModelSerializer):
    modality = ReferenceCodeField(
        slug_field="code",
        queryset=SoftTissueModality.objects.all(),
        help_text="Modality code (see /reference/soft-tissue-modalities/), e.g. myofascial_release.",
    )
    cpt_code = serializers.ChoiceField(
        choices=TIMED_CPT_CHOICES,
        source="modality.cpt_code",
        read_only=True,
        help_text="Timed CPT code the modality is billed under.",
    )
    muscles = serializers.ListField(
        child=serializers.CharField(max_length=40),
        help_text="Codes of the target muscles (see /reference/muscles/), e.g. upper_trapezius.",
    )


class PlannedSoftTissueSerializer(SoftTissueFieldsSerializer):
    class Meta:
        model = PlannedSoftTissue
        fields = [
            "id",
            "modality",
            "cpt_code",
            "muscles",
            "laterality",
            "minutes",
            "notes",
            "position",
            "version",
        ]
        read_only_fields = ITEM_READ_ONLY
        extra_kwargs = {
            **ITEM_HELP,
            "laterality": {"help_text": "Side treated, if one side only."},
            "minutes": {"help_text": "Minutes per visit (1–120)."},
            "notes": {"help_text": "Pressure, position or other notes."},
        }


# Which exercise, planned or performed.
class ExerciseFieldsSerializer(StrictModelSerializer):
    exercise = ClinicReferenceCodeField(
        queryset=Exercise.objects.all(),
        help_text="Exercise code (see /reference/exercises/), e.g. chin_tuck.",
    )
    exercise_name = serializers.CharField(
        source="exercise.name", read_only=True, help_text="The exercise's name."
    )


class PlannedExerciseSerializer(ExerciseFieldsSerializer):
    class Meta:
        model = PlannedExercise
        fields = [
            "id",
            "exercise",
            "exercise_name",
            "sets",
            "repetitions",
            "hold_seconds",
            "times_per_day",
            "days_per_week",
            "laterality",
            "instructions",
            "position",
            "version",
        ]
        read_only_fields = ITEM_READ_ONLY
        extra_kwargs = {
            **ITEM_HELP,
            "sets": {
                "help_text": "Sets each session (1–20); defaults to the exercise's usual dosage.",
                "required": False,
            },
            "repetitions": {
                "help_text": "Repetitions per set (1–100); defaults to the exercise's.",
                "required": False,
            },
            "hold_seconds": {
                "help_text": "Seconds to hold each repetition (0–600); defaults to the exercise's.",
                "required": False,
            },
            "times_per_day": {"help_text": "Sessions a day (1–10)."},
            "days_per_week": {"help_text": "Days a week (1–7)."},
            "laterality": {"help_text": "Side, for one-sided stretches."},
            "instructions": {"help_text": "Instructions in words the patient understands."},
        }


# The status actions the plan allows now, e.g. ["hold", "complete", "revoke", …].
AllowedActionsField = transitions.PLAN_STATUS_MACHINE.actions_field()


@extend_schema_serializer(
    examples=[answer_example("A relief plan for neck pain, as a chiropractor reads it", "plan")]
)
class FrequencyStageSerializer(StrictSerializer):
    visits_per_week = serializers.IntegerField(
        min_value=1, max_value=7, help_text="Visits a week in this stage (1–7)."
    )
    weeks = serializers.IntegerField(
        min_value=1, max_value=104, help_text="How many weeks the stage lasts (1–104)."
    )


class TreatmentPlanSerializer(ClinicalFieldsMixin, StrictModelSerializer):
    patient: serializers.PrimaryKeyRelatedField[Patient] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The patient the plan is for."
    )
    chiropractor = ClinicScopedPrimaryKeyField(
        queryset=User.objects.filter(role=Role.CHIROPRACTOR),
        required=False,
        help_text="The chiropractor in charge; defaults to the chiropractor creating the plan.",
    )
    conditions = ClinicScopedPrimaryKeyField(
        queryset=Condition.objects.all(),
        many=True,
        help_text="The patient's conditions the plan addresses (at least one).",
    )
    allowed_actions = AllowedActionsField(
        source="status",
        help_text="Status actions allowed now (POST /treatment-plans/{id}/{action}/).",
    )
    frequency = serializers.ListField(
        child=FrequencyStageSerializer(),
        required=False,
        min_length=1,
        max_length=6,
        source="stages",
        help_text="The visit frequency as stages that taper, in order: "
        '`[{"visits_per_week": 3, "weeks": 4}, {"visits_per_week": 2, "weeks": 6}]`. Give '
        "either this or `visits_per_week` and `weeks` (one stage); at most 6 stages and "
        "104 weeks in all.",
    )
    planned_visits = serializers.IntegerField(
        read_only=True, help_text="The visits the stages plan: Σ visits_per_week × weeks."
    )
    end_date = serializers.DateField(read_only=True, help_text="Last day of the planned weeks.")
    goals = GoalSerializer(many=True, read_only=True, help_text="Measurable goals.")
    adjustments = PlannedAdjustmentSerializer(
        many=True, read_only=True, help_text="Planned adjustments (CMT)."
    )
    soft_tissue = PlannedSoftTissueSerializer(
        many=True, read_only=True, help_text="Planned soft-tissue work."
    )
    exercises = PlannedExerciseSerializer(
        many=True, read_only=True, help_text="Home exercise programme."
    )

    class Meta:
        model = TreatmentPlan
        clinical_fields = [
            "conditions",
            "phase",
            "allowed_actions",
            "reexam_interval_days",
            "reexam_interval_visits",
            "notes",
            "goals",
            "adjustments",
            "soft_tissue",
            "exercises",
        ]
        fields = [
            "id",
            "patient",
            "chiropractor",
            "conditions",
            "phase",
            "status",
            "allowed_actions",
            "status_changed_at",
            "start_date",
            "end_date",
            "visits_per_week",
            "weeks",
            "frequency",
            "planned_visits",
            "reexam_interval_days",
            "reexam_interval_visits",
            "notes",
            "goals",
            "adjustments",
            "soft_tissue",
            "exercises",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [
            "status",
            "status_changed_at",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        extra_kwargs = {
            "id": {"help_text": "The plan's identifier."},
            "phase": {"help_text": "Phase of care."},
            "status": {"help_text": "Plan status; changed only through the status actions."},
            "status_changed_at": {"help_text": "When the status last changed."},
            "start_date": {"help_text": "First day of the plan."},
            "visits_per_week": {
                "required": False,
                "help_text": "Planned visits a week (1–7): of the first stage when the "
                "frequency tapers. Required on create unless `frequency` is given.",
            },
            "weeks": {
                "required": False,
                "help_text": "Planned duration in weeks (1–104): of all stages together. "
                "Required on create unless `frequency` is given.",
            },
            "reexam_interval_days": {
                "help_text": "A re-examination is due after this many days (default 30)."
            },
            "reexam_interval_visits": {
                "help_text": "…or after this many visits, whichever comes first (default 12)."
            },
            "notes": {"help_text": "Free-text notes of the plan."},
            "created_by": {"help_text": "Who wrote the plan."},
            "created_at": {"help_text": "When the plan was written."},
            "updated_at": {"help_text": "When the plan last changed."},
            "version": VERSION_HELP,
        }


class TreatmentPlanCreateSerializer(TreatmentPlanSerializer):
    patient = ClinicScopedPrimaryKeyField(
        queryset=Patient.objects.all(), help_text="The patient the plan is for."
    )
    goals = GoalSerializer(many=True, required=False, help_text="Measurable goals.")
    adjustments = PlannedAdjustmentSerializer(
        many=True, required=False, help_text="Planned adjustments (CMT)."
    )
    soft_tissue = PlannedSoftTissueSerializer(
        many=True, required=False, help_text="Planned soft-tissue work."
    )
    exercises = PlannedExerciseSerializer(
        many=True, required=False, help_text="Home exercise programme."
    )


class HomeExerciseSerializer(StrictSerializer):
    name = serializers.CharField(help_text="The exercise's name.")
    description = serializers.CharField(help_text="How to do it.")
    instructions = serializers.CharField(help_text="The chiropractor's instructions for you.")
    side = serializers.CharField(help_text="Which side, if one side only; empty otherwise.")
    sets = serializers.IntegerField(help_text="Sets each session.")
    repetitions = serializers.IntegerField(help_text="Repetitions per set.")
    hold_seconds = serializers.IntegerField(help_text="Seconds to hold each repetition.")
    times_per_day = serializers.IntegerField(help_text="Sessions a day.")
    days_per_week = serializers.IntegerField(help_text="Days a week.")
    dosage = serializers.CharField(help_text="All of the above in one sentence.")


class HomeProgramSerializer(StrictSerializer):
    plan = serializers.UUIDField(help_text="The treatment plan.")
    patient_name = serializers.CharField(help_text="The name the patient is called by.")
    chiropractor_name = serializers.CharField(help_text="The chiropractor who prescribed it.")
    start_date = serializers.DateField(help_text="First day of the plan.")
    end_date = serializers.DateField(help_text="Last planned day.")
    exercises = HomeExerciseSerializer(many=True, help_text="What to do at home.")
