"""What a line is charged: the clinic's fee for its code on the date of service."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from billing.models import FeeScheduleEntry


def unit_charge(
    fees: Iterable[FeeScheduleEntry], cpt: str, modifiers: Iterable[str], day: date
) -> Decimal | None:
    """The fee in effect on `day` for the code with the first of its modifiers that has one
    of its own, else the code's fee whatever its modifiers; None when the schedule has none."""
    in_effect = [
        fee
        for fee in fees
        if fee.cpt == cpt
        and fee.effective_from <= day
        and (fee.effective_to is None or day <= fee.effective_to)
    ]
    by_modifier: dict[str, Decimal] = {fee.modifier: fee.charge for fee in in_effect}
    for modifier in (*modifiers, ""):
        if modifier in by_modifier:
            return by_modifier[modifier]
    return None
