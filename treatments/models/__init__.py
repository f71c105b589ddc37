"""Treatment plans (and, later, visits)."""

from treatments.models.plans import (
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

__all__ = [
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
