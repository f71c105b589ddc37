"""Whole answers, as the API gave them for a patient with neck pain on a relief plan: the
examples the contract shows for plans, visits, progress and outcome measures."""

from pathlib import Path

from api.schema import answer_examples

answer_example = answer_examples(Path(__file__).parent)
