"""Whole answers of billing's endpoints, as the API gave them (coding, claim, statement)."""

from pathlib import Path

from drf_spectacular.utils import OpenApiExample

from api.schema import answer_from


def answer_example(title: str, name: str) -> OpenApiExample:
    return OpenApiExample(
        title, value=answer_from(Path(__file__).parent / f"{name}.json"), response_only=True
    )
