"""Scoring of NRS, ODI and NDI (no database)."""

from decimal import Decimal

import pytest

from treatments.outcomes.scoring import ScoringError, score_questionnaire, target_met, trend


@pytest.mark.parametrize(
    ("answers", "score", "max_score", "percent"),
    [
        ([0] * 10, 0, 50, Decimal("0.0")),
        ([5] * 10, 50, 50, Decimal("100.0")),
        ([2, 3, 1, 0, 4, 2, 3, 1, 2, 2], 20, 50, Decimal("40.0")),
        ([2, 3, 1, 0, 4, 2, 3, 1, 2, None], 18, 45, Decimal("40.0")),
        ([3, 3, 3, 3, 3, 3, 3, 3, None, None], 24, 40, Decimal("60.0")),
        ([1, 0, 0, 0, 0, 0, 0, 0, 0, None], 1, 45, Decimal("2.2")),
    ],
)
def test_questionnaires_score_over_the_items_answered(answers, score, max_score, percent):
    result = score_questionnaire(answers)

    assert (result.score, result.max_score, result.percent) == (score, max_score, percent)


@pytest.mark.parametrize(
    "answers",
    [[0] * 9, [0] * 11, [6] + [0] * 9, [-1] + [0] * 9, [None, None, None] + [1] * 7],
)
def test_unscorable_answers_are_refused(answers):
    with pytest.raises(ScoringError):
        score_questionnaire(answers)


def test_pain_trend_reads_first_last_best_and_meaningfulness():
    result = trend([Decimal(7), Decimal(5), Decimal(3), Decimal(4)], instrument="nrs")

    assert (result.first, result.last, result.best, result.change) == (7, 4, 3, -3)
    assert result.meaningful and result.improved


def test_a_one_point_pain_change_is_not_meaningful():
    assert not trend([Decimal(5), Decimal(4)], instrument="nrs").meaningful


def test_a_nine_point_odi_change_is_not_meaningful_but_ten_is():
    assert not trend([Decimal(40), Decimal(31)], instrument="odi").meaningful
    assert trend([Decimal(40), Decimal(30)], instrument="odi").meaningful


def test_no_values_no_trend():
    assert trend([], instrument="nrs") is None


@pytest.mark.parametrize(
    ("value", "comparator", "target", "met"),
    [
        (2, "<=", 2, True),
        (3, "<=", 2, False),
        (72, ">=", 70, True),
        (69, ">", 70, False),
        (5, "=", 5, True),
    ],
)
def test_goal_targets(value, comparator, target, met):
    assert target_met(value=Decimal(value), comparator=comparator, target=Decimal(target)) is met
