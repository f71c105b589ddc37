"""FHIR import of visits: an Encounter with its Procedures made into a visit with its performed
items (signed when finished), as this server exports them, once, in a bounded number of
statements; what cannot be kept is refused with the element it comes from."""

import copy
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.roles import Role
from fhir_api.resources.encounter import ENCOUNTER
from fhir_api.resources.procedure import PROCEDURE
from fhir_import.models import ImportedResource
from patients.models import Patient
from tests.clinical_rows import row_counts
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.fhir_api.conformance import assert_conforms
from tests.fhir_api.conftest import PLANS, VISITS, an_hour_ago, sign
from tests.fhir_import.bundles import post, statuses
from treatments.visits.models import (
    PerformedAdjustment,
    PerformedExercise,
    PerformedSoftTissue,
    Visit,
)

pytestmark = pytest.mark.django_db

FHIR_JSON = "application/fhir+json"
BASE = "http://testserver/fhir/R4"
# What a performed item records, by table, besides its visit.
KEPT = {
    PerformedAdjustment: ["segment_id", "listing_id", "technique_id", "laterality"],
    PerformedSoftTissue: ["modality_id", "muscles", "laterality", "minutes", "body_region"],
    PerformedExercise: ["exercise_id", "sets", "repetitions", "minutes", "body_region"],
}
KEPT_OF_VISIT = ["visit_at", "is_reexamination", "status"]


def expressions(outcome: dict) -> list[tuple[str, list[str]]]:
    return [
        (found["details"]["coding"][0]["code"], found.get("expression", []))
        for found in outcome["issue"]
        if found["severity"] == "error"
    ]


def items(visit: Visit) -> dict[str, list[tuple]]:
    return {
        model.__name__: list(
            model.objects.filter(visit=visit).order_by("position").values_list(*fields)
        )
        for model, fields in KEPT.items()
    }


def served(client, visit_id) -> list[dict]:
    """The visit as the FHIR face serves it: its Encounter, then its Procedures."""
    encounter = client.get(f"/fhir/R4/Encounter/{visit_id}").json()
    found = client.get("/fhir/R4/Procedure", {"encounter": visit_id, "_count": 50}).json()
    procedures = sorted((e["resource"] for e in found["entry"]), key=lambda p: p["code"]["text"])
    return [encounter, *procedures]


def bundle_of(resources: list[dict], kind: str = "transaction") -> dict:
    """Entries at their RESTful fullUrls, referring to each other relatively (an export)."""
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {
                "fullUrl": f"{BASE}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "request": {"method": "POST", "url": r["resourceType"]},
            }
            for r in resources
        ],
    }


def clinical(resource: dict) -> dict:
    """What an exported resource says clinically: not its ids, references or times."""
    return {
        name: value
        for name, value in resource.items()
        if name
        not in {
            "id",
            "meta",
            "identifier",
            "subject",
            "encounter",
            "performer",
            "participant",
            "location",
            "serviceProvider",
            "reasonReference",
            "basedOn",
        }
    }


@pytest.fixture
def logged_visit(chiropractor_client, patient) -> dict:
    """A signed visit outside a plan with every kind of performed item: two adjustments (one
    sided, one with its listing), soft-tissue work on a region besides its muscles', an
    exercise done for 15 minutes and one only reviewed."""
    response = chiropractor_client.post(
        VISITS,
        {
            "patient": str(patient.pk),
            # To the second: an Encounter's period is an instant to the second.
            "visit_at": (timezone.now() - datetime.timedelta(hours=1))
            .replace(microsecond=0)
            .isoformat(),
            "is_reexamination": True,
            "adjustments": [
                {"segment": "C5", "listing": "PRS", "technique": "diversified"},
                {"segment": "SHOULDER", "technique": "mobilisation", "laterality": "right"},
            ],
            "soft_tissue": [
                {
                    "modality": "myofascial_release",
                    "muscles": ["upper_trapezius", "levator_scapulae"],
                    "laterality": "left",
                    "minutes": 10,
                    "body_region": "thoracic",
                },
            ],
            "exercises": [
                {"exercise": "chin_tuck", "sets": 2, "repetitions": 10, "minutes": 15},
                {
                    "exercise": "upper_trapezius_stretch",
                    "sets": 1,
                    "repetitions": 3,
                    "body_region": "thoracic",
                },
            ],
        },
    )
    assert response.status_code == 201, response.json()
    return sign(chiropractor_client, response.json())


@pytest.fixture
def plan(chiropractor_client, full_plan) -> dict:
    """The patient's active plan (tests.conftest.full_plan), as the REST API answered it."""
    created = chiropractor_client.post(PLANS, full_plan).json()
    assert chiropractor_client.post(f"{PLANS}{created['id']}/activate/").status_code == 200
    return created


@pytest.fixture
def elsewhere(other_clinic):
    return client_for(UserFactory(clinic=other_clinic, role=Role.CHIROPRACTOR))


def test_a_visit_served_here_imports_into_another_clinic_as_it_was(
    chiropractor_client, logged_visit, patient, elsewhere, other_clinic
):
    resources = served(chiropractor_client, logged_visit["id"])
    exported_patient = chiropractor_client.get(f"/fhir/R4/Patient/{patient.pk}").json()

    response = post(elsewhere, bundle_of([exported_patient, *resources]))

    assert response.status_code == 200, response.json()
    assert statuses(response) == ["201 Created"] * 7  # the patient, the visit, five items
    original = Visit.objects.get(pk=logged_visit["id"])
    copy_of = Visit.objects.get(clinic=other_clinic)
    assert copy_of.patient == Patient.objects.get(clinic=other_clinic)
    assert [getattr(copy_of, f) for f in KEPT_OF_VISIT] == [
        getattr(original, f) for f in KEPT_OF_VISIT
    ]
    assert copy_of.status == "signed" and copy_of.signed_by_id == copy_of.chiropractor_id
    assert (copy_of.plan_id, copy_of.signed_coding) == (None, original.signed_coding)
    assert items(copy_of) == items(original)
    # Who treated is not kept: the visit is the importing chiropractor's, signed by them.
    warned = [
        issue["expression"]
        for issue in response.json()["entry"][1]["response"]["outcome"]["issue"]
        if issue["severity"] == "warning"
    ]
    assert warned == [["Bundle.entry[1].resource.participant"]]
    # Each Procedure's entry is answered with the performed item it became.
    answered = {e["response"]["location"].split("/")[1] for e in response.json()["entry"][2:]}
    assert answered == {
        str(pk)
        for model in KEPT
        for pk in model.objects.filter(visit=copy_of).values_list("pk", flat=True)
    }
    # Exported again, the other clinic's visit says what the first said.
    again = served(elsewhere, copy_of.pk)
    assert [clinical(r) for r in again] == [clinical(r) for r in resources]
    assert_conforms(again[0], ENCOUNTER, fully_recorded=False)  # the patient has no conditions
    for procedure in again[1:]:
        assert_conforms(procedure, PROCEDURE)


def test_the_same_visit_posted_again_creates_nothing(
    chiropractor_client, logged_visit, patient, elsewhere
):
    bundle = bundle_of(
        [
            chiropractor_client.get(f"/fhir/R4/Patient/{patient.pk}").json(),
            *served(chiropractor_client, logged_visit["id"]),
        ]
    )
    first = post(elsewhere, bundle)
    before = row_counts()

    again = post(elsewhere, bundle)

    assert again.status_code == 200
    assert set(statuses(again)) == {"200 OK"}
    assert [e["response"]["location"] for e in again.json()["entry"]] == [
        e["response"]["location"].removesuffix("/_history/1").removesuffix("/_history/2")
        for e in first.json()["entry"]
    ]
    assert row_counts() == before


def test_a_visit_carrying_out_planned_items_is_logged_against_their_plan(
    chiropractor_client, plan, patient
):
    planned = plan["adjustments"][0]["id"]
    resources = served_draft(chiropractor_client, plan)
    renamed = _renamed(resources, "a")

    response = post(chiropractor_client, bundle_of(renamed))

    assert response.status_code == 200, response.json()
    visit = Visit.objects.exclude(pk=resources[0]["id"]).get()
    assert (str(visit.plan_id), visit.status) == (plan["id"], "draft")
    assert str(visit.adjustments.get().planned_item_id) == planned


def test_planned_items_of_no_plan_of_the_visit_are_refused_where_they_are_named(
    chiropractor_client, plan
):
    resources = _renamed(served_draft(chiropractor_client, plan), "b")
    del resources[0]["extension"]  # the visit's plan is no longer said

    response = post(chiropractor_client, bundle_of(resources))

    assert response.status_code == 400, response.json()
    assert expressions(response.json()) == [
        ("not_in_plan", ["Bundle.entry[1].resource.basedOn[0].reference"])
    ]
    assert Visit.objects.count() == 1


def served_draft(client, plan: dict) -> list[dict]:
    """A draft visit of `plan` carrying out its first adjustment, as served."""
    response = client.post(
        VISITS,
        {
            "patient": plan["patient"],
            "plan": plan["id"],
            "visit_at": an_hour_ago(),
            "adjustments": [{"planned_item": plan["adjustments"][0]["id"]}],
        },
    )
    assert response.status_code == 201, response.json()
    return served(client, response.json()["id"])


def _renamed(resources: list[dict], tag: str) -> list[dict]:
    """The resources as another source's: new ids and identifiers, same references."""
    found = copy.deepcopy(resources)
    for n, resource in enumerate(found):
        resource["id"] = f"{tag}{n}"
        resource.pop("identifier", None)
    encounter = found[0]
    for procedure in found[1:]:
        procedure["encounter"] = {"reference": f"Encounter/{encounter['id']}"}
    return found


def test_a_procedure_whose_encounter_is_not_in_the_bundle_is_refused(
    chiropractor_client, logged_visit
):
    procedure = served(chiropractor_client, logged_visit["id"])[1]

    response = post(chiropractor_client, bundle_of([procedure], "batch"))

    assert response.status_code == 200
    [entry] = response.json()["entry"]
    assert entry["response"]["status"] == "422 Unprocessable Entity"
    assert expressions(entry["response"]["outcome"]) == [
        ("unresolved_reference", ["Bundle.entry[0].resource.encounter"])
    ]


def test_a_bad_element_refuses_its_visit_in_a_batch_and_everything_in_a_transaction(
    chiropractor_client, logged_visit, patient, elsewhere, other_clinic
):
    exported_patient = chiropractor_client.get(f"/fhir/R4/Patient/{patient.pk}").json()
    good = served(chiropractor_client, logged_visit["id"])
    bad = _renamed(good, "bad")
    adjustment = next(p for p in bad[1:] if "technique" in p["code"]["coding"][-1]["system"])
    adjustment["bodySite"][0]["coding"][0]["code"] = "C9"
    where = 1 + len(good) + bad.index(adjustment)

    batch = post(elsewhere, bundle_of([exported_patient, *good, *bad], "batch"))

    assert batch.status_code == 200
    answered = statuses(batch)
    assert answered[: 1 + len(good)] == ["201 Created"] * (1 + len(good))
    assert set(answered[1 + len(good) :]) == {"422 Unprocessable Entity", "400 Bad Request"}
    refusal = batch.json()["entry"][1 + len(good)]["response"]["outcome"]
    assert expressions(refusal) == [
        ("does_not_exist", [f"Bundle.entry[{where}].resource.bodySite[0].coding[0].code"])
    ]
    assert Visit.objects.filter(clinic=other_clinic).count() == 1

    before = row_counts()
    bundle = bundle_of([*_renamed(good, "more"), *bad])
    for resource in (entry["resource"] for entry in bundle["entry"]):
        resource["subject"] = {"reference": f"Patient/{patient.pk}"}
    transaction = post(chiropractor_client, bundle)

    assert transaction.status_code == 400
    assert expressions(transaction.json())[0][1] == [
        f"Bundle.entry[{where - 1}].resource.bodySite[0].coding[0].code"
    ]
    assert row_counts() == before


def test_statuses_a_draft_and_an_encounter_entered_in_error(chiropractor_client, logged_visit):
    resources = _renamed(served(chiropractor_client, logged_visit["id"]), "s")
    draft = copy.deepcopy(resources)
    draft[0]["status"] = "in-progress"
    erroneous = _renamed(resources, "e")
    erroneous[0]["status"] = "entered-in-error"

    response = post(chiropractor_client, bundle_of([*draft, *erroneous], "batch"))

    answered = statuses(response)
    assert answered[: len(draft)] == ["201 Created"] * len(draft)
    assert (
        Visit.objects.get(
            pk=response.json()["entry"][0]["response"]["location"].split("/")[1]
        ).status
        == "draft"
    )
    erroneous_answer = response.json()["entry"][len(draft)]["response"]
    assert expressions(erroneous_answer["outcome"]) == [
        ("not_mappable", [f"Bundle.entry[{len(draft)}].resource.status"])
    ]
    assert set(answered[len(draft) + 1 :]) == {"422 Unprocessable Entity"}


def test_another_servers_procedure_coded_in_cpt_only_is_not_mappable(chiropractor_client, patient):
    """Which segments were adjusted, with which technique, a CMT code does not say."""
    encounter = {
        "resourceType": "Encounter",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": {"reference": f"Patient/{patient.pk}"},
        "period": {"start": "2026-11-20T09:00:00Z", "end": "2026-11-20T09:15:00Z"},
    }
    procedure = {
        "resourceType": "Procedure",
        "status": "completed",
        "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "98941"}]},
        "subject": {"reference": f"Patient/{patient.pk}"},
        "encounter": {"reference": "urn:uuid:8c0b5c1e-1d4c-4f3e-9a57-6a1e2f0b9d01"},
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {
                "fullUrl": url,
                "resource": resource,
                "request": {"method": "POST", "url": resource["resourceType"]},
            }
            for url, resource in (
                ("urn:uuid:8c0b5c1e-1d4c-4f3e-9a57-6a1e2f0b9d01", encounter),
                ("urn:uuid:8c0b5c1e-1d4c-4f3e-9a57-6a1e2f0b9d02", procedure),
            )
        ],
    }

    response = post(chiropractor_client, bundle)

    assert statuses(response) == ["422 Unprocessable Entity"] * 2
    refusal = response.json()["entry"][0]["response"]["outcome"]
    assert expressions(refusal) == [("not_mappable", ["Bundle.entry[1].resource.code"])]
    assert not Visit.objects.exists()
    # Without its procedure, the encounter is no visit that can be told apart from a GP's.
    bundle["entry"].pop()
    refusal = post(chiropractor_client, bundle).json()["entry"][0]["response"]["outcome"]
    assert expressions(refusal) == [("not_mappable", ["Bundle.entry[0].resource.type"])]


def _visits_bundle(template: list[dict], visits: int, offset: int) -> dict:
    """`visits` copies of a visit (its Encounter and Procedures), each at fresh fullUrls."""
    entries = []
    for n in range(visits):
        encounter_url = f"urn:uuid:00000000-0000-4000-8000-{n + offset:012d}"
        for kind, resource in enumerate(copy.deepcopy(template)):
            resource.pop("identifier", None)
            url = (
                encounter_url
                if kind == 0
                else f"urn:uuid:00000000-0000-4000-{8000 + kind}-{n + offset:012d}"
            )
            if kind:
                resource["encounter"] = {"reference": encounter_url}
            entries.append(
                {
                    "fullUrl": url,
                    "resource": resource,
                    "request": {"method": "POST", "url": resource["resourceType"]},
                }
            )
    return {"resourceType": "Bundle", "type": "batch", "entry": entries}


def _statements(client, bundle: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = post(client, bundle)
    assert response.status_code == 200
    assert set(statuses(response)) <= {"201 Created", "200 OK"}, response.json()["entry"][0]
    return len(queries)


def test_statements_grow_by_a_constant_per_visit(chiropractor_client, logged_visit):
    template = served(chiropractor_client, logged_visit["id"])

    first = _statements(chiropractor_client, _visits_bundle(template, 1, 100))
    second = _statements(chiropractor_client, _visits_bundle(template, 3, 200))
    third = _statements(chiropractor_client, _visits_bundle(template, 5, 300))

    per_visit = (second - first) // 2
    assert third - second == second - first  # linear: the same statements for each visit
    # A signed visit of five items: its keys, the visit and items written, signed, coded.
    assert per_visit <= 30, per_visit  # measured: 24
    assert ImportedResource.objects.filter(resource_type="Procedure").count() == 9 * 5
    # Again: a constant, whatever the size (nothing is written).
    assert _statements(chiropractor_client, _visits_bundle(template, 5, 300)) == _statements(
        chiropractor_client, _visits_bundle(template, 1, 100)
    )
