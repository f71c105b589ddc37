"""What the visits' writes take: each service's keyword arguments, declared and typed.

A serializer is the shape of a request; its validated data is passed to the service as these
keywords (`tests/test_service_inputs.py` holds each serializer to its service's keywords)."""

from datetime import datetime
from typing import TypedDict

from clinics.models import User
from patients.models import Patient
from reference.models import Exercise, Listing, Segment, SoftTissueModality, Technique
from treatments.plans.models import (
    PlannedAdjustment,
    PlannedExercise,
    PlannedSoftTissue,
    TreatmentPlan,
)


class FindingFields(TypedDict, total=False):
    region: str
    pain: bool
    pain_note: str
    asymmetry: bool
    asymmetry_note: str
    range_of_motion: bool
    range_of_motion_note: str
    tissue: bool
    tissue_note: str


class PerformedAdjustmentFields(TypedDict, total=False):
    planned_item: PlannedAdjustment | None
    segment: Segment
    listing: Listing | None
    technique: Technique
    laterality: str


class PerformedSoftTissueFields(TypedDict, total=False):
    planned_item: PlannedSoftTissue | None
    modality: SoftTissueModality
    muscles: list[str]
    laterality: str
    minutes: int
    body_region: str


class PerformedExerciseFields(TypedDict, total=False):
    planned_item: PlannedExercise | None
    exercise: Exercise
    sets: int
    repetitions: int
    minutes: int
    body_region: str


PerformedItemFields = (
    PerformedAdjustmentFields | PerformedSoftTissueFields | PerformedExerciseFields
)


class PerformedItems(TypedDict, total=False):
    """What was performed, by kind; a kind given replaces the visit's items of that kind."""

    adjustments: list[PerformedAdjustmentFields]
    soft_tissue: list[PerformedSoftTissueFields]
    exercises: list[PerformedExerciseFields]


class VisitFields(PerformedItems, total=False):
    patient: Patient
    chiropractor: User
    plan: TreatmentPlan | None
    visit_at: datetime
    is_reexamination: bool
    pain_before: int | None
    pain_after: int | None
    subjective: str
    objective: str
    assessment: str
    plan_note: str
    adherence: str
    findings: list[FindingFields]
