"""The treatment-plan status machine (DOMAIN.md): one table of allowed moves.

draft → active → on-hold ↔ active → completed, or revoked; entered-in-error from any open
state. Completed, revoked and entered-in-error plans are closed and read-only.
"""

from api.status_machine import StatusMachine, Transition
from treatments.plans.models import PlanStatus

_OPEN = frozenset({PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.ON_HOLD})

PLAN_STATUS_MACHINE = StatusMachine(
    "A",
    "plan",
    [
        Transition("activate", frozenset({PlanStatus.DRAFT}), PlanStatus.ACTIVE, "Start the plan"),
        Transition("hold", frozenset({PlanStatus.ACTIVE}), PlanStatus.ON_HOLD, "Pause the plan"),
        Transition(
            "resume", frozenset({PlanStatus.ON_HOLD}), PlanStatus.ACTIVE, "Resume a paused plan"
        ),
        Transition(
            "complete", frozenset({PlanStatus.ACTIVE}), PlanStatus.COMPLETED, "Finish the plan"
        ),
        Transition(
            "revoke",
            _OPEN,
            PlanStatus.REVOKED,
            "Withdraw the plan before it is finished",
        ),
        Transition(
            "mark-entered-in-error",
            _OPEN,
            PlanStatus.ENTERED_IN_ERROR,
            "Flag a plan recorded by mistake",
        ),
    ],
)
ACTION_CHOICES = PLAN_STATUS_MACHINE.actions

# Statuses whose plan content (fields and items) may still be edited.
EDITABLE_STATUSES = frozenset({PlanStatus.DRAFT, PlanStatus.ACTIVE})
CLOSED_STATUSES = frozenset({PlanStatus.COMPLETED, PlanStatus.REVOKED, PlanStatus.ENTERED_IN_ERROR})
