"""The models of every room, in the module Django loads for the app. Rooms import each
other's models from the room (`treatments.plans.models`), never from here."""

from treatments.outcomes.models import Instrument, OutcomeMeasure, OutcomeStatus
from treatments.plans.models import (
    Comparator,
    Goal,
    GoalMeasure,
    GoalStatus,
    PlanCondition,
    PlannedAdjustment,
    PlannedExercise,
    PlannedSoftTissue,
    PlanPhase,
    PlanStatus,
    TreatmentPlan,
)
from treatments.visits.models import (
    Adherence,
    Amendment,
    AmendmentSection,
    PartFinding,
    PartRegion,
    PerformedAdjustment,
    PerformedExercise,
    PerformedSoftTissue,
    Visit,
    VisitStatus,
)

__all__ = [
    "Adherence",
    "Amendment",
    "AmendmentSection",
    "Instrument",
    "OutcomeMeasure",
    "OutcomeStatus",
    "PartFinding",
    "PartRegion",
    "PerformedAdjustment",
    "PerformedExercise",
    "PerformedSoftTissue",
    "Visit",
    "VisitStatus",
    "Comparator",
    "Goal",
    "GoalMeasure",
    "GoalStatus",
    "PlanCondition",
    "PlanPhase",
    "PlanStatus",
    "PlannedAdjustment",
    "PlannedExercise",
    "PlannedSoftTissue",
    "TreatmentPlan",
]
