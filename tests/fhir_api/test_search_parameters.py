"""The search parameter types the plan resources added, as the conditions they make (no
database: the HTTP tests of each resource run them)."""

import datetime
from zoneinfo import ZoneInfo

from django.db.models import Q

from fhir_api.search import (
    EVERYTHING,
    NOTHING,
    AnyTokenParameter,
    ClinicCodingParameter,
    DerivedTokenParameter,
    FixedTokenParameter,
    PeriodParameter,
    SearchContext,
    TokenParameter,
)

CONTEXT = SearchContext(clinic_id=None, zone=ZoneInfo("America/Chicago"))


def sizes(region: str, count: int) -> str:
    return "small" if region in {"a", "b"} and count < 2 else "large"


SIZES = DerivedTokenParameter(
    "",
    columns=(("region", ("a", "b", "c")), ("count", (0, 1, 2))),
    derive=sizes,
    system="urn:sizes",
)


def test_a_derived_token_that_is_every_mix_of_some_values_is_one_condition():
    assert SIZES.match("size", "small", None, CONTEXT) == Q(region__in=["a", "b"], count__in=[0, 1])


def test_other_derived_sets_are_split_by_one_column():
    found = SIZES.match("size", "urn:sizes|large", None, CONTEXT)

    assert found == (
        NOTHING
        | Q(region="a") & Q(count=2)
        | Q(region="b") & Q(count=2)
        | Q(region="c") & EVERYTHING
    )
    assert SIZES.match("size", "urn:other|large", None, CONTEXT) == NOTHING
    assert SIZES.match("size", "medium", None, CONTEXT) == NOTHING


def test_any_token_matches_when_a_part_does_and_every_row_survives_or():
    category = AnyTokenParameter(
        "",
        parts=(
            FixedTokenParameter("", system="urn:fixed", code="all"),
            TokenParameter("", column="phase", system="urn:phase"),
        ),
    )

    assert category.match("category", "all", None, CONTEXT) == NOTHING | EVERYTHING | Q(
        phase__in=("all",)
    )
    assert category.match("category", "urn:phase|relief", None, CONTEXT) == NOTHING | NOTHING | Q(
        phase__in=("relief",)
    )
    assert category.match("category", "relief", "not", CONTEXT) == ~(
        NOTHING | NOTHING | Q(phase__in=("relief",))
    )


def test_a_coding_in_two_columns_needs_its_system_when_given_one():
    code = ClinicCodingParameter("", code_column="code", system_column="system")

    assert code.match("code", "urn:x|chin_tuck", None, CONTEXT) == Q(
        code="chin_tuck", system="urn:x"
    )
    assert code.match("code", "chin_tuck", None, CONTEXT) == Q(code="chin_tuck")
    assert code.match("code", "|chin_tuck", None, CONTEXT) == NOTHING


def test_a_period_compares_as_ranges():
    period = PeriodParameter("", start_column="start", end_column="end", is_date=True)
    november = (datetime.date(2026, 11, 1), datetime.date(2026, 12, 1))

    assert period.match("date", "2026-11", None, CONTEXT) == Q(
        start__gte=november[0], end__lt=november[1]
    )
    assert period.match("date", "ge2026-11", None, CONTEXT) == Q(end__gte=november[0]) | Q(
        end__isnull=True
    )
    assert period.match("date", "sa2026-11", None, CONTEXT) == Q(start__gte=november[1])
    assert period.match("date", "eb2026-11", None, CONTEXT) == Q(end__lt=november[0])
