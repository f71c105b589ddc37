"""A plan's visit frequency: an ordered list of stages (visits a week × weeks), as chiropractic
care tapers, e.g. 3 × 4 then 2 × 6 then 1 × 4 (DOMAIN.md, Scheduling). Pure functions over
plain values: no ORM, no request."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

MAX_STAGES = 6
MAX_WEEKS = 104  # in all stages together


@dataclass(frozen=True)
class Stage:
    visits_per_week: int
    weeks: int


def stages_of(frequency: Sequence[dict[str, int]], visits_per_week: int, weeks: int) -> list[Stage]:
    """The stages a plan stores, or its single stage when it stores none (a plan written
    before stages existed)."""
    if not frequency:
        return [Stage(visits_per_week, weeks)]
    return [Stage(int(s["visits_per_week"]), int(s["weeks"])) for s in frequency]


def planned_visits(stages: Sequence[Stage]) -> int:
    return sum(stage.visits_per_week * stage.weeks for stage in stages)


def total_weeks(stages: Sequence[Stage]) -> int:
    return sum(stage.weeks for stage in stages)


def end_date(start: date, stages: Sequence[Stage]) -> date:
    return start + timedelta(weeks=total_weeks(stages)) - timedelta(days=1)


def weeks_of(start: date, stages: Sequence[Stage]) -> Iterator[tuple[date, int]]:
    """Each planned week's first day and the visits planned in it, in order."""
    week = 0
    for stage in stages:
        for _ in range(stage.weeks):
            yield start + timedelta(weeks=week), stage.visits_per_week
            week += 1


def as_document(stages: Sequence[Stage]) -> list[dict[str, int]]:
    return [{"visits_per_week": s.visits_per_week, "weeks": s.weeks} for s in stages]
