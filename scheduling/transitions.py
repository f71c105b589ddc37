"""The appointment status machine (DOMAIN.md): one table of allowed moves.

booked → arrived → completed (a visit was logged), or cancelled, or no-show. Completed,
cancelled and no-show appointments are closed.
"""

from scheduling.models import AppointmentStatus
from treatments.plans.transitions import Transition, TransitionNotAllowed

_BOOKED = frozenset({AppointmentStatus.BOOKED})
_OPEN = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED})

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("arrive", _BOOKED, AppointmentStatus.ARRIVED, "The patient has arrived"),
        Transition(
            "complete", _OPEN, AppointmentStatus.COMPLETED, "Close with the visit logged for it"
        ),
        Transition("cancel", _OPEN, AppointmentStatus.CANCELLED, "Cancel, with a reason"),
        Transition("no-show", _BOOKED, AppointmentStatus.NO_SHOW, "The patient did not come"),
    ]
}

ACTION_CHOICES = list(TRANSITIONS)

# Only a booked appointment may be moved or have its type changed.
MOVABLE_STATUSES = _BOOKED


def allowed_actions(status: str) -> list[str]:
    return [t.action for t in TRANSITIONS.values() if status in t.sources]


def target_status(*, status: str, action: str) -> str:
    """The status `action` moves an appointment in `status` to; refused with the options."""
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        options = allowed_actions(status)
        allowed = ", ".join(options) if options else "none (the appointment is closed)"
        raise TransitionNotAllowed(
            f"An appointment that is {status.replace('_', '-')} cannot "
            f"{action.replace('-', ' ')}. Allowed actions: {allowed}."
        )
    return transition.target
