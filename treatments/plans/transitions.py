"""The treatment-plan status machine (DOMAIN.md): one table of allowed moves.

draft → active → on-hold ↔ active → completed, or revoked; entered-in-error from any open
state. Completed, revoked and entered-in-error plans are closed and read-only.
"""

from dataclasses import dataclass

from api.errors import Conflict
from treatments.plans.models import PlanStatus


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    summary: str


_OPEN = frozenset({PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.ON_HOLD})

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
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
            frozenset({PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.ON_HOLD}),
            PlanStatus.REVOKED,
            "Withdraw the plan before it is finished",
        ),
        Transition(
            "mark-entered-in-error",
            _OPEN,
            PlanStatus.ENTERED_IN_ERROR,
            "Flag a plan recorded by mistake",
        ),
    ]
}

ACTION_CHOICES = list(TRANSITIONS)

# Statuses whose plan content (fields and items) may still be edited.
EDITABLE_STATUSES = frozenset({PlanStatus.DRAFT, PlanStatus.ACTIVE})
CLOSED_STATUSES = frozenset({PlanStatus.COMPLETED, PlanStatus.REVOKED, PlanStatus.ENTERED_IN_ERROR})


class TransitionNotAllowed(Conflict):
    default_code = "transition_not_allowed"


def allowed_actions(status: str) -> list[str]:
    return [t.action for t in TRANSITIONS.values() if status in t.sources]


def target_status(*, status: str, action: str) -> str:
    """The status `action` moves a plan in `status` to; TransitionNotAllowed names the options."""
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        options = allowed_actions(status)
        allowed = ", ".join(options) if options else "none (the plan is closed)"
        raise TransitionNotAllowed(
            f"A plan that is {status} cannot {action.replace('-', ' ')}. Allowed actions: {allowed}."
        )
    return transition.target
