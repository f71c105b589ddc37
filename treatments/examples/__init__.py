"""Whole answers, as the API gave them for a patient with neck pain on a relief plan: the
examples the contract shows for plans, visits, coding, progress and outcome measures."""

import json
from functools import cache
from pathlib import Path

from drf_spectacular.utils import OpenApiExample


@cache
def answer(name: str) -> dict:
    return json.loads((Path(__file__).parent / f"{name}.json").read_text())


def answer_example(title: str, name: str) -> OpenApiExample:
    return OpenApiExample(title, value=answer(name), response_only=True)
