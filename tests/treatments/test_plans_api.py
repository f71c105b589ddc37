import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from treatments.models import PlanCondition, PlannedAdjustment, TreatmentPlan

PLANS = "/api/v1/treatment-plans/"


def plan_url(plan_id) -> str:
    return f"{PLANS}{plan_id}/"


def create(client, payload) -> dict:
    response = client.post(PLANS, payload)
    assert response.status_code == 201, response.json()
    return response.json()


def errors(response) -> set[tuple[str, str]]:
    assert response.status_code == 400, response.json()
    return {(e["attr"], e["code"]) for e in response.json()["errors"]}


def test_a_full_plan_is_created_in_one_request_and_read_back_identical(
    chiropractor_client, chiropractor, full_plan
):
    created = create(chiropractor_client, full_plan)

    read = chiropractor_client.get(plan_url(created["id"]))
    assert read.status_code == 200
    assert read.json() == created
    assert created["status"] == "draft"
    assert created["allowed_actions"] == ["activate", "revoke", "mark-entered-in-error"]
    assert created["chiropractor"] == str(chiropractor.id)
    assert created["planned_visits"] == 12
    assert created["end_date"] == "2026-11-29"
    assert created["reexam_interval_days"] == 30
    assert created["reexam_interval_visits"] == 12
    assert [g["description"] for g in created["goals"]] == [
        g["description"] for g in full_plan["goals"]
    ]
    assert created["goals"][0]["target_value"] == 2
    assert [(a["segment"], a["cmt_region"], a["listing"]) for a in created["adjustments"]] == [
        ("C5", "cervical", "PRS"),
        ("T4", "thoracic", "EXTENSION_RESTRICTION"),
        ("SHOULDER", "extraspinal", None),
    ]
    assert created["soft_tissue"][0]["muscles"] == ["upper_trapezius", "levator_scapulae"]
    assert created["soft_tissue"][0]["cpt_code"] == "97140"
    stretch = created["exercises"][1]
    assert (stretch["sets"], stretch["repetitions"], stretch["hold_seconds"]) == (
        1,
        3,
        30,
    )  # library defaults
    assert sorted(created["conditions"]) == sorted(full_plan["conditions"])


@pytest.mark.parametrize(
    ("path", "change", "expected"),
    [
        (("adjustments", 0), {"segment": "C9"}, ("adjustments.0.segment", "does_not_exist")),
        (
            ("adjustments", 0),
            {"technique": "laying_on_of_hands"},
            ("adjustments.0.technique", "does_not_exist"),
        ),
        (("adjustments", 0), {"listing": "PIIN"}, ("adjustments.0.listing", "invalid")),
        (("adjustments", 0), {"laterality": "left"}, ("adjustments.0.laterality", "invalid")),
        (("adjustments", 2), {"laterality": ""}, ("adjustments.2.laterality", "invalid")),
        (
            ("soft_tissue", 0),
            {"muscles": ["upper_trapezius", "biceps_femoris_longus"]},
            ("soft_tissue.0.muscles.1", "does_not_exist"),
        ),
        (("soft_tissue", 0), {"muscles": []}, ("soft_tissue.0.muscles", "invalid")),
        (("soft_tissue", 0), {"minutes": 0}, ("soft_tissue.0.minutes", "min_value")),
        (("soft_tissue", 0), {"modality": "reiki"}, ("soft_tissue.0.modality", "does_not_exist")),
        (("exercises", 0), {"sets": -1}, ("exercises.0.sets", "min_value")),
        (("exercises", 0), {"days_per_week": 8}, ("exercises.0.days_per_week", "max_value")),
        (
            ("exercises", 0),
            {"exercise": "handstand_pushup"},
            ("exercises.0.exercise", "does_not_exist"),
        ),
        (("goals", 0), {"target_value": 11}, ("goals.0.target_value", "invalid")),
        (("goals", 0), {"comparator": ""}, ("goals.0.comparator", "invalid")),
        (("goals", 0), {"measure": "happiness"}, ("goals.0.measure", "invalid_choice")),
    ],
)
def test_each_intervention_kind_is_validated(
    chiropractor_client, full_plan, path, change, expected
):
    kind, index = path
    full_plan[kind][index] = {**full_plan[kind][index], **change}

    response = chiropractor_client.post(PLANS, full_plan)

    assert expected in errors(response)
    assert not TreatmentPlan.objects.exists()
    assert not PlannedAdjustment.objects.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"visits_per_week": 8}, ("visits_per_week", "max_value")),
        ({"weeks": 0}, ("weeks", "min_value")),
        ({"phase": "forever"}, ("phase", "invalid_choice")),
        ({"conditions": []}, ("conditions", "required")),
        ({"cadence": "3x/week"}, ("cadence", "unknown_field")),
        ({"frequency": "3x/week"}, ("frequency", "not_a_list")),
    ],
)
def test_plan_fields_are_validated(chiropractor_client, full_plan, change, expected):
    response = chiropractor_client.post(PLANS, {**full_plan, **change})

    assert expected in errors(response)
    assert not TreatmentPlan.objects.exists()


def test_a_condition_of_another_patient_is_refused(chiropractor_client, full_plan, clinic):
    from tests.factories import ConditionFactory, PatientFactory

    stranger = ConditionFactory(patient=PatientFactory(clinic=clinic))

    response = chiropractor_client.post(PLANS, {**full_plan, "conditions": [str(stranger.id)]})

    assert ("conditions", "other_patient") in errors(response)


def test_a_condition_entered_in_error_is_refused(chiropractor_client, full_plan, neck_pain):
    chiropractor_client.delete(
        f"/api/v1/patients/{neck_pain.patient_id}/conditions/{neck_pain.id}/"
    )

    response = chiropractor_client.post(PLANS, {**full_plan, "conditions": [str(neck_pain.id)]})

    assert ("conditions", "invalid_condition") in errors(response)


def test_another_clinics_patient_or_condition_does_not_exist_for_a_plan(
    chiropractor_client, full_plan, other_clinic
):
    from tests.factories import ConditionFactory, PatientFactory

    foreign = ConditionFactory(patient=PatientFactory(clinic=other_clinic))

    response = chiropractor_client.post(
        PLANS, {**full_plan, "patient": str(foreign.patient_id), "conditions": [str(foreign.id)]}
    )

    assert {("patient", "does_not_exist"), ("conditions", "does_not_exist")} <= errors(response)


ALL_MOVES = ["activate", "hold", "resume", "complete", "revoke", "mark-entered-in-error"]
ALLOWED = {
    "draft": {
        "activate": "active",
        "revoke": "revoked",
        "mark-entered-in-error": "entered-in-error",
    },
    "active": {
        "hold": "on-hold",
        "complete": "completed",
        "revoke": "revoked",
        "mark-entered-in-error": "entered-in-error",
    },
    "on-hold": {
        "resume": "active",
        "revoke": "revoked",
        "mark-entered-in-error": "entered-in-error",
    },
    "completed": {},
    "revoked": {},
    "entered-in-error": {},
}
PATH_TO = {
    "draft": [],
    "active": ["activate"],
    "on-hold": ["activate", "hold"],
    "completed": ["activate", "complete"],
    "revoked": ["revoke"],
    "entered-in-error": ["mark-entered-in-error"],
}


@pytest.mark.parametrize("status", list(ALLOWED))
@pytest.mark.parametrize("move", ALL_MOVES)
def test_every_status_move_is_allowed_or_refused_as_the_domain_says(
    chiropractor_client, full_plan, status, move
):
    plan = create(chiropractor_client, full_plan)
    for step in PATH_TO[status]:
        assert chiropractor_client.post(f"{plan_url(plan['id'])}{step}/").status_code == 200

    response = chiropractor_client.post(f"{plan_url(plan['id'])}{move}/")

    if move in ALLOWED[status]:
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == ALLOWED[status][move]
    else:
        assert response.status_code == 409
        error = response.json()["errors"][0]
        assert error["code"] == "transition_not_allowed"
        for allowed in ALLOWED[status]:
            assert allowed in error["detail"]
        assert TreatmentPlan.objects.get(pk=plan["id"]).status == status


@pytest.mark.parametrize("closing", ["complete", "revoke", "mark-entered-in-error"])
def test_a_closed_plan_is_read_only(chiropractor_client, full_plan, closing):
    plan = create(chiropractor_client, full_plan)
    chiropractor_client.post(f"{plan_url(plan['id'])}activate/")
    chiropractor_client.post(f"{plan_url(plan['id'])}{closing}/")
    before = chiropractor_client.get(plan_url(plan["id"])).json()
    goal = plan["goals"][0]["id"]

    responses = [
        chiropractor_client.patch(plan_url(plan["id"]), {"notes": "changed"}),
        chiropractor_client.post(f"{plan_url(plan['id'])}goals/", {"description": "New goal"}),
        chiropractor_client.patch(f"{plan_url(plan['id'])}goals/{goal}/", {"status": "achieved"}),
        chiropractor_client.delete(f"{plan_url(plan['id'])}goals/{goal}/"),
    ]

    assert [r.status_code for r in responses] == [409, 409, 409, 409]
    assert {r.json()["errors"][0]["code"] for r in responses} == {"plan_not_editable"}
    assert chiropractor_client.get(plan_url(plan["id"])).json() == before


def test_only_one_active_plan_per_patient_per_condition(
    chiropractor_client, full_plan, neck_pain, subluxation
):
    first = create(chiropractor_client, full_plan)
    second = create(chiropractor_client, {**full_plan, "conditions": [str(neck_pain.id)]})
    third = create(chiropractor_client, {**full_plan, "conditions": [str(subluxation.id)]})
    assert chiropractor_client.post(f"{plan_url(first['id'])}activate/").status_code == 200

    refused = chiropractor_client.post(f"{plan_url(second['id'])}activate/")

    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "condition_has_active_plan"
    assert "M54.2" in refused.json()["errors"][0]["detail"]
    chiropractor_client.post(f"{plan_url(first['id'])}hold/")
    assert chiropractor_client.post(f"{plan_url(second['id'])}activate/").status_code == 200
    assert chiropractor_client.post(f"{plan_url(first['id'])}resume/").status_code == 409
    assert chiropractor_client.post(f"{plan_url(third['id'])}activate/").status_code == 200
    assert PlanCondition.objects.filter(plan_is_active=True).count() == 2


def test_items_are_added_changed_and_removed_through_their_own_endpoints(
    chiropractor_client, full_plan
):
    plan = create(chiropractor_client, full_plan)
    base = plan_url(plan["id"])

    added = chiropractor_client.post(
        f"{base}adjustments/",
        {"segment": "L_ILIUM", "listing": "PIIN", "technique": "thompson_drop"},
    )
    changed = chiropractor_client.patch(
        f"{base}exercises/{plan['exercises'][0]['id']}/", {"sets": 3}
    )
    removed = chiropractor_client.delete(f"{base}soft-tissue/{plan['soft_tissue'][0]['id']}/")

    assert added.status_code == 201, added.json()
    assert added.json()["position"] == 3
    assert changed.json()["sets"] == 3
    assert removed.status_code == 204
    current = chiropractor_client.get(base).json()
    assert [a["segment"] for a in current["adjustments"]] == ["C5", "T4", "SHOULDER", "L_ILIUM"]
    assert current["soft_tissue"] == []
    assert chiropractor_client.get(f"{base}soft-tissue/").json() == []


def test_item_validation_on_its_own_endpoint(chiropractor_client, full_plan):
    plan = create(chiropractor_client, full_plan)

    response = chiropractor_client.patch(
        f"{plan_url(plan['id'])}adjustments/{plan['adjustments'][0]['id']}/", {"listing": "AS"}
    )

    assert ("listing", "invalid") in errors(response)


def test_an_on_hold_plan_cannot_be_edited(chiropractor_client, full_plan):
    plan = create(chiropractor_client, full_plan)
    chiropractor_client.post(f"{plan_url(plan['id'])}activate/")
    chiropractor_client.post(f"{plan_url(plan['id'])}hold/")

    assert chiropractor_client.patch(plan_url(plan["id"]), {"weeks": 6}).status_code == 409


def test_plan_update_with_a_stale_if_match_gets_412(chiropractor_client, full_plan):
    plan = create(chiropractor_client, full_plan)
    etag = chiropractor_client.get(plan_url(plan["id"]))["ETag"]
    chiropractor_client.patch(plan_url(plan["id"]), {"weeks": 6}, HTTP_IF_MATCH=etag)

    response = chiropractor_client.patch(plan_url(plan["id"]), {"weeks": 8}, HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert TreatmentPlan.objects.get(pk=plan["id"]).weeks == 6


def test_home_program_speaks_to_the_patient(chiropractor_client, full_plan):
    plan = create(chiropractor_client, full_plan)

    response = chiropractor_client.get(f"{plan_url(plan['id'])}home-program/")

    assert response.status_code == 200
    body = response.json()
    assert body["patient_name"] == "Mari"
    assert [e["name"] for e in body["exercises"]] == ["Chin tuck", "Upper-trapezius stretch"]
    assert (
        body["exercises"][0]["dosage"]
        == "2 sets of 10 repetitions, holding each for 5 seconds, 3 times a day, every day."
    )
    assert (
        body["exercises"][1]["dosage"]
        == "1 set of 3 repetitions, holding each for 30 seconds, twice a day, 5 days a week."
    )
    assert body["exercises"][1]["side"] == "Left"


def test_front_desk_sees_only_that_a_plan_exists(front_desk_client, chiropractor_client, full_plan):
    plan = create(chiropractor_client, full_plan)

    summary = front_desk_client.get(plan_url(plan["id"])).json()

    assert set(summary) == {
        "id",
        "patient",
        "chiropractor",
        "status",
        "status_changed_at",
        "start_date",
        "end_date",
        "visits_per_week",
        "weeks",
        "frequency",
        "planned_visits",
        "created_by",
        "created_at",
        "updated_at",
        "version",
    }
    assert front_desk_client.get(f"{plan_url(plan['id'])}home-program/").status_code == 403
    assert front_desk_client.get(f"{plan_url(plan['id'])}goals/").status_code == 403
    assert front_desk_client.post(PLANS, full_plan).status_code == 403
    assert front_desk_client.post(f"{plan_url(plan['id'])}activate/").status_code == 403


def test_clinic_admin_reads_plans_but_does_not_write_them(
    clinic_admin_client, chiropractor_client, full_plan
):
    plan = create(chiropractor_client, full_plan)

    assert clinic_admin_client.get(plan_url(plan["id"])).json()["goals"]
    assert clinic_admin_client.get(f"{plan_url(plan['id'])}goals/").status_code == 200
    assert clinic_admin_client.post(PLANS, full_plan).status_code == 403
    assert clinic_admin_client.patch(plan_url(plan["id"]), {"weeks": 9}).status_code == 403
    assert clinic_admin_client.post(f"{plan_url(plan['id'])}activate/").status_code == 403
    assert (
        clinic_admin_client.post(f"{plan_url(plan['id'])}goals/", {"description": "x"}).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("get", "", None),
        ("patch", "", {"weeks": 9}),
        ("post", "activate/", None),
        ("get", "home-program/", None),
        ("get", "goals/", None),
        ("post", "goals/", {"description": "x"}),
    ],
)
def test_another_clinics_plan_is_not_found(
    other_clinic, chiropractor_client, full_plan, method, suffix, payload
):
    from tests.conftest import client_for
    from tests.factories import ConditionFactory, PatientFactory, UserFactory

    theirs = client_for(UserFactory(clinic=other_clinic, role="chiropractor"))
    condition = ConditionFactory(patient=PatientFactory(clinic=other_clinic))
    plan = create(
        theirs,
        {**full_plan, "patient": str(condition.patient_id), "conditions": [str(condition.id)]},
    )

    response = getattr(chiropractor_client, method)(f"{plan_url(plan['id'])}{suffix}", payload)

    assert response.status_code == 404
    assert TreatmentPlan.objects.get(pk=plan["id"]).version == 1


def test_a_patient_with_an_active_plan_cannot_be_archived(
    front_desk_client, chiropractor_client, full_plan, patient
):
    plan = create(chiropractor_client, full_plan)
    chiropractor_client.post(f"{plan_url(plan['id'])}activate/")

    response = front_desk_client.delete(f"/api/v1/patients/{patient.id}/")

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "patient_has_active_plan"
    patient.refresh_from_db()
    assert patient.status == "active"
    chiropractor_client.post(f"{plan_url(plan['id'])}complete/")
    assert front_desk_client.delete(f"/api/v1/patients/{patient.id}/").status_code == 204


def test_plans_are_filtered(chiropractor_client, full_plan, neck_pain):
    first = create(chiropractor_client, full_plan)
    create(
        chiropractor_client, {**full_plan, "phase": "corrective", "conditions": [str(neck_pain.id)]}
    )
    chiropractor_client.post(f"{plan_url(first['id'])}activate/")

    def ids(**params) -> list[str]:
        return [p["id"] for p in chiropractor_client.get(PLANS, params).json()["results"]]

    assert ids(status="active") == [first["id"]]
    assert len(ids(phase="corrective")) == 1
    assert len(ids(patient=full_plan["patient"])) == 2
    assert len(ids(condition=full_plan["conditions"][1])) == 1


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"page_size": 100}).status_code == 200
    return len(queries)


def test_listing_5_or_50_plans_with_their_items_costs_the_same(chiropractor_client, full_plan):
    for _ in range(5):
        create(chiropractor_client, full_plan)
    with_five = count_queries(chiropractor_client, PLANS)
    for _ in range(45):
        create(chiropractor_client, full_plan)

    assert count_queries(chiropractor_client, PLANS) == with_five


def test_retrieving_a_plan_with_30_items_costs_as_much_as_with_3(chiropractor_client, full_plan):
    small = create(chiropractor_client, full_plan)
    big = create(
        chiropractor_client,
        {
            **full_plan,
            "adjustments": full_plan["adjustments"] * 10,
            "exercises": full_plan["exercises"] * 10,
        },
    )

    assert count_queries(chiropractor_client, plan_url(big["id"])) == count_queries(
        chiropractor_client, plan_url(small["id"])
    )


def test_a_condition_listed_twice_is_refused(chiropractor_client, full_plan, neck_pain):
    response = chiropractor_client.post(PLANS, {**full_plan, "conditions": [str(neck_pain.id)] * 2})

    assert ("conditions", "duplicate") in errors(response)


@pytest.mark.parametrize("start", ["9999-12-31", "1800-01-01"])
def test_an_implausible_start_date_is_refused(chiropractor_client, full_plan, start):
    response = chiropractor_client.post(PLANS, {**full_plan, "start_date": start})

    assert ("start_date", "out_of_range") in errors(response)


def test_adding_a_condition_covered_by_another_active_plan_names_that_plan(
    chiropractor_client, full_plan, neck_pain, subluxation
):
    first = create(chiropractor_client, {**full_plan, "conditions": [str(neck_pain.id)]})
    second = create(chiropractor_client, {**full_plan, "conditions": [str(subluxation.id)]})
    chiropractor_client.post(f"{plan_url(first['id'])}activate/")
    chiropractor_client.post(f"{plan_url(second['id'])}activate/")

    response = chiropractor_client.patch(
        plan_url(second["id"]), {"conditions": [str(subluxation.id), str(neck_pain.id)]}
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "condition_has_active_plan"
    assert first["id"] in response.json()["errors"][0]["detail"]


def test_a_draft_plan_of_an_archived_patient_cannot_be_activated(
    chiropractor_client, front_desk_client, full_plan, patient
):
    plan = create(chiropractor_client, full_plan)
    front_desk_client.delete(f"/api/v1/patients/{patient.id}/")

    assert chiropractor_client.post(f"{plan_url(plan['id'])}activate/").status_code == 409
    assert chiropractor_client.patch(plan_url(plan["id"]), {"weeks": 2}).status_code == 409
    assert chiropractor_client.post(f"{plan_url(plan['id'])}revoke/").status_code == 200


def test_activation_rechecks_the_conditions(chiropractor_client, full_plan, neck_pain):
    plan = create(chiropractor_client, full_plan)
    chiropractor_client.delete(
        f"/api/v1/patients/{neck_pain.patient_id}/conditions/{neck_pain.id}/"
    )

    response = chiropractor_client.post(f"{plan_url(plan['id'])}activate/")

    assert ("conditions", "invalid_condition") in errors(response)
    assert TreatmentPlan.objects.get(pk=plan["id"]).status == "draft"


@pytest.mark.parametrize(
    "query", [{"phase": "relief"}, {"condition": "00000000-0000-0000-0000-000000000000"}]
)
def test_front_desk_cannot_filter_plans_by_clinical_content(front_desk_client, query):
    assert front_desk_client.get(PLANS, query).status_code == 403


@pytest.mark.parametrize("kind", ["goals", "adjustments", "soft-tissue", "exercises"])
def test_plan_item_lists_cost_the_same_for_3_or_30_items(chiropractor_client, full_plan, kind):
    small = create(chiropractor_client, full_plan)
    big = create(
        chiropractor_client,
        {
            **full_plan,
            **{
                key: full_plan[key] * 10
                for key in ("goals", "adjustments", "soft_tissue", "exercises")
            },
        },
    )

    assert count_queries(chiropractor_client, f"{plan_url(big['id'])}{kind}/") == count_queries(
        chiropractor_client, f"{plan_url(small['id'])}{kind}/"
    )


def test_a_condition_taken_off_a_plan_is_kept_marked_removed(
    chiropractor_client, full_plan, neck_pain, subluxation
):
    plan = create(chiropractor_client, full_plan)

    narrowed = chiropractor_client.patch(plan_url(plan["id"]), {"conditions": [str(neck_pain.id)]})
    by_subluxation = chiropractor_client.get(PLANS, {"condition": str(subluxation.id)}).json()
    widened = chiropractor_client.patch(
        plan_url(plan["id"]), {"conditions": [str(neck_pain.id), str(subluxation.id)]}
    )

    assert narrowed.json()["conditions"] == [str(neck_pain.id)]
    assert by_subluxation["results"] == []
    assert sorted(widened.json()["conditions"]) == sorted([str(neck_pain.id), str(subluxation.id)])
    links = PlanCondition.all_rows.filter(plan_id=plan["id"], condition=subluxation)
    assert sorted(link.removed_at is None for link in links) == [False, True]
