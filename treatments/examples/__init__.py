"""Whole answers, as the API gave them for a patient with neck pain on a relief plan: the
examples the contract shows for plans, visits, progress and outcome measures."""

from pathlib import Path

from drf_spectacular.utils import OpenApiExample

from api.schema import answer_from


def answer(name: str) -> dict:
    return answer_from(Path(__file__).parent / f"{name}.json")


def answer_example(title: str, name: str) -> OpenApiExample:
    return OpenApiExample(title, value=answer(name), response_only=True)
