"""Outcome scores: NRS pain, Oswestry (ODI) and Neck Disability Index (NDI). Pure functions.

ODI and NDI: ten items scored 0–5. Score = sum of the answered items; percentage = sum ÷
(5 × items answered) × 100 (DOMAIN.md). At most two items may be left unanswered; with more,
the questionnaire is not scored (Fairbank & Pynsent 2000 for ODI; Vernon 2008 for NDI).
Clinically meaningful change: 2 points NRS, 10 percentage points ODI/NDI.
"""

import operator
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ITEMS = 10
ITEM_MAX = 5
MAX_UNANSWERED = 2
NRS_MEANINGFUL_CHANGE = Decimal(2)
PERCENT_MEANINGFUL_CHANGE = Decimal(10)


class ScoringError(ValueError):
    """The answers cannot be scored; the message says why."""


@dataclass(frozen=True)
class QuestionnaireScore:
    score: int
    max_score: int
    percent: Decimal
    answered: int


def score_questionnaire(answers: list[int | None]) -> QuestionnaireScore:
    """Score ten ODI or NDI answers (0–5 each, None for unanswered)."""
    if len(answers) != ITEMS:
        raise ScoringError(f"Give exactly {ITEMS} answers (null for an unanswered item).")
    if any(answer is not None and not 0 <= answer <= ITEM_MAX for answer in answers):
        raise ScoringError(f"Each answer is scored 0 to {ITEM_MAX}.")
    answered = [answer for answer in answers if answer is not None]
    if ITEMS - len(answered) > MAX_UNANSWERED:
        raise ScoringError(f"At most {MAX_UNANSWERED} items may be unanswered.")
    score, max_score = sum(answered), ITEM_MAX * len(answered)
    percent = (Decimal(score) * 100 / max_score).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return QuestionnaireScore(
        score=score, max_score=max_score, percent=percent, answered=len(answered)
    )


def is_meaningful_change(*, instrument: str, change: Decimal) -> bool:
    threshold = NRS_MEANINGFUL_CHANGE if instrument == "nrs" else PERCENT_MEANINGFUL_CHANGE
    return abs(change) >= threshold


@dataclass(frozen=True)
class Trend:
    first: Decimal
    last: Decimal
    best: Decimal
    change: Decimal
    meaningful: bool
    improved: bool


def trend(values: list[Decimal], *, instrument: str) -> Trend | None:
    """First, last and best (lowest: less pain, less disability) of a series, oldest first."""
    if not values:
        return None
    change = values[-1] - values[0]
    return Trend(
        first=values[0],
        last=values[-1],
        best=min(values),
        change=change,
        meaningful=is_meaningful_change(instrument=instrument, change=change),
        improved=change < 0,
    )


COMPARATORS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "=": operator.eq,
}


def target_met(*, value: Decimal, comparator: str, target: Decimal) -> bool:
    return COMPARATORS[comparator](value, target)
