"""Union rows: several tables filtered, ordered and paged as one, a page in one statement and
one per table on it; and the seam with DRF's cursor paging, which is handed them for a queryset."""

import pytest
from django.db import connection
from django.db.models import F, Value
from django.test.utils import CaptureQueriesContext
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from fhir_api.union_rows import TABLE, Branch, UnionRows
from tests.fhir_api.plans import write_plan
from treatments.plans.models import PlannedAdjustment, PlannedExercise, PlannedSoftTissue

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(chiropractor_client, full_plan) -> dict:
    return write_plan(chiropractor_client, full_plan)


def items(clinic) -> UnionRows:
    def branch(name, model):
        return Branch(
            name,
            model.objects.for_clinic(clinic.id).select_related("plan"),
            {"patient_id": F("plan__patient_id"), "label": Value(name)},
        )

    return UnionRows.of(
        branch("adjustment", PlannedAdjustment),
        branch("soft-tissue", PlannedSoftTissue),
        branch("exercise", PlannedExercise),
    )


def everything_in_order(plan: dict) -> list[tuple[str, str]]:
    """(created_at, id) of the plan's items, newest first, ties by id."""
    rows = [
        (str(row.created_at), str(row.id))
        for model in (PlannedAdjustment, PlannedSoftTissue, PlannedExercise)
        for row in model.objects.filter(plan_id=plan["id"])
    ]
    rows.sort(key=lambda row: row[1])
    rows.sort(key=lambda row: row[0], reverse=True)
    return rows


def test_a_slice_is_the_tables_rows_in_one_order(clinic, plan):
    rows = items(clinic).order_by("-created_at")

    page = rows[1:4]

    expected = [key for _, key in everything_in_order(plan)][1:4]
    assert [str(row.id) for row in page] == expected
    assert {type(row).__name__ for row in rows[0:6]} == {
        "PlannedAdjustment",
        "PlannedSoftTissue",
        "PlannedExercise",
    }
    assert [getattr(row, TABLE) for row in rows[0:6]].count("adjustment") == 3
    assert rows[2:2] == []


def test_filters_name_the_shared_columns(clinic, plan, full_plan):
    rows = items(clinic)

    assert len(list(rows.filter(patient_id=full_plan["patient"]))) == 6
    assert [r.label for r in rows.filter(label="soft-tissue")] == ["soft-tissue"]
    (found,) = rows.filter(pk=plan["exercises"][1]["id"])
    assert (type(found), str(found.id)) == (PlannedExercise, plan["exercises"][1]["id"])


def test_a_page_is_one_statement_and_one_per_table_on_it(
    clinic, plan, chiropractor_client, full_plan
):
    write_plan(chiropractor_client, full_plan)
    rows = items(clinic).order_by("-created_at")
    with CaptureQueriesContext(connection) as mixed:
        assert len(rows[0:12]) == 12
    with CaptureQueriesContext(connection) as one_table:
        assert len(rows.filter(label="exercise")[0:12]) == 4

    assert len(mixed) == 4
    assert len(one_table) == 2


def test_drf_cursor_paging_walks_union_rows_without_repeats(clinic, plan):
    class Paging(CursorPagination):
        page_size = 2
        ordering = "-created_at"

    seen: list[str] = []
    url = "/items"
    while url:
        request = Request(APIRequestFactory().get(url))
        paging = Paging()
        seen += [str(row.id) for row in paging.paginate_queryset(items(clinic), request)]
        url = paging.get_next_link()

    assert seen == [key for _, key in everything_in_order(plan)]


def test_tables_must_share_the_same_columns(clinic):
    with pytest.raises(ValueError, match="same shared columns"):
        UnionRows.of(
            Branch("adjustment", PlannedAdjustment.objects.all(), {"a": Value(1)}),
            Branch("exercise", PlannedExercise.objects.all(), {"b": Value(1)}),
        )


def test_only_slices_without_a_step_are_read(clinic):
    with pytest.raises(ValueError, match="Read them a page at a time"):
        items(clinic)[0:10:2]


def test_an_export_reads_them_in_key_order_a_chunk_after_another(clinic, plan):
    rows = items(clinic).order_by("pk")

    first = rows[0:4]
    rest = rows.filter(pk__gt=first[-1].pk)[0:4]

    assert [row.pk for row in first + rest] == sorted(row.pk for row in rows)
    assert len(rest) == 2


def test_the_attribute_a_column_is_held_in(clinic):
    rows = items(clinic)

    assert rows.attribute_of("patient_id") == "patient_id"  # shared
    assert rows.attribute_of("plan") == "plan_id"  # a field of every table
    assert rows.attribute_of("segment") is None  # the adjustments' only
