"""Writes that carry the rules of plans, visits and outcome measures."""

from treatments.services.outcomes import outcome_discard, outcome_record
from treatments.services.plans import (
    patient_has_open_plan,
    plan_create,
    plan_item_add,
    plan_item_remove,
    plan_item_update,
    plan_transition,
    plan_update,
)
from treatments.services.visits import (
    visit_amend,
    visit_create,
    visit_discard,
    visit_sign,
    visit_update,
)

__all__ = [
    "outcome_discard",
    "outcome_record",
    "patient_has_open_plan",
    "plan_create",
    "plan_item_add",
    "plan_item_remove",
    "plan_item_update",
    "plan_transition",
    "plan_update",
    "visit_amend",
    "visit_create",
    "visit_discard",
    "visit_sign",
    "visit_update",
]
