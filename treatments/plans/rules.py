"""Checks of a planned item's own fields against the reference vocabulary.

Each returns {field: message} for what is wrong, so that serializers can report the errors
under their own field paths (nested as `adjustments.2.listing` inside a whole plan).
"""

from decimal import Decimal

from reference.models import Listing, Segment
from treatments.plans.models import MEASURE_RANGES


def adjustment_problems(
    *, segment: Segment, listing: Listing | None, laterality: str
) -> dict[str, str]:
    problems = {}
    if listing is not None and segment.kind not in listing.applies_to:
        problems["listing"] = (
            f"Listing {listing.code} does not describe a {segment.get_kind_display().lower()} "
            f"({segment.name})."
        )
    if segment.sided and not laterality:
        problems["laterality"] = f"Say which side of the {segment.name.lower()} to adjust."
    elif not segment.sided and laterality:
        problems["laterality"] = f"{segment.name} has no side; leave laterality empty."
    return problems


def soft_tissue_problems(*, muscles: list[str]) -> dict[str, str]:
    if not muscles:
        return {"muscles": "Name at least one target muscle."}
    if len(set(muscles)) != len(muscles):
        return {"muscles": "A muscle is listed twice."}
    return {}


def goal_problems(*, measure: str, comparator: str, target_value: Decimal | None) -> dict[str, str]:
    given = [bool(measure), bool(comparator), target_value is not None]
    if any(given) and not all(given):
        missing = [
            name
            for name, ok in zip(("measure", "comparator", "target_value"), given, strict=True)
            if not ok
        ]
        return {name: "A target needs a measure, a comparator and a value." for name in missing}
    if measure:
        low, high = MEASURE_RANGES[measure]
        if not low <= target_value <= high:
            return {"target_value": f"A target on this measure lies between {low} and {high}."}
    return {}
