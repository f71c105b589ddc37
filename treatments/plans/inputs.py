"""What the plans' writes take: each service's keyword arguments, declared and typed.

A serializer is the shape of a request; its validated data is passed to the service as these
keywords (`tests/test_service_inputs.py` holds each serializer to its service's keywords)."""

from datetime import date
from decimal import Decimal
from typing import TypedDict

from clinics.models import User
from patients.models import Condition, Patient
from reference.models import Exercise, Listing, Segment, SoftTissueModality, Technique


class GoalFields(TypedDict, total=False):
    description: str
    measure: str
    comparator: str
    target_value: Decimal | None
    target_date: date | None
    status: str
    position: int


class AdjustmentFields(TypedDict, total=False):
    segment: Segment
    listing: Listing | None
    technique: Technique
    laterality: str
    notes: str
    position: int


class SoftTissueFields(TypedDict, total=False):
    modality: SoftTissueModality
    muscles: list[str]
    laterality: str
    minutes: int
    notes: str
    position: int


class ExerciseFields(TypedDict, total=False):
    exercise: Exercise
    sets: int
    repetitions: int
    hold_seconds: int
    times_per_day: int
    days_per_week: int
    laterality: str
    instructions: str
    position: int


PlanItemFields = GoalFields | AdjustmentFields | SoftTissueFields | ExerciseFields


class FrequencyStage(TypedDict):
    visits_per_week: int
    weeks: int


class PlanFields(TypedDict, total=False):
    chiropractor: User
    conditions: list[Condition]
    phase: str
    start_date: date
    visits_per_week: int
    weeks: int
    stages: list[FrequencyStage]
    reexam_interval_days: int
    reexam_interval_visits: int
    notes: str


class NewPlanFields(PlanFields, total=False):
    """A new plan names its patient and may come with its goals and interventions."""

    patient: Patient
    goals: list[GoalFields]
    adjustments: list[AdjustmentFields]
    soft_tissue: list[SoftTissueFields]
    exercises: list[ExerciseFields]
