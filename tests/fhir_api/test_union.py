"""Resource types of several tables declared as a UnionKind (fhir_api.union_rows): the whole list in order, a row found by
its resource id in the table its id names, and what the rest of the FHIR face does with rows
(inclusions, $everything, a bulk export) working on them as on a queryset's."""

import json

import pytest
from procrastinate.contrib.django import app as project_app

from fhir_api.resources.procedure import PERFORMED, PROCEDURE
from fhir_api.resources.provenance import PROVENANCE, SIGNATURES_AND_AMENDMENTS
from tests.conftest import FLUSHABLE_APPS, client_for
from tests.fhir_api.conformance import assert_conforms
from tests.job_queue import as_worker
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


def test_inclusions_follow_and_reach_the_tables_of_a_union(
    chiropractor_client, signed_visit, amendment
):
    encounters = chiropractor_client.get(
        "/fhir/R4/Encounter", {"_id": signed_visit["id"], "_revinclude": "Provenance:target"}
    ).json()
    procedures = chiropractor_client.get(
        "/fhir/R4/Procedure", {"encounter": signed_visit["id"], "_include": "Procedure:encounter"}
    ).json()

    included = sorted(
        e["resource"]["id"] for e in encounters["entry"] if e["search"]["mode"] == "include"
    )
    assert included == sorted([f"signature-{signed_visit['id']}", amendment["id"]])
    assert [
        e["resource"]["id"] for e in procedures["entry"] if e["search"]["mode"] == "include"
    ] == [signed_visit["id"]]
    for bundle, kind in ((encounters, PROVENANCE), (procedures, PROCEDURE)):
        for entry in bundle["entry"]:
            if entry["resource"]["resourceType"] == kind.name:
                assert_conforms(entry["resource"], kind, fully_recorded=False)


def test_everything_of_a_patient_holds_the_visits_what_was_done_and_its_provenance(
    chiropractor_client, signed_visit, amendment
):
    bundle = chiropractor_client.get(
        f"/fhir/R4/Patient/{signed_visit['patient']}/$everything"
    ).json()

    found: dict[str, set[str]] = {}
    for entry in bundle["entry"]:
        found.setdefault(entry["resource"]["resourceType"], set()).add(entry["resource"]["id"])
    assert found["Encounter"] == {signed_visit["id"]}
    assert len(found["Procedure"]) == 6
    assert found["Provenance"] == {f"signature-{signed_visit['id']}", amendment["id"]}


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_bulk_export_writes_every_row_of_a_union(
    empty_queue, clinic, clinic_admin, signed_visit, amendment
):
    admin = client_for(clinic_admin)
    started = admin.get(
        f"/fhir/R4/Group/{clinic.id}/$export",
        {"_type": "Procedure,Provenance"},
        HTTP_PREFER="respond-async",
    )
    assert started.status_code == 202
    with as_worker(project_app) as worker_app:
        worker_app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)

    manifest = admin.get(started["Content-Location"]).json()
    counts = {out["type"]: out["count"] for out in manifest["output"]}
    assert counts == {"Procedure": 6, "Provenance": 2}
    provenances = next(out for out in manifest["output"] if out["type"] == "Provenance")
    lines = admin.get(provenances["url"]).content.decode().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(
        [f"signature-{signed_visit['id']}", amendment["id"]]
    )
