"""Checks of a planned or performed item's own fields against the reference vocabulary.

Each `*_problems` returns {field: message} for what is wrong; `check_items` raises them all at
once, each under its item's path (`adjustments.2.listing` inside a whole plan or visit).
"""

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from api.error_codes import ApiCode
from api.shipped_rows import shipped_rows
from reference.models import Listing, Muscle, Segment
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
    if measure and target_value is not None:
        low, high = MEASURE_RANGES[measure]
        if not low <= target_value <= high:
            return {"target_value": f"A target on this measure lies between {low} and {high}."}
    return {}


def _adjustment_errors(item: Any) -> dict[str, ValidationError]:
    return _invalid(
        adjustment_problems(segment=item.segment, listing=item.listing, laterality=item.laterality)
    )


def _soft_tissue_errors(item: Any) -> dict[str, ValidationError]:
    known = set(shipped_rows(Muscle)) & set(item.muscles)
    unknown = {
        f"muscles.{index}": ValidationError(
            f"Unknown muscle '{code}'.", code=ApiCode.DOES_NOT_EXIST
        )
        for index, code in enumerate(item.muscles)
        if code not in known
    }
    return unknown or _invalid(soft_tissue_problems(muscles=item.muscles))


def _goal_errors(item: Any) -> dict[str, ValidationError]:
    return _invalid(
        goal_problems(
            measure=item.measure or "",
            comparator=item.comparator or "",
            target_value=item.target_value,
        )
    )


def _invalid(problems: dict[str, str]) -> dict[str, ValidationError]:
    return {
        field: ValidationError(message, code=ApiCode.INVALID) for field, message in problems.items()
    }


# Each kind of item (planned or performed, by the name of its list) and what checks its fields.
ITEM_CHECKS: dict[str, Callable[[Any], dict[str, ValidationError]]] = {
    "goals": _goal_errors,
    "adjustments": _adjustment_errors,
    "soft_tissue": _soft_tissue_errors,
    "exercises": lambda item: {},
}


def check_items(items: Iterable[tuple[str, str, Any]]) -> None:
    """Refuse items whose fields do not fit together, every problem at once. Each item comes
    as (path, kind, item): its place in the body ("adjustments.2." in a plan, "" alone)."""
    errors = {
        f"{path}{field}": error
        for path, kind, item in items
        for field, error in ITEM_CHECKS[kind](item).items()
    }
    if errors:
        raise ValidationError(errors)
