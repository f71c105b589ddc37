"""The API's JSON renderer (orjson) writes what DRF's JSONRenderer writes."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from api.renderers import OrjsonRenderer

UTC = datetime.UTC
CHICAGO = datetime.timezone(datetime.timedelta(hours=-6))


@pytest.mark.parametrize(
    "data",
    [
        {"id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "n": 3, "ok": True, "x": None},
        {"at": datetime.datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=UTC)},
        {"at": datetime.datetime(2026, 11, 26, 9, 30, tzinfo=CHICAGO)},
        {"at": datetime.datetime(2026, 11, 26, 9, 30, 15)},  # noqa: DTZ001 - naive, as DRF meets it
        {"on": datetime.date(2026, 11, 26), "t": datetime.time(9, 30, 15, 500)},
        {"fee": Decimal("45.50"), "ratio": 0.1, "half": 1.5},
        {"name": "Zoë Ñúñez — 東京", "note": "line\u2028para\u2029end", "ctl": "a\tb\nc\x01"},
        {"errors": [ErrorDetail("Not found.", code="not_found")], "lazy": gettext_lazy("Yes")},
        ReturnDict({"a": ReturnList([1, 2, {"b": []}], serializer=None)}, serializer=None),
        {1: "one", 2: "two"},
        [{"deep": [[[]]]}, "", 0, -1, 2**63 - 1],
        {"big": 2**70},
    ],
)
def test_it_writes_the_bytes_drf_writes(data):
    assert OrjsonRenderer().render(data) == JSONRenderer().render(data)


def test_an_indent_asked_for_is_honoured_as_drf_does():
    data = {"a": [1, {"b": "c"}]}
    media = "application/json; indent=2"

    assert OrjsonRenderer().render(data, media) == JSONRenderer().render(data, media)


def test_a_float_that_is_not_a_number_is_written_as_null_where_drf_would_fail_the_answer():
    with pytest.raises(ValueError, match="Out of range float values"):
        JSONRenderer().render({"score": float("nan")})

    assert OrjsonRenderer().render({"score": float("nan"), "n": float("inf")}) == (
        b'{"score":null,"n":null}'
    )


def test_nothing_renders_as_nothing():
    assert OrjsonRenderer().render(None) == b""
