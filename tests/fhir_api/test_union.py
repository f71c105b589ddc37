"""Resource types of several tables (fhir_api.union): the whole list in order, as an export
reads it, and a row found by its resource id in the table its id names."""

import pytest

from fhir_api.resources.procedure import PERFORMED, PROCEDURE
from fhir_api.resources.provenance import PROVENANCE, SIGNATURES_AND_AMENDMENTS
from treatments.visits.models import PerformedAdjustment, PerformedExercise, PerformedSoftTissue

pytestmark = pytest.mark.django_db


def test_every_row_of_the_three_tables_in_the_order_of_their_ids(chiropractor, signed_visit):
    rows = list(PROCEDURE.rows(chiropractor))

    performed = [
        item["id"]
        for kind in ("adjustments", "soft_tissue", "exercises")
        for item in signed_visit[kind]
    ]
    assert [PROCEDURE.id_of(row) for row in rows] == sorted(performed)
    assert {type(row) for row in rows} == {
        PerformedAdjustment,
        PerformedSoftTissue,
        PerformedExercise,
    }


def test_a_row_is_found_only_by_the_id_its_table_gives_it(chiropractor, signed_visit, amendment):
    procedures = PERFORMED.rows(chiropractor)
    provenances = SIGNATURES_AND_AMENDMENTS.rows(chiropractor)
    item = signed_visit["exercises"][0]["id"]
    signature = f"signature-{signed_visit['id']}"

    assert PROCEDURE.id_of(procedures.find(item)) == item
    assert PROVENANCE.id_of(provenances.find(signature)) == signature
    assert PROVENANCE.id_of(provenances.find(amendment["id"])) == amendment["id"]
    assert provenances.find(signed_visit["id"]) is None
    assert procedures.find(signature) is None


def test_rows_are_read_by_pages_only(chiropractor):
    with pytest.raises(TypeError):
        PERFORMED.rows(chiropractor)[0]
