import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.roles import Role
from tests.clinical_rows import decreased, row_counts
from tests.conftest import client_for
from tests.factories import ConditionFactory, PatientFactory, UserFactory
from treatments.models import OutcomeMeasure, OutcomeStatus, PartFinding, PerformedAdjustment, Visit

VISITS = "/api/v1/visits/"
PLANS = "/api/v1/treatment-plans/"


@pytest.fixture
def active_plan(chiropractor_client, full_plan) -> dict:
    plan = chiropractor_client.post(PLANS, full_plan).json()
    assert chiropractor_client.post(f"{PLANS}{plan['id']}/activate/").status_code == 200
    return plan


def an_hour_ago() -> str:
    return (timezone.now() - datetime.timedelta(hours=1)).isoformat()


@pytest.fixture
def visit_payload(active_plan) -> dict:
    return {
        "patient": active_plan["patient"],
        "plan": active_plan["id"],
        "visit_at": an_hour_ago(),
        "pain_before": 6,
        "pain_after": 3,
        "subjective": "Neck stiff after a long week at the desk.",
        "objective": "Restricted right rotation at C5; hypertonic upper trapezius.",
        "assessment": "Improving cervicalgia.",
        "plan_note": "Continue plan; review chin tucks.",
        "adherence": "partial",
        "findings": [
            {
                "region": "cervical",
                "pain": True,
                "asymmetry": True,
                "range_of_motion": True,
                "range_of_motion_note": "R rot 50°",
            },
            {"region": "thoracic", "tissue": True},
        ],
        "adjustments": [
            {
                "planned_item": active_plan["adjustments"][0]["id"],
                "segment": "C5",
                "listing": "PRS",
                "technique": "diversified",
            },
            {"segment": "T4", "technique": "activator"},
        ],
        "soft_tissue": [
            {
                "planned_item": active_plan["soft_tissue"][0]["id"],
                "modality": "myofascial_release",
                "muscles": ["upper_trapezius"],
                "minutes": 10,
            },
        ],
        "exercises": [
            {
                "planned_item": active_plan["exercises"][0]["id"],
                "exercise": "chin_tuck",
                "sets": 2,
                "repetitions": 10,
                "minutes": 15,
            },
        ],
    }


def log(client, payload) -> dict:
    response = client.post(VISITS, payload)
    assert response.status_code == 201, response.json()
    return response.json()


def errors(response) -> set[tuple[str, str]]:
    assert response.status_code == 400, response.json()
    return {(e["attr"], e["code"]) for e in response.json()["errors"]}


def test_a_visit_is_logged_with_everything_performed_and_billed(
    chiropractor_client, visit_payload, chiropractor
):
    visit = log(chiropractor_client, visit_payload)

    assert visit["status"] == "draft"
    assert visit["chiropractor"] == str(chiropractor.id)
    assert [a["unplanned"] for a in visit["adjustments"]] == [False, True]
    assert [(a["segment"], a["cmt_region"]) for a in visit["adjustments"]] == [
        ("C5", "cervical"),
        ("T4", "thoracic"),
    ]
    assert visit["findings"][0]["range_of_motion_note"] == "R rot 50°"
    lines = [(line["cpt"], line["units"], line["modifiers"]) for line in visit["coding"]["lines"]]
    # 2 spinal regions; 97140 on the adjusted neck is bundled with the CMT, so only 97110's
    # 15 minutes count: 1 unit.
    assert lines == [("98940", 1, ["AT"]), ("97110", 1, [])]
    assert visit["coding"]["status"] == "draft"
    assert visit["coding"]["diagnoses"][0] == "M99.01"
    assert [w["code"] for w in visit["coding"]["warnings"]] == [
        "bundled_with_cmt",
        "part_incomplete",
    ]
    assert chiropractor_client.get(f"{VISITS}{visit['id']}/coding/").json() == visit["coding"]


def test_a_visit_updates_the_patients_last_visit_and_pain_series(
    chiropractor_client, visit_payload, patient
):
    visit = log(chiropractor_client, visit_payload)

    patient.refresh_from_db()
    assert patient.last_visit_at.isoformat().startswith(visit["visit_at"][:16])
    nrs = OutcomeMeasure.objects.get(patient=patient, instrument="nrs")
    assert (nrs.score, str(nrs.visit_id)) == (6, visit["id"])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"pain_before": 11}, ("pain_before", "max_value")),
        ({"visit_at": "2999-01-01T10:00:00Z"}, ("visit_at", "future_date")),
        ({"adherence": "sometimes"}, ("adherence", "invalid_choice")),
        (
            {"findings": [{"region": "cervical"}, {"region": "cervical"}]},
            ("findings", "duplicate_region"),
        ),
        (
            {"adjustments": [{"segment": "C9", "technique": "diversified"}]},
            ("adjustments.0.segment", "does_not_exist"),
        ),
        (
            {"adjustments": [{"segment": "KNEE", "technique": "diversified"}]},
            ("adjustments.0.laterality", "invalid"),
        ),
        (
            {
                "soft_tissue": [
                    {"modality": "myofascial_release", "muscles": ["biceps"], "minutes": 5}
                ]
            },
            ("soft_tissue.0.muscles.0", "does_not_exist"),
        ),
        (
            {"exercises": [{"exercise": "chin_tuck", "sets": 0, "repetitions": 10}]},
            ("exercises.0.sets", "min_value"),
        ),
        ({"soap": "free text"}, ("soap", "unknown_field")),
    ],
)
def test_bad_visit_input_is_refused_per_field(chiropractor_client, visit_payload, change, expected):
    response = chiropractor_client.post(VISITS, {**visit_payload, **change})

    assert expected in errors(response)
    assert not Visit.objects.exists()


def test_a_visit_against_another_patients_plan_is_refused(
    chiropractor_client, visit_payload, clinic
):
    other = PatientFactory(clinic=clinic)

    response = chiropractor_client.post(VISITS, {**visit_payload, "patient": str(other.id)})

    assert ("plan", "other_patient") in errors(response)


def test_a_visit_against_a_plan_that_is_not_active_is_refused(
    chiropractor_client, visit_payload, active_plan
):
    chiropractor_client.post(f"{PLANS}{active_plan['id']}/hold/")

    response = chiropractor_client.post(VISITS, visit_payload)

    assert ("plan", "plan_not_active") in errors(response)


def test_a_planned_item_of_another_plan_is_refused(
    chiropractor_client, visit_payload, full_plan, neck_pain
):
    other = chiropractor_client.post(PLANS, {**full_plan, "conditions": [str(neck_pain.id)]}).json()
    visit_payload["adjustments"][0]["planned_item"] = other["adjustments"][0]["id"]

    response = chiropractor_client.post(VISITS, visit_payload)

    assert ("adjustments.0.planned_item", "not_in_plan") in errors(response)


def test_a_visit_outside_any_plan_is_allowed_and_its_items_are_unplanned(
    chiropractor_client, visit_payload
):
    payload = {**visit_payload, "plan": None}
    for kind in ("adjustments", "soft_tissue", "exercises"):
        payload[kind] = [
            {k: v for k, v in item.items() if k != "planned_item"} for item in payload[kind]
        ]

    visit = log(chiropractor_client, payload)

    assert visit["plan"] is None
    assert all(
        item["unplanned"]
        for item in visit["adjustments"] + visit["soft_tissue"] + visit["exercises"]
    )


def test_an_unsigned_visit_can_be_edited(chiropractor_client, visit_payload):
    visit = log(chiropractor_client, visit_payload)

    response = chiropractor_client.patch(
        f"{VISITS}{visit['id']}/", {"assessment": "Much better.", "adjustments": []}
    )

    assert response.status_code == 200
    assert response.json()["assessment"] == "Much better."
    assert response.json()["adjustments"] == []
    assert response.json()["coding"]["lines"][0]["cpt"] == "97140"


def test_signing_locks_the_visit_byte_for_byte(chiropractor_client, visit_payload):
    visit = log(chiropractor_client, visit_payload)
    signed = chiropractor_client.post(f"{VISITS}{visit['id']}/sign/")
    assert signed.status_code == 200
    assert signed.json()["status"] == "signed"
    assert signed.json()["signed_at"]
    before = chiropractor_client.get(f"{VISITS}{visit['id']}/").content

    attempts = [
        chiropractor_client.patch(f"{VISITS}{visit['id']}/", {"assessment": "rewritten"}),
        chiropractor_client.put(f"{VISITS}{visit['id']}/", visit_payload),
        chiropractor_client.delete(f"{VISITS}{visit['id']}/"),
        chiropractor_client.post(f"{VISITS}{visit['id']}/sign/"),
    ]

    assert [r.status_code for r in attempts] == [409, 409, 409, 409]
    assert {r.json()["errors"][0]["code"] for r in attempts} == {"visit_signed"}
    assert chiropractor_client.get(f"{VISITS}{visit['id']}/").content == before


def test_amendments_keep_the_original_text(chiropractor_client, visit_payload, chiropractor):
    visit = log(chiropractor_client, visit_payload)
    chiropractor_client.post(f"{VISITS}{visit['id']}/sign/")

    response = chiropractor_client.post(
        f"{VISITS}{visit['id']}/amendments/",
        {
            "section": "assessment",
            "text": "Also mild thoracic hypomobility.",
            "reason": "Omitted at signing.",
        },
    )

    assert response.status_code == 201, response.json()
    assert response.json()["author"] == str(chiropractor.id)
    after = chiropractor_client.get(f"{VISITS}{visit['id']}/").json()
    assert after["assessment"] == "Improving cervicalgia."
    assert [a["text"] for a in after["amendments"]] == ["Also mild thoracic hypomobility."]


def test_an_unsigned_visit_is_edited_not_amended(chiropractor_client, visit_payload):
    visit = log(chiropractor_client, visit_payload)

    response = chiropractor_client.post(
        f"{VISITS}{visit['id']}/amendments/", {"text": "x", "reason": "y"}
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "visit_not_signed"


def test_only_the_treating_chiropractor_signs(visit_payload, chiropractor_client, clinic):
    visit = log(chiropractor_client, visit_payload)
    colleague = client_for(UserFactory(clinic=clinic, role="chiropractor"))

    response = colleague.post(f"{VISITS}{visit['id']}/sign/")

    assert response.status_code == 403
    assert Visit.objects.get(pk=visit["id"]).status == "draft"


def test_an_unsigned_visit_is_discarded_not_deleted(chiropractor_client, visit_payload, patient):
    visit = log(chiropractor_client, visit_payload)

    response = chiropractor_client.delete(f"{VISITS}{visit['id']}/")

    assert response.status_code == 204
    assert Visit.objects.get(pk=visit["id"]).status == "entered-in-error"
    assert chiropractor_client.get(VISITS).json()["results"] == []
    patient.refresh_from_db()
    assert patient.last_visit_at is None
    # The pain reading it fed is kept, marked entered in error, and gone from the series.
    assert list(
        OutcomeMeasure.objects.filter(patient=patient).values_list("status", flat=True)
    ) == ["entered-in-error"]
    outcomes = chiropractor_client.get(f"/api/v1/patients/{patient.id}/outcomes/").json()
    assert outcomes["results"] == []


def test_front_desk_sees_that_a_visit_happened_and_its_billing(
    front_desk_client, chiropractor_client, visit_payload
):
    visit = log(chiropractor_client, visit_payload)

    seen = front_desk_client.get(f"{VISITS}{visit['id']}/").json()

    assert set(seen) == {
        "id",
        "patient",
        "chiropractor",
        "plan",
        "visit_at",
        "status",
        "signed_by",
        "signed_at",
        "coding",
        "created_by",
        "created_at",
        "updated_at",
        "version",
    }
    assert seen["coding"]["lines"] == visit["coding"]["lines"]
    assert seen["coding"]["diagnoses"] == visit["coding"]["diagnoses"]
    assert seen["coding"]["warnings"] == []  # they name findings and treated regions
    assert front_desk_client.get(f"{VISITS}{visit['id']}/coding/").json() == seen["coding"]
    assert front_desk_client.post(VISITS, visit_payload).status_code == 403


def test_clinic_admin_reads_visits_but_does_not_log_them(
    clinic_admin_client, chiropractor_client, visit_payload
):
    visit = log(chiropractor_client, visit_payload)

    assert clinic_admin_client.get(f"{VISITS}{visit['id']}/").json()["subjective"]
    assert clinic_admin_client.post(VISITS, visit_payload).status_code == 403
    assert clinic_admin_client.post(f"{VISITS}{visit['id']}/sign/").status_code == 403


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("get", "", None),
        ("patch", "", {"assessment": "x"}),
        ("delete", "", None),
        ("post", "sign/", None),
        ("get", "coding/", None),
    ],
)
def test_another_clinics_visit_is_not_found(
    chiropractor_client, other_clinic, method, suffix, payload
):
    doctor = UserFactory(clinic=other_clinic, role="chiropractor")
    theirs = log(
        client_for(doctor),
        {
            "patient": str(PatientFactory(clinic=other_clinic).id),
            "visit_at": an_hour_ago(),
            "assessment": "theirs",
        },
    )

    response = getattr(chiropractor_client, method)(f"{VISITS}{theirs['id']}/{suffix}", payload)

    assert response.status_code == 404
    assert Visit.objects.get(pk=theirs["id"]).assessment == "theirs"


def test_visits_are_filtered(chiropractor_client, visit_payload, active_plan):
    first = log(chiropractor_client, visit_payload)
    log(
        chiropractor_client,
        {**visit_payload, "visit_at": (timezone.now() - datetime.timedelta(days=3)).isoformat()},
    )
    chiropractor_client.post(f"{VISITS}{first['id']}/sign/")

    def count(**params) -> int:
        return len(chiropractor_client.get(VISITS, params).json()["results"])

    assert count(signed="true") == 1
    assert count(signed="false") == 1
    assert count(plan=active_plan["id"]) == 2
    assert count(visit_after=(timezone.now() - datetime.timedelta(days=1)).isoformat()) == 1


def test_listing_5_or_50_visits_with_items_and_billing_costs_the_same(
    chiropractor_client, visit_payload
):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert chiropractor_client.get(VISITS, {"page_size": 100}).status_code == 200
        return len(queries)

    for _ in range(5):
        log(chiropractor_client, visit_payload)
    with_five = count_queries()
    for _ in range(45):
        log(chiropractor_client, visit_payload)

    assert count_queries() == with_five


def test_a_signed_visit_keeps_its_billing_when_the_plan_changes_later(
    chiropractor_client, visit_payload, active_plan, neck_pain
):
    visit = log(chiropractor_client, visit_payload)
    signed = chiropractor_client.post(f"{VISITS}{visit['id']}/sign/").json()

    chiropractor_client.patch(
        f"{PLANS}{active_plan['id']}/", {"phase": "maintenance", "conditions": [str(neck_pain.id)]}
    )

    assert chiropractor_client.get(f"{VISITS}{visit['id']}/coding/").json() == signed["coding"]
    assert signed["coding"]["lines"][0]["modifiers"] == ["AT"]


def test_a_diagnosis_entered_in_error_is_not_billed(
    chiropractor_client, visit_payload, subluxation
):
    chiropractor_client.delete(
        f"/api/v1/patients/{subluxation.patient_id}/conditions/{subluxation.id}/"
    )

    visit = log(chiropractor_client, visit_payload)

    assert visit["coding"]["diagnoses"] == ["M54.2"]
    assert "cmt_without_subluxation" in [w["code"] for w in visit["coding"]["warnings"]]


def test_moving_a_visit_to_no_plan_without_resending_planned_items_is_refused(
    chiropractor_client, visit_payload
):
    visit = log(chiropractor_client, visit_payload)

    response = chiropractor_client.patch(f"{VISITS}{visit['id']}/", {"plan": None})

    assert response.status_code == 400
    assert {e["code"] for e in response.json()["errors"]} == {"not_in_plan"}
    assert Visit.objects.get(pk=visit["id"]).plan_id is not None


def test_a_draft_stays_editable_after_its_plan_is_put_on_hold(
    chiropractor_client, visit_payload, active_plan
):
    visit = log(chiropractor_client, visit_payload)
    chiropractor_client.post(f"{PLANS}{active_plan['id']}/hold/")

    response = chiropractor_client.patch(f"{VISITS}{visit['id']}/", {"assessment": "typo fixed"})

    assert response.status_code == 200


def test_a_visit_before_the_plan_started_is_refused(chiropractor_client, visit_payload):
    response = chiropractor_client.post(
        VISITS, {**visit_payload, "visit_at": "2026-10-01T10:00:00Z"}
    )

    assert ("visit_at", "before_plan_start") in errors(response)


def test_a_time_filter_with_an_extreme_offset_is_not_a_server_error(chiropractor_client, db):
    response = chiropractor_client.get(VISITS, {"visit_after": "2000-01-01T00:00:00+16:00"})

    assert response.status_code == 200


def test_findings_and_work_replaced_on_a_draft_are_kept_marked_removed(
    chiropractor_client, visit_payload
):
    visit = log(chiropractor_client, visit_payload)

    response = chiropractor_client.patch(
        f"{VISITS}{visit['id']}/",
        {"findings": [{"region": "lumbar", "pain": True, "tissue": True}], "adjustments": []},
    )

    assert response.status_code == 200
    assert [f["region"] for f in response.json()["findings"]] == ["lumbar"]
    assert response.json()["adjustments"] == []
    findings = PartFinding.all_rows.filter(visit_id=visit["id"])
    assert sorted((f.region, f.removed_at is None) for f in findings) == [
        ("cervical", False),
        ("lumbar", True),
        ("thoracic", False),
    ]
    assert PerformedAdjustment.all_rows.filter(visit_id=visit["id"]).exclude(
        removed_at=None
    ).count() == len(visit["adjustments"])


def test_a_draft_is_changed_only_by_its_chiropractor_or_a_clinic_admin(
    chiropractor_client, clinic_admin_client, clinic, visit_payload
):
    visit = log(chiropractor_client, visit_payload)
    colleague = client_for(UserFactory(clinic=clinic, role="chiropractor"))
    url = f"{VISITS}{visit['id']}/"

    refused = [
        colleague.patch(url, {"assessment": "Rewritten by a colleague."}),
        colleague.delete(url),
        colleague.post(f"{url}sign/"),
    ]
    corrected = clinic_admin_client.patch(url, {"plan_note": "Book the re-exam."})

    assert [r.status_code for r in refused] == [403, 403, 403]
    assert corrected.status_code == 200
    assert corrected.json()["plan_note"] == "Book the re-exam."
    assert Visit.objects.get(pk=visit["id"]).assessment == visit_payload["assessment"]


def test_a_planned_item_alone_fills_what_was_done_from_the_plan(chiropractor_client, active_plan):
    adjustment, soft_tissue, exercise = (
        active_plan["adjustments"][0],
        active_plan["soft_tissue"][0],
        active_plan["exercises"][0],
    )
    visit = log(
        chiropractor_client,
        {
            "patient": active_plan["patient"],
            "plan": active_plan["id"],
            "visit_at": an_hour_ago(),
            "adjustments": [{"planned_item": adjustment["id"]}],
            "soft_tissue": [{"planned_item": soft_tissue["id"]}],
            "exercises": [{"planned_item": exercise["id"], "minutes": 10}],
        },
    )

    done = visit["adjustments"][0]
    assert (done["segment"], done["listing"], done["technique"]) == ("C5", "PRS", "diversified")
    assert done["unplanned"] is False and done["deviations"] == []
    tissue = visit["soft_tissue"][0]
    assert tissue["modality"] == "myofascial_release" and tissue["minutes"] == 8
    assert tissue["muscles"] == ["upper_trapezius", "levator_scapulae"]
    assert visit["exercises"][0]["exercise"] == "chin_tuck"
    assert (visit["exercises"][0]["sets"], visit["exercises"][0]["repetitions"]) == (2, 10)


def test_performing_a_planned_item_on_another_segment_is_flagged(chiropractor_client, active_plan):
    visit = log(
        chiropractor_client,
        {
            "patient": active_plan["patient"],
            "plan": active_plan["id"],
            "visit_at": an_hour_ago(),
            "adjustments": [
                {"planned_item": active_plan["adjustments"][0]["id"], "segment": "C6"},
            ],
        },
    )

    assert visit["adjustments"][0]["segment"] == "C6"
    assert visit["adjustments"][0]["deviations"] == ["segment"]


def test_without_a_planned_item_what_was_done_must_be_said(chiropractor_client, active_plan):
    response = chiropractor_client.post(
        VISITS,
        {
            "patient": active_plan["patient"],
            "visit_at": an_hour_ago(),
            "adjustments": [{"listing": "PRS"}],
        },
    )

    assert response.status_code == 400
    assert {(e["attr"], e["code"]) for e in response.json()["errors"]} == {
        ("adjustments.0.segment", "required"),
        ("adjustments.0.technique", "required"),
    }


# The writes that once deleted clinical rows keep them: a draft visit's edits, its discarding,
# a plan's conditions changed. No clinical table ever loses a row.
def test_editing_and_discarding_a_draft_visit_keeps_every_row(
    chiropractor_client, visit_payload, neck_pain
):
    counts = row_counts()
    visit = chiropractor_client.post(VISITS, visit_payload).json()
    steps = [
        ("patch", f"{VISITS}{visit['id']}/", {"findings": [{"region": "lumbar", "pain": True}]}),
        (
            "patch",
            f"{VISITS}{visit['id']}/",
            {"adjustments": [{"segment": "L4", "technique": "diversified"}]},
        ),
        ("patch", f"{VISITS}{visit['id']}/", {"pain_before": 2}),
        ("patch", f"{VISITS}{visit['id']}/", {"pain_before": None}),
        ("delete", f"{VISITS}{visit['id']}/", None),
    ]
    for method, url, body in steps:
        response = getattr(chiropractor_client, method)(url, body)
        assert response.status_code in (200, 204), (method, body, response.content[:300])
        after = row_counts()
        assert decreased(counts, after) == {}, (method, body)
        counts = after

    # The superseded findings are kept, marked; the NRS reading is kept, entered in error.
    assert PartFinding.all_rows.filter(visit_id=visit["id"], removed_at__isnull=False).exists()
    reading = OutcomeMeasure.objects.get(visit_id=visit["id"])
    assert reading.status == OutcomeStatus.ENTERED_IN_ERROR


def test_changing_a_plans_conditions_ends_links_without_deleting_them(
    chiropractor_client, active_plan, neck_pain
):
    counts = row_counts()

    response = chiropractor_client.patch(
        f"/api/v1/treatment-plans/{active_plan['id']}/", {"conditions": [str(neck_pain.id)]}
    )

    assert response.status_code == 200, response.content[:300]
    assert decreased(counts, row_counts()) == {}


def test_a_visits_patient_cannot_change_and_is_not_silently_ignored(
    chiropractor_client, visit_payload
):
    visit = chiropractor_client.post(VISITS, visit_payload).json()
    url = f"{VISITS}{visit['id']}/"

    same = chiropractor_client.patch(url, {"patient": visit["patient"], "pain_after": 2})
    other = chiropractor_client.patch(url, {"patient": "g3e70682-c209-1cac-a29f-6fbed82c07cd"})

    assert same.status_code == 200
    assert other.status_code == 400
    assert other.json()["errors"] == [
        {
            "code": "immutable",
            "detail": "A visit's patient cannot change; log the visit anew.",
            "attr": "patient",
        }
    ]


def test_a_visits_references_cost_the_same_queries_however_many_items_name_them(
    chiropractor_client, visit_payload, active_plan
):
    """Items of a list that name planned items, techniques or exercises are looked up
    together: the statements of a visit do not grow with its items."""

    def count_queries(adjustments: list[dict]) -> int:
        with CaptureQueriesContext(connection) as queries:
            log(chiropractor_client, {**visit_payload, "adjustments": adjustments})
        return len(queries)

    planned = [item["id"] for item in active_plan["adjustments"]]
    two = count_queries(
        [
            {"planned_item": planned[0], "technique": "diversified"},
            {"planned_item": planned[1], "technique": "activator"},
        ]
    )
    three = count_queries(
        [
            {"planned_item": planned[0], "technique": "diversified"},
            {"planned_item": planned[1], "technique": "activator"},
            {"planned_item": planned[2], "technique": "mobilisation"},
        ]
    )

    assert three == two


@pytest.fixture
def other_clinic_plan_adjustment_id(other_clinic) -> str:
    chiropractor = UserFactory(clinic=other_clinic, role=Role.CHIROPRACTOR, username="dr.other")
    patient = PatientFactory(clinic=other_clinic)
    plan = {
        "patient": str(patient.id),
        "conditions": [str(ConditionFactory(patient=patient).id)],
        "phase": "relief",
        "start_date": "2026-11-02",
        "visits_per_week": 2,
        "weeks": 2,
        "adjustments": [{"segment": "C5", "technique": "diversified"}],
    }
    response = client_for(chiropractor).post(PLANS, plan)
    assert response.status_code == 201, response.json()
    return response.json()["adjustments"][0]["id"]


def test_a_planned_item_looked_up_with_others_is_still_refused_when_not_of_the_clinic(
    chiropractor_client, visit_payload, active_plan, other_clinic_plan_adjustment_id
):
    planned = active_plan["adjustments"][0]["id"]
    response = chiropractor_client.post(
        VISITS,
        {
            **visit_payload,
            "adjustments": [
                {"planned_item": planned},
                {"planned_item": other_clinic_plan_adjustment_id},
                {"planned_item": "not-a-uuid"},
                {"planned_item": planned.upper()},
            ],
        },
    )

    assert response.status_code == 400
    assert errors(response) == {
        ("adjustments.1.planned_item", "does_not_exist"),
        ("adjustments.2.planned_item", "invalid"),
    }
