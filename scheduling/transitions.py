"""The appointment status machine (DOMAIN.md): one table of allowed moves.

booked → arrived → completed (a visit was logged), or cancelled, or no-show. Completed,
cancelled and no-show appointments are closed.
"""

from api.status_machine import StatusMachine, Transition
from scheduling.models import AppointmentStatus

_BOOKED = frozenset({AppointmentStatus.BOOKED})
# Still to come: the appointment holds one of its plan's visits.
OPEN_STATUSES = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED})

APPOINTMENT_STATUS_MACHINE = StatusMachine(
    "An",
    "appointment",
    [
        Transition("arrive", _BOOKED, AppointmentStatus.ARRIVED, "The patient has arrived"),
        Transition(
            "complete",
            OPEN_STATUSES,
            AppointmentStatus.COMPLETED,
            "Close with the visit logged for it",
        ),
        Transition("cancel", OPEN_STATUSES, AppointmentStatus.CANCELLED, "Cancel, with a reason"),
        Transition("no-show", _BOOKED, AppointmentStatus.NO_SHOW, "The patient did not come"),
    ],
)
ACTION_CHOICES = APPOINTMENT_STATUS_MACHINE.actions

# Only a booked appointment may be moved or have its type changed.
MOVABLE_STATUSES = _BOOKED
