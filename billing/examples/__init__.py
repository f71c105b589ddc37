"""Whole answers of billing's endpoints, as the API gave them (coding, claim, statement)."""

from pathlib import Path

from api.schema import answer_examples

answer_example = answer_examples(Path(__file__).parent)
