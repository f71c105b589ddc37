"""FHIR Procedure: each performed item of a visit, from three tables read as one list (paged,
searched, a bounded number of statements a page), coded as billing decided."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from fhir_api.resources.procedure import PROCEDURE
from tests.fhir_api.conformance import assert_conforms, assert_valid_fhir
from tests.fhir_api.conftest import VISITS, clinic_day, log_visit, sign

pytestmark = pytest.mark.django_db

CPT = "http://www.ama-assn.org/go/cpt"
LOCAL = "http://chiro-practice-api.org/fhir/CodeSystem"


def search(client, query) -> list[dict]:
    response = client.get("/fhir/R4/Procedure", query)
    assert response.status_code == 200, response.json()
    bundle = response.json()
    assert_valid_fhir(bundle)
    found = [entry["resource"] for entry in bundle.get("entry", [])]
    for resource in found:
        assert_conforms(resource, PROCEDURE)
    return found


def by_text(resources: list[dict]) -> dict[str, dict]:
    return {resource["code"]["text"]: resource for resource in resources}


def codes(resource: dict) -> list[tuple[str, str]]:
    return [(c["system"].rsplit("/", 1)[-1], c["code"]) for c in resource["code"]["coding"]]


def test_each_performed_item_is_a_procedure_coded_as_billed(
    chiropractor_client, chiropractor, signed_visit, active_plan
):
    found = by_text(search(chiropractor_client, {"encounter": signed_visit["id"]}))

    c5 = found["Adjustment of C5 (PRS), Diversified"]
    # Two spinal regions (cervical, thoracic): 98940; the shoulder is extraspinal: 98943.
    assert codes(c5) == [("cpt", "98940"), ("technique", "diversified")]
    assert [site["coding"][0]["code"] for site in c5["bodySite"]] == ["C5", "cervical"]
    assert c5["reasonCode"][0]["coding"][0]["code"] == "PRS"
    assert c5["basedOn"] == [{"reference": f"ServiceRequest/{active_plan['adjustments'][0]['id']}"}]
    assert codes(found["Adjustment of T4, Activator"])[0] == ("cpt", "98940")
    shoulder = found["Adjustment of Shoulder (right), Mobilisation"]
    assert codes(shoulder)[0] == ("cpt", "98943")
    assert shoulder["bodySite"][1]["coding"][0]["code"] == "upper_extremity"
    # Bundled with the CMT on the claim, but done all the same: manual therapy.
    release = found["Myofascial release, 10 min: upper trapezius"]
    assert codes(release) == [("cpt", "97140"), ("soft-tissue-modality", "myofascial_release")]
    assert [site["coding"][0]["code"] for site in release["bodySite"]] == [
        "upper_trapezius",
        "cervical",
    ]
    assert codes(found["Chin tuck: 2 sets × 10 repetitions, 15 min"]) == [
        ("cpt", "97110"),
        ("exercise", "chin_tuck"),
    ]
    # Only reviewed: no timed minutes, no CPT code.
    assert codes(found["Upper-trapezius stretch: 1 set × 3 repetitions, reviewed"]) == [
        ("exercise", "upper_trapezius_stretch")
    ]
    assert len(found) == 6
    for procedure in found.values():
        assert procedure["status"] == "completed"
        assert procedure["subject"] == {"reference": f"Patient/{signed_visit['patient']}"}
        assert procedure["encounter"] == {"reference": f"Encounter/{signed_visit['id']}"}
        assert procedure["performer"][0]["actor"] == {
            "reference": f"Practitioner/{chiropractor.id}"
        }
        assert procedure["performedDateTime"][:16] == signed_visit["visit_at"][:16]


def test_a_procedure_is_read_by_its_items_id(chiropractor_client, signed_visit):
    item = signed_visit["soft_tissue"][0]

    response = chiropractor_client.get(f"/fhir/R4/Procedure/{item['id']}")

    assert response.status_code == 200
    assert response.json()["id"] == item["id"]
    assert_conforms(response.json(), PROCEDURE)


def test_a_drafts_adjustments_wait_for_signing_for_their_cmt_code(chiropractor_client, draft_visit):
    found = by_text(search(chiropractor_client, {"encounter": draft_visit["id"]}))

    assert codes(found["Adjustment of T4, Activator"]) == [("technique", "activator")]
    assert codes(found["Chin tuck: 2 sets × 10 repetitions, 15 min"])[0] == ("cpt", "97110")


def test_a_discarded_visits_procedures_are_entered_in_error(chiropractor_client, draft_visit):
    assert chiropractor_client.delete(f"{VISITS}{draft_visit['id']}/").status_code == 204

    found = search(chiropractor_client, {"encounter": draft_visit["id"]})
    erroneous = search(chiropractor_client, {"status": "entered-in-error"})

    assert {p["status"] for p in found} == {"entered-in-error"}
    assert {p["id"] for p in erroneous} == {p["id"] for p in found}


def test_search_by_each_parameter(chiropractor_client, clinic, signed_visit, draft_visit):
    patient, signed, draft = signed_visit["patient"], signed_visit["id"], draft_visit["id"]
    day = clinic_day(signed_visit["visit_at"], clinic)

    def texts(query) -> list[tuple[str, str]]:
        return sorted(
            (p["encounter"]["reference"].split("/")[1], p["code"]["text"])
            for p in search(chiropractor_client, query)
        )

    assert len(texts({"patient": f"Patient/{patient}"})) == 12
    assert len(texts({"patient": patient, "date": day})) == 12
    assert texts({"patient": patient, "date": "gt2999"}) == []
    assert len(texts({"encounter": f"Encounter/{signed}"})) == 6
    assert len(texts({"status": "completed", "encounter": signed})) == 6
    # 98940 only once the visit is signed; the timed codes on both.
    assert texts({"code": f"{CPT}|98940"}) == [
        (signed, "Adjustment of C5 (PRS), Diversified"),
        (signed, "Adjustment of T4, Activator"),
    ]
    assert texts({"code": "98943,97140", "encounter": signed}) == [
        (signed, "Adjustment of Shoulder (right), Mobilisation"),
        (signed, "Myofascial release, 10 min: upper trapezius"),
    ]
    chin_tucks = texts({"code": f"{CPT}|97110"})
    assert chin_tucks == sorted(
        [(e, "Chin tuck: 2 sets × 10 repetitions, 15 min") for e in (signed, draft)]
    )
    assert texts({"code": f"{LOCAL}/exercise|chin_tuck"}) == chin_tucks
    assert texts({"code": "chin_tuck"}) == chin_tucks
    assert texts({"code": f"{LOCAL}/technique|chin_tuck"}) == []
    assert texts({"code": f"{LOCAL}/technique|diversified", "encounter": draft}) == [
        (draft, "Adjustment of C5 (PRS), Diversified")
    ]
    item = signed_visit["exercises"][1]["id"]
    assert [p["id"] for p in search(chiropractor_client, {"_id": item})] == [item]


def test_pages_follow_next_links_across_the_three_tables(chiropractor_client, signed_visit):
    seen: list[str] = []
    url = "/fhir/R4/Procedure?_count=4"
    while url:
        bundle = chiropractor_client.get(url).json()
        seen += [entry["resource"]["id"] for entry in bundle.get("entry", [])]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)

    performed = [
        item["id"]
        for kind in ("adjustments", "soft_tissue", "exercises")
        for item in signed_visit[kind]
    ]
    assert sorted(seen) == sorted(performed)
    assert seen == sorted(seen)  # in the order of their ids, whatever their table


def test_a_page_costs_the_same_statements_whatever_its_size(chiropractor_client, active_plan):
    sign(
        chiropractor_client,
        log_visit(
            chiropractor_client,
            active_plan,
            adjustments=[{"segment": "C5", "technique": "diversified"}],
            exercises=[{"exercise": "chin_tuck", "sets": 2, "repetitions": 10, "minutes": 15}],
        ),
    )
    with CaptureQueriesContext(connection) as one:
        bundle = chiropractor_client.get("/fhir/R4/Procedure").json()
    assert len(bundle["entry"]) == 3  # one of each table
    for _ in range(3):
        sign(chiropractor_client, log_visit(chiropractor_client, active_plan))
    with CaptureQueriesContext(connection) as many:
        bundle = chiropractor_client.get("/fhir/R4/Procedure?_count=100").json()

    assert len(bundle["entry"]) == 21
    assert len(many) == len(one)


def test_the_front_desk_reads_no_procedures(front_desk_client, signed_visit):
    item = signed_visit["adjustments"][0]["id"]

    assert front_desk_client.get(f"/fhir/R4/Procedure/{item}").status_code == 403
    assert front_desk_client.get("/fhir/R4/Procedure").status_code == 403


def test_another_clinics_item_is_not_found(other_admin_client, signed_visit):
    item = signed_visit["exercises"][0]["id"]

    assert other_admin_client.get(f"/fhir/R4/Procedure/{item}").status_code == 404
    assert other_admin_client.get("/fhir/R4/Procedure/not-an-id").status_code == 404
    assert "entry" not in other_admin_client.get("/fhir/R4/Procedure").json()


def test_each_read_and_search_leaves_one_audit_event(chiropractor_client, signed_visit):
    item = signed_visit["adjustments"][0]["id"]
    before = AuditEvent.objects.count()
    chiropractor_client.get(f"/fhir/R4/Procedure/{item}")
    chiropractor_client.get("/fhir/R4/Procedure", {"code": "98943"})

    read, found = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.object_ids) == ("read", "performed_item", [item])
    assert [str(p) for p in read.patient_ids] == [signed_visit["patient"]]
    assert (found.action, found.resource_type) == ("search", "performed_item")
    assert found.object_ids == [signed_visit["adjustments"][2]["id"]]
