"""FHIR ServiceRequest: each planned intervention (adjustment, soft-tissue work, home exercise),
three tables served as one type, read and searched over HTTP as US Core ServiceRequest."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from fhir_api.resources.servicerequest import SERVICE_REQUEST, adjustment_cpt
from tests.factories import ConditionFactory, PatientFactory
from tests.fhir_api.conformance import assert_conforms
from tests.fhir_api.plans import PLANS, entries, ids, move_plan, write_plan

pytestmark = pytest.mark.django_db

CPT = "http://www.ama-assn.org/go/cpt"
LOCAL = "http://chiro-practice-api.org/fhir/CodeSystem"


@pytest.fixture
def plan(chiropractor_client, full_plan) -> dict:
    return write_plan(chiropractor_client, full_plan)


def planned(plan: dict) -> list[str]:
    return [item["id"] for item in plan["adjustments"] + plan["soft_tissue"] + plan["exercises"]]


def read(client, item_id: str) -> dict:
    response = client.get(f"/fhir/R4/ServiceRequest/{item_id}")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert_conforms(body, SERVICE_REQUEST)
    return body


def search(client, query) -> list[str]:
    response = client.get("/fhir/R4/ServiceRequest", query)
    assert response.status_code == 200, response.json()
    for resource in entries(response.json()):
        assert_conforms(resource, SERVICE_REQUEST)
    return ids(response.json())


def codes(concept: dict, system: str) -> list[str]:
    return [c["code"] for c in concept["coding"] if c["system"] == system]


def test_a_planned_adjustment_reads_as_a_us_core_service_request(
    chiropractor_client, chiropractor, plan, full_plan
):
    body = read(chiropractor_client, plan["adjustments"][0]["id"])

    assert body["meta"]["profile"] == [
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-servicerequest|6.1.0"
    ]
    assert (body["status"], body["intent"]) == ("draft", "plan")
    assert body["category"] == [
        {
            "coding": [
                {
                    "system": f"{LOCAL}/planned-intervention",
                    "code": "adjustment",
                    "display": "Chiropractic adjustment",
                }
            ],
            "text": "Chiropractic adjustment",
        }
    ]
    assert body["code"] == {
        "coding": [
            {"system": CPT, "code": "98940"},  # C5 and T4: two spinal regions
            {"system": f"{LOCAL}/technique", "code": "diversified", "display": "Diversified"},
        ],
        "text": "Diversified adjustment of C5 (PRS)",
    }
    assert [
        codes(site, f"{LOCAL}/segment") + codes(site, f"{LOCAL}/body-region")
        for site in body["bodySite"]
    ] == [
        ["C5"],
        ["cervical"],
    ]
    assert codes(body["orderDetail"][0], f"{LOCAL}/listing") == ["PRS"]
    assert body["subject"] == {"reference": f"Patient/{full_plan['patient']}"}
    assert body["basedOn"] == [{"reference": f"CarePlan/{plan['id']}"}]
    assert body["requester"] == {"reference": f"Practitioner/{chiropractor.id}"}
    assert body["authoredOn"].endswith("Z")
    assert body["occurrencePeriod"] == {"start": "2026-11-02", "end": "2026-11-29"}


def test_an_extremity_adjustment_is_extraspinal_cmt_on_its_side(chiropractor_client, plan):
    body = read(chiropractor_client, plan["adjustments"][2]["id"])

    assert codes(body["code"], CPT) == ["98943"]
    assert body["code"]["text"] == "Mobilisation adjustment of Shoulder, right"
    assert body["orderDetail"] == [
        {
            "coding": [
                {"system": "http://snomed.info/sct", "code": "24028007", "display": "Right"}
            ],
            "text": "Right",
        }
    ]
    assert codes(body["bodySite"][1], f"{LOCAL}/body-region") == ["upper_extremity"]


def test_the_cmt_code_counts_the_spinal_regions_the_plan_adjusts(chiropractor_client, plan):
    base = f"{PLANS}{plan['id']}/adjustments/"
    chiropractor_client.post(base, {"segment": "L4", "technique": "diversified"})
    sacrum = chiropractor_client.post(
        base, {"segment": "SACRUM", "technique": "diversified"}
    ).json()
    c5 = plan["adjustments"][0]["id"]

    assert codes(read(chiropractor_client, c5)["code"], CPT) == ["98941"]  # four regions
    ilium = chiropractor_client.post(base, {"segment": "L_ILIUM", "technique": "diversified"})
    assert codes(read(chiropractor_client, c5)["code"], CPT) == ["98942"]  # all five
    chiropractor_client.delete(f"{base}{sacrum['id']}/")
    chiropractor_client.delete(f"{base}{ilium.json()['id']}/")
    assert codes(read(chiropractor_client, c5)["code"], CPT) == ["98941"]  # three again
    # A removed adjustment still counts its own region.
    assert codes(read(chiropractor_client, sacrum["id"])["code"], CPT) == ["98941"]


@pytest.mark.parametrize(
    ("region", "spinal_regions", "code"),
    [
        ("cervical", 1, "98940"),
        ("lumbar", 2, "98940"),
        ("thoracic", 3, "98941"),
        ("pelvic", 4, "98941"),
        ("sacral", 5, "98942"),
        ("extraspinal", 0, "98943"),
        ("extraspinal", 5, "98943"),
    ],
)
def test_adjustment_codes_come_from_billing_coding(region, spinal_regions, code):
    assert adjustment_cpt(region, spinal_regions) == code


def test_soft_tissue_work_reads_with_its_timed_code_muscles_and_minutes(chiropractor_client, plan):
    body = read(chiropractor_client, plan["soft_tissue"][0]["id"])

    assert codes(body["code"], CPT) == ["97140"]
    assert codes(body["code"], f"{LOCAL}/soft-tissue-modality") == ["myofascial_release"]
    assert body["code"]["text"] == ("Myofascial release, 8 min: upper trapezius, levator scapulae")
    assert body["quantityQuantity"] == {
        "value": 8,
        "unit": "min",
        "system": "http://unitsofmeasure.org",
        "code": "min",
    }
    assert [site["coding"][0]["code"] for site in body["bodySite"]] == [
        "upper_trapezius",
        "levator_scapulae",
        "cervical",
    ]
    assert body["category"][0]["coding"][0]["code"] == "soft-tissue"


def test_a_home_exercise_reads_with_its_dose_and_timing(chiropractor_client, plan):
    daily = read(chiropractor_client, plan["exercises"][0]["id"])
    weekdays = read(chiropractor_client, plan["exercises"][1]["id"])

    assert codes(daily["code"], CPT) == ["97110"]
    assert codes(daily["code"], f"{LOCAL}/exercise") == ["chin_tuck"]
    assert [
        codes(c, f"{LOCAL}/planned-intervention") or codes(c, "http://snomed.info/sct")
        for c in daily["category"]
    ] == [
        ["exercise"],
        ["409073007"],
    ]
    assert daily["occurrenceTiming"] == {
        "repeat": {
            "boundsPeriod": {"start": "2026-11-02", "end": "2026-11-29"},
            "frequency": 3,
            "period": 1,
            "periodUnit": "d",
        }
    }
    assert daily["quantityQuantity"]["value"] == 2
    assert [detail["text"] for detail in daily["orderDetail"]] == [
        "10 repetitions per set",
        "Hold each repetition 5 seconds",
    ]
    assert daily["patientInstruction"] == (
        "2 sets of 10 repetitions, holding each for 5 seconds, 3 times a day, every day. "
        "Every hour at the desk."
    )
    # Twice a day on five days: ten sessions a week.
    assert {k: weekdays["occurrenceTiming"]["repeat"][k] for k in ("frequency", "periodUnit")} == {
        "frequency": 10,
        "periodUnit": "wk",
    }
    assert weekdays["code"]["text"] == "Upper-trapezius stretch, left"
    assert codes(weekdays["orderDetail"][-1], "http://snomed.info/sct") == ["7771000"]


def test_a_clinics_own_exercise_is_coded_in_the_clinics_own_system(
    chiropractor_client, chiropractor, plan
):
    created = chiropractor_client.post(
        "/api/v1/reference/exercises/",
        {
            "code": "wall_angel",
            "name": "Wall angel",
            "body_region": "thoracic",
            "default_sets": 2,
            "default_repetitions": 10,
            "default_hold_seconds": 0,
        },
    )
    assert created.status_code == 201, created.json()
    item = chiropractor_client.post(
        f"{PLANS}{plan['id']}/exercises/",
        {"exercise": "wall_angel", "times_per_day": 1, "days_per_week": 3},
    ).json()
    system = f"{LOCAL}/exercise/{chiropractor.clinic_id}"

    body = read(chiropractor_client, item["id"])

    assert codes(body["code"], system) == ["wall_angel"]
    assert search(chiropractor_client, {"code": f"{system}|wall_angel"}) == [item["id"]]
    assert search(chiropractor_client, {"code": f"{LOCAL}/exercise|wall_angel"}) == []
    assert search(chiropractor_client, {"code": "wall_angel"}) == [item["id"]]


def test_statuses_follow_the_plan_and_a_removed_item_is_revoked(chiropractor_client, plan):
    items = planned(plan)
    move_plan(chiropractor_client, plan, "activate")
    chiropractor_client.delete(f"{PLANS}{plan['id']}/soft-tissue/{plan['soft_tissue'][0]['id']}/")

    assert read(chiropractor_client, items[0])["status"] == "active"
    assert read(chiropractor_client, plan["soft_tissue"][0]["id"])["status"] == "revoked"
    assert search(chiropractor_client, {"status": "revoked"}) == [plan["soft_tissue"][0]["id"]]
    assert sorted(search(chiropractor_client, {"status": "active"})) == sorted(
        i for i in items if i != plan["soft_tissue"][0]["id"]
    )
    move_plan(chiropractor_client, plan, "mark-entered-in-error")
    assert sorted(search(chiropractor_client, {"status": "entered-in-error"})) == sorted(items)
    assert search(chiropractor_client, {"status:not": "entered-in-error"}) == []


def test_search_by_patient_plan_category_code_and_date(
    chiropractor_client, chiropractor, clinic, plan, full_plan
):
    items = planned(plan)
    other = PatientFactory(clinic=clinic)
    other_plan = write_plan(
        chiropractor_client,
        {
            **full_plan,
            "patient": str(other.id),
            "conditions": [str(ConditionFactory(patient=other, recorded_by=chiropractor).id)],
        },
    )
    patient = full_plan["patient"]
    adjustments = [a["id"] for a in plan["adjustments"]]
    exercises = [e["id"] for e in plan["exercises"]]

    assert sorted(search(chiropractor_client, {"patient": patient})) == sorted(items)
    assert sorted(
        search(chiropractor_client, {"based-on": f"CarePlan/{other_plan['id']}"})
    ) == sorted(planned(other_plan))
    assert sorted(
        search(chiropractor_client, {"patient": patient, "category": "adjustment"})
    ) == sorted(adjustments)
    assert sorted(
        search(
            chiropractor_client,
            {"patient": patient, "category": "http://snomed.info/sct|409073007"},
        )
    ) == sorted(exercises)
    assert sorted(
        search(
            chiropractor_client,
            [("patient", patient), ("category:not", "adjustment"), ("category:not", "exercise")],
        )
    ) == [plan["soft_tissue"][0]["id"]]
    assert sorted(search(chiropractor_client, {"patient": patient, "code": "98940"})) == sorted(
        adjustments[:2]
    )
    assert search(chiropractor_client, {"patient": patient, "code": f"{CPT}|97140"}) == [
        plan["soft_tissue"][0]["id"]
    ]
    assert search(
        chiropractor_client, {"patient": patient, "code": f"{LOCAL}/technique|activator"}
    ) == [adjustments[1]]
    assert search(chiropractor_client, {"patient": patient, "code": "http://loinc.org|98940"}) == []
    assert search(chiropractor_client, {"patient": patient, "code": "|diversified"}) == []
    assert sorted(
        search(chiropractor_client, {"based-on": plan["id"], "authored": "ge2020-01-01"})
    ) == sorted(items)
    assert search(chiropractor_client, {"authored": "lt2020-01-01"}) == []
    assert search(chiropractor_client, {"_id": exercises[1]}) == [exercises[1]]


def test_every_request_is_found_by_its_own_codes(chiropractor_client, plan):
    for item_id in planned(plan):
        body = read(chiropractor_client, item_id)
        for coding in body["code"]["coding"]:
            query = {"based-on": plan["id"], "code": f"{coding['system']}|{coding['code']}"}
            assert item_id in search(chiropractor_client, query), coding


def test_clinic_admins_read_the_front_desk_is_refused_another_clinic_finds_nothing(
    clinic_admin_client, front_desk_client, other_admin_client, plan
):
    item_id = plan["exercises"][0]["id"]

    assert read(clinic_admin_client, item_id)["id"] == item_id
    assert front_desk_client.get(f"/fhir/R4/ServiceRequest/{item_id}").status_code == 403
    assert front_desk_client.get("/fhir/R4/ServiceRequest").status_code == 403
    missing = other_admin_client.get(f"/fhir/R4/ServiceRequest/{item_id}")
    assert missing.status_code == 404 and missing.json()["issue"][0]["code"] == "not-found"
    assert search(other_admin_client, {}) == []


def test_a_page_costs_one_statement_and_one_per_table_whatever_its_size(
    chiropractor_client, clinic, chiropractor, full_plan
):
    write_plan(chiropractor_client, full_plan)
    chiropractor_client.get("/fhir/R4/ServiceRequest")  # the shipped lists, read once
    with CaptureQueriesContext(connection) as few:
        assert len(entries(chiropractor_client.get("/fhir/R4/ServiceRequest").json())) == 6
    for _ in range(4):
        patient = PatientFactory(clinic=clinic)
        condition = ConditionFactory(patient=patient, recorded_by=chiropractor)
        write_plan(
            chiropractor_client,
            {**full_plan, "patient": str(patient.id), "conditions": [str(condition.id)]},
        )
    with CaptureQueriesContext(connection) as many:
        bundle = chiropractor_client.get("/fhir/R4/ServiceRequest?_count=100").json()
    with CaptureQueriesContext(connection) as adjustments_only:
        chiropractor_client.get("/fhir/R4/ServiceRequest", {"category": "adjustment"})

    assert len(entries(bundle)) == 30
    assert len(many) == len(few)
    # The page's keys, then each table with rows on the page: one fewer per table left out.
    assert len(adjustments_only) == len(few) - 2
    unions = [q["sql"] for q in many.captured_queries if "UNION ALL" in q["sql"]]
    assert len(unions) == 1


def test_pages_follow_next_links_across_the_three_tables(chiropractor_client, plan):
    seen: list[str] = []
    url = "/fhir/R4/ServiceRequest?_count=4"
    pages = 0
    while url:
        bundle = chiropractor_client.get(url).json()
        seen += ids(bundle)
        pages += 1
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)

    assert sorted(seen) == sorted(planned(plan)) and len(seen) == 6
    assert pages == 2


def test_each_read_and_search_leaves_one_audit_event(chiropractor_client, plan, full_plan):
    items = planned(plan)
    before = AuditEvent.objects.count()
    read(chiropractor_client, items[3])
    search(chiropractor_client, {"based-on": plan["id"]})

    read_event, search_event = AuditEvent.objects.order_by("id")[before:]
    assert (read_event.action, read_event.resource_type) == ("read", "plan_item")
    assert read_event.object_ids == [items[3]]
    assert [str(p) for p in read_event.patient_ids] == [full_plan["patient"]]
    assert search_event.action == "search" and sorted(search_event.object_ids) == sorted(items)
    assert {str(p) for p in search_event.patient_ids} == {full_plan["patient"]}


def test_bad_searches_are_refused_naming_the_parameter(chiropractor_client):
    for query, code in [
        ({"authored": "soon"}, "invalid_search_value"),
        ({"code:text": "adjustment"}, "unsupported_modifier"),
        ({"code": "|"}, "invalid_search_value"),
        ({"intent": "plan"}, "unknown_parameter"),
    ]:
        response = chiropractor_client.get("/fhir/R4/ServiceRequest", query)
        assert response.status_code == 400, query
        issue = response.json()["issue"][0]
        assert issue["details"]["coding"][0]["code"] == code
        assert issue["expression"] == [next(iter(query))]
