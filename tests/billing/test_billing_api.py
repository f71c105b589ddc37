"""Billing over HTTP: coverage, cases, coding status, payer rules, corrections, claim data,
the superbill and statements."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from billing.models import CodingCorrection, Coverage
from patients.services import clinic_today
from tests.billing.conftest import (
    CASES,
    COVERAGES,
    FEES,
    MEDICARE,
    VISITS,
    hours_ago,
    lines_of,
    log_visit,
    visit_body,
)
from tests.factories import PatientFactory
from treatments.models import Visit


def errors(response) -> set[tuple[str, str]]:
    assert response.status_code == 400, response.json()
    return {(e["attr"], e["code"]) for e in response.json()["errors"]}


@pytest.fixture
def medicare(front_desk_client, patient) -> dict:
    response = front_desk_client.post(COVERAGES, {**MEDICARE, "patient": str(patient.id)})
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def fees(clinic_admin_client) -> dict:
    made = {}
    for cpt, modifier, charge in [
        ("98940", "", "55.00"),
        ("97110", "", "40.00"),
        ("97124", "", "35.00"),
        ("97124", "59", "38.00"),
    ]:
        response = clinic_admin_client.post(
            FEES,
            {"cpt": cpt, "modifier": modifier, "charge": charge, "effective_from": "2026-01-01"},
        )
        assert response.status_code == 201, response.json()
        made[(cpt, modifier)] = response.json()
    return made


@pytest.fixture
def npis(clinic, chiropractor):
    chiropractor.npi = "1234567893"
    chiropractor.save()
    clinic.npi, clinic.tax_id = "1245319599", "12-3456789"
    clinic.address, clinic.phone = "12 Spine Street, Springfield, IL 62701", "+1 217 555 0100"
    clinic.save()


# Coverage and cases ------------------------------------------------------------------------


def test_the_desk_records_coverage_and_bad_shapes_are_refused(front_desk_client, patient):
    assert errors(
        front_desk_client.post(COVERAGES, {**MEDICARE, "patient": str(patient.id), "member_id": ""})
    ) == {("member_id", "required")}
    assert ("member_id", "invalid_identifier") in errors(
        front_desk_client.post(
            COVERAGES, {**MEDICARE, "patient": str(patient.id), "member_id": "1EG4 TE5;"}
        )
    )
    assert ("ends_on", "ends_before_start") in {
        (e["attr"] or "ends_on", e["code"])
        for e in front_desk_client.post(
            COVERAGES, {**MEDICARE, "patient": str(patient.id), "ends_on": "2025-12-31"}
        ).json()["errors"]
    }
    self_pay = front_desk_client.post(
        COVERAGES,
        {
            "patient": str(patient.id),
            "payer_name": "Self",
            "payer_type": "self_pay",
            "starts_on": "2026-01-01",
        },
    )
    assert self_pay.status_code == 201, self_pay.json()


def test_a_subscribers_birth_date_lies_in_a_lifetime(front_desk_client, patient, medicare):
    spouse = {
        **MEDICARE,
        "patient": str(patient.id),
        "subscriber_relationship": "spouse",
        "subscriber_name": "Sam Ruiz",
    }
    future = front_desk_client.post(COVERAGES, {**spouse, "subscriber_birth_date": "2999-12-31"})
    ancient = front_desk_client.post(COVERAGES, {**spouse, "subscriber_birth_date": "1850-01-01"})
    changed = front_desk_client.patch(
        f"{COVERAGES}{medicare['id']}/",
        {"subscriber_birth_date": "2999-12-31"},
        HTTP_IF_MATCH=front_desk_client.get(f"{COVERAGES}{medicare['id']}/")["ETag"],
    )

    assert errors(future) == {("subscriber_birth_date", "future_date")}
    assert errors(ancient) == {("subscriber_birth_date", "too_old")}
    assert errors(changed) == {("subscriber_birth_date", "future_date")}
    accepted = front_desk_client.post(COVERAGES, {**spouse, "subscriber_birth_date": "1961-04-02"})
    assert accepted.status_code == 201, accepted.json()


def test_coverage_is_archived_not_deleted_and_other_clinics_see_nothing(
    front_desk_client, other_admin_client, medicare
):
    url = f"{COVERAGES}{medicare['id']}/"
    assert other_admin_client.get(url).status_code == 404
    assert front_desk_client.delete(url).status_code == 204
    assert front_desk_client.get(url).status_code == 404
    assert Coverage.objects.get(pk=medicare["id"]).archived_at is not None


def test_a_case_counts_the_signed_visits_it_authorised(
    chiropractor_client, front_desk_client, billed_plan, medicare, patient
):
    case = front_desk_client.post(
        CASES,
        {
            "patient": str(patient.id),
            "coverage": medicare["id"],
            "plan": billed_plan["id"],
            "title": "Neck, 2026",
            "authorisation_number": "AUTH-1",
            "authorised_visits": 2,
            "authorised_from": "2026-01-01",
            "authorised_to": "2027-12-31",
        },
    )
    assert case.status_code == 201, case.json()
    assert (case.json()["visits_used"], case.json()["visits_left"]) == (0, 2)
    for hours in (72, 48, 24):
        log_visit(
            chiropractor_client,
            billed_plan,
            str(patient.id),
            sign=True,
            visit_at=hours_ago(hours),
        )
    read = front_desk_client.get(f"{CASES}{case.json()['id']}/").json()
    assert (read["visits_used"], read["visits_left"]) == (3, 0)
    third = Visit.objects.filter(plan_id=billed_plan["id"]).order_by("visit_at").last()
    coding = chiropractor_client.get(f"{VISITS}{third.pk}/coding/").json()
    assert "beyond_authorisation" in [w["code"] for w in coding["warnings"]]
    assert coding["case"] == case.json()["id"]
    progress = chiropractor_client.get(
        f"/api/v1/treatment-plans/{billed_plan['id']}/progress/"
    ).json()
    assert progress["authorisation"]["visits_left"] == 0


def test_a_case_takes_a_coverage_of_its_own_patient(front_desk_client, clinic, medicare):
    other = PatientFactory(clinic=clinic)
    assert errors(
        front_desk_client.post(
            CASES, {"patient": str(other.id), "coverage": medicare["id"], "title": "Wrong"}
        )
    ) == {("coverage", "other_patient")}


def test_npis_are_checked(clinic_admin_client, chiropractor):
    url = f"/api/v1/staff/{chiropractor.id}/"
    assert errors(clinic_admin_client.patch(url, {"npi": "1234567890"})) == {("npi", "invalid_npi")}
    assert ("npi", "min_length") in errors(clinic_admin_client.patch(url, {"npi": "12345"}))
    assert clinic_admin_client.patch(url, {"npi": "1234567893"}).json()["npi"] == "1234567893"
    assert errors(clinic_admin_client.patch("/api/v1/clinic/", {"tax_id": "123456789"})) == {
        ("tax_id", "invalid_tax_id")
    }


# Coding status and payer rules -------------------------------------------------------------


def test_coding_says_draft_final_or_void(chiropractor_client, billed_plan, patient):
    draft = log_visit(chiropractor_client, billed_plan, str(patient.id))
    assert draft["coding"]["status"] == "draft"
    signed = log_visit(chiropractor_client, billed_plan, str(patient.id), sign=True)
    assert signed["coding"]["status"] == "final"
    assert chiropractor_client.get(f"{VISITS}{signed['id']}/coding/").json()["status"] == "final"
    assert chiropractor_client.delete(f"{VISITS}{draft['id']}/").status_code == 204
    void = chiropractor_client.get(f"{VISITS}{draft['id']}/coding/").json()
    assert (void["status"], void["lines"], void["diagnoses"]) == ("void", [], [])


def test_a_visit_outside_a_plan_bills_the_patients_conditions(
    chiropractor_client, patient, neck_pain, subluxation
):
    visit = log_visit(chiropractor_client, None, str(patient.id))
    assert visit["coding"]["diagnoses"] == ["M99.01", "M54.2"]
    assert visit["coding"]["lines"][0]["diagnosis_pointers"] == ["A", "B"]
    assert visit["coding"]["lines"][0]["diagnosis_codes"] == ["M99.01", "M54.2"]


def test_medicare_rules_follow_the_patients_coverage(
    chiropractor_client, billed_plan, patient, medicare
):
    visit = log_visit(
        chiropractor_client,
        billed_plan,
        str(patient.id),
        soft_tissue=[{"modality": "swedish_massage", "muscles": ["erector_spinae"], "minutes": 15}],
    )
    coding = chiropractor_client.get(f"{VISITS}{visit['id']}/coding/").json()
    assert coding["payer_type"] == "medicare"
    assert coding["coverage"] == medicare["id"]
    assert lines_of(coding) == [("98940", 1, ["AT"]), ("97124", 1, ["59", "GP", "GY"])]
    massage = coding["lines"][1]
    assert massage["diagnosis_codes"] == ["M54.50"]
    assert massage["diagnosis_pointers"] == ["ABCDEFGHIJKL"[coding["diagnoses"].index("M54.50")]]
    assert "not_covered_for_chiropractors" in [w["code"] for w in coding["warnings"]]


def test_the_front_desk_sees_lines_but_no_warnings(
    chiropractor_client, front_desk_client, billed_plan, patient
):
    visit = log_visit(chiropractor_client, billed_plan, str(patient.id))
    coding = front_desk_client.get(f"{VISITS}{visit['id']}/coding/").json()
    assert coding["lines"] and coding["warnings"] == []


def test_timed_minutes_that_earn_no_unit_are_explained(
    chiropractor_client, front_desk_client, billed_plan, patient
):
    # 12 + 8 = 20 timed minutes bill one unit (8-minute rule), given to the 12 minutes.
    visit = log_visit(
        chiropractor_client,
        billed_plan,
        str(patient.id),
        adjustments=[],
        soft_tissue=[
            {"modality": "myofascial_release", "muscles": ["upper_trapezius"], "minutes": 12}
        ],
        exercises=[{"exercise": "chin_tuck", "sets": 2, "repetitions": 10, "minutes": 8}],
    )
    coding = front_desk_client.get(f"{VISITS}{visit['id']}/coding/").json()
    assert lines_of(coding) == [("97140", 1, [])]
    timed = coding["timed_minutes"]
    assert (timed["total"], timed["units"], timed["bundled"]) == (20, 1, 0)
    assert [
        (share["cpt"], share["minutes"], share["units"], share["reason"])
        for share in timed["services"]
    ] == [("97140", 12, 1, "remainder_unit"), ("97110", 8, 0, "remainder_to_another")]
    assert "8 minutes left over earned none" in timed["services"][1]["explanation"]
    # Signing freezes the summary with the lines.
    signed = chiropractor_client.post(f"{VISITS}{visit['id']}/sign/").json()
    assert signed["coding"]["timed_minutes"] == timed


def test_bundled_minutes_are_counted_apart(chiropractor_client, billed_plan, patient):
    visit = log_visit(
        chiropractor_client,
        billed_plan,
        str(patient.id),
        soft_tissue=[
            {"modality": "myofascial_release", "muscles": ["upper_trapezius"], "minutes": 10}
        ],
    )
    timed = chiropractor_client.get(f"{VISITS}{visit['id']}/coding/").json()["timed_minutes"]
    assert (timed["total"], timed["units"], timed["bundled"]) == (0, 0, 10)
    assert [(s["cpt"], s["units"], s["reason"]) for s in timed["services"]] == [
        ("97140", 0, "bundled_with_cmt")
    ]


def test_a_timed_service_bills_in_the_region_recorded_on_it(
    chiropractor_client, billed_plan, patient
):
    # Bird-dog is a lumbar exercise; done for the neck's proprioception, it says so.
    def exercise(**region) -> dict:
        visit = log_visit(
            chiropractor_client,
            billed_plan,
            str(patient.id),
            adjustments=[],
            exercises=[
                {"exercise": "bird_dog", "sets": 2, "repetitions": 10, "minutes": 15, **region}
            ],
        )
        [line] = visit["coding"]["lines"]
        return visit, line

    visit, line = exercise(body_region="cervical")
    assert visit["exercises"][0]["body_region"] == "cervical"
    assert (line["cpt"], line["regions"]) == ("97112", ["cervical"])
    assert line["diagnosis_codes"][0] == "M54.2"
    _, line = exercise()
    assert (line["regions"], line["diagnosis_codes"]) == (["lumbar"], ["M54.50"])


def test_ncci_bundling_reads_the_region_recorded_on_the_service(
    chiropractor_client, billed_plan, patient
):
    # Upper trapezius work beside a cervical CMT is bundled, unless it treated the back.
    def trapezius(**region) -> list:
        soft_tissue = {
            "modality": "myofascial_release",
            "muscles": ["upper_trapezius"],
            "minutes": 15,
            **region,
        }
        visit = log_visit(
            chiropractor_client, billed_plan, str(patient.id), soft_tissue=[soft_tissue]
        )
        return lines_of(visit["coding"])

    assert trapezius() == [("98940", 1, ["AT"])]
    assert trapezius(body_region="thoracic") == [("98940", 1, ["AT"]), ("97140", 1, ["59"])]
    refused = chiropractor_client.post(
        VISITS,
        visit_body(
            billed_plan,
            str(patient.id),
            soft_tissue=[
                {
                    "modality": "iastm",
                    "muscles": ["upper_trapezius"],
                    "minutes": 5,
                    "body_region": "neck",
                }
            ],
        ),
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "soft_tissue.0.body_region"


# Corrections ------------------------------------------------------------------------------


def test_a_signed_visits_coding_is_corrected_and_the_earlier_one_kept(
    chiropractor_client, billed_plan, patient
):
    visit = log_visit(
        chiropractor_client,
        billed_plan,
        str(patient.id),
        sign=True,
        exercises=[{"exercise": "chin_tuck", "sets": 2, "repetitions": 10, "minutes": 10}],
    )
    assert lines_of(visit["coding"]) == [("98940", 1, ["AT"]), ("97110", 1, [])]
    url = f"{VISITS}{visit['id']}/coding-corrections/"
    response = chiropractor_client.post(
        url,
        {
            "reason": "Exercise took 25 minutes, not 10.",
            "exercises": [{"exercise": "chin_tuck", "sets": 2, "repetitions": 10, "minutes": 25}],
        },
    )
    assert response.status_code == 201, response.json()
    correction = response.json()
    assert lines_of(correction["coding_before"]) == [("98940", 1, ["AT"]), ("97110", 1, [])]
    assert lines_of(correction["coding_after"]) == [("98940", 1, ["AT"]), ("97110", 2, [])]
    coding = chiropractor_client.get(f"{VISITS}{visit['id']}/coding/").json()
    assert (coding["status"], lines_of(coding)[1]) == ("final", ("97110", 2, []))
    assert [c["reason"] for c in chiropractor_client.get(url).json()] == [
        "Exercise took 25 minutes, not 10."
    ]
    history = chiropractor_client.get(f"{VISITS}{visit['id']}/history/").json()["results"]
    earlier = [version["values"].get("signed_coding") for version in history]
    assert any(
        doc
        and [(line["cpt"], line["units"]) for line in doc["lines"]] == [("98940", 1), ("97110", 1)]
        for doc in earlier
    )


def test_corrections_are_for_signed_visits_by_clinicians(
    chiropractor_client, front_desk_client, billed_plan, patient
):
    draft = log_visit(chiropractor_client, billed_plan, str(patient.id))
    body = {"reason": "Wrong minutes", "exercises": []}
    response = chiropractor_client.post(f"{VISITS}{draft['id']}/coding-corrections/", body)
    assert (response.status_code, response.json()["errors"][0]["code"]) == (409, "visit_not_signed")
    signed = log_visit(chiropractor_client, billed_plan, str(patient.id), sign=True)
    url = f"{VISITS}{signed['id']}/coding-corrections/"
    assert front_desk_client.post(url, body).status_code == 403
    assert errors(chiropractor_client.post(url, {"reason": "Nothing"})) == {
        ("non_field_errors", "nothing_to_correct")
    }
    assert CodingCorrection.objects.count() == 0


# Fees, claim data, superbill, statement ---------------------------------------------------


def test_fees_may_not_overlap(clinic_admin_client, fees, front_desk_client):
    again = clinic_admin_client.post(
        FEES, {"cpt": "98940", "charge": "60.00", "effective_from": "2026-06-01"}
    )
    assert ("effective_from", "fee_overlaps") in errors(again)
    assert (
        front_desk_client.post(
            FEES, {"cpt": "98941", "charge": "60.00", "effective_from": "2026-06-01"}
        ).status_code
        == 403
    )


def test_claim_data_fills_the_cms_1500_from_the_fee_schedule(
    chiropractor_client, front_desk_client, billed_plan, patient, medicare, fees, npis
):
    visit = log_visit(
        chiropractor_client,
        billed_plan,
        str(patient.id),
        sign=True,
        soft_tissue=[{"modality": "swedish_massage", "muscles": ["erector_spinae"], "minutes": 15}],
    )
    claim = front_desk_client.get(f"{VISITS}{visit['id']}/claim/").json()
    assert claim["ready"] is True, claim["problems"]
    assert claim["initial_treatment_date"] == billed_plan["start_date"]
    assert [(d["letter"], d["code"]) for d in claim["diagnoses"]] == [
        ("A", "M99.01"),
        ("B", "M54.2"),
        ("C", "M54.50"),
    ]
    lines = [
        (line["cpt"], line["modifiers"], line["diagnosis_pointers"], line["units"], line["charge"])
        for line in claim["lines"]
    ]
    assert lines == [
        ("98940", ["AT"], ["A", "B"], 1, "55.00"),
        ("97124", ["59", "GP", "GY"], ["C"], 1, "38.00"),
    ]
    assert [line["diagnosis_codes"] for line in claim["lines"]] == [["M99.01", "M54.2"], ["M54.50"]]
    assert claim["total_charge"] == "93.00"
    assert {line["place_of_service"] for line in claim["lines"]} == {"11"}
    assert {line["rendering_npi"] for line in claim["lines"]} == {"1234567893"}
    assert claim["insured"]["member_id"] == MEDICARE["member_id"]
    assert claim["billing_provider"]["tax_id"] == "12-3456789"


def test_a_claim_lists_what_keeps_it_from_being_sent(
    chiropractor_client, front_desk_client, billed_plan, patient
):
    visit = log_visit(chiropractor_client, billed_plan, str(patient.id))
    claim = front_desk_client.get(f"{VISITS}{visit['id']}/claim/").json()
    assert claim["ready"] is False
    assert {p["code"] for p in claim["problems"]} >= {
        "visit_not_signed",
        "no_coverage",
        "no_fee",
        "no_rendering_npi",
        "no_billing_npi",
        "no_tax_id",
    }


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_superbill_is_a_pdf_with_the_lines_and_total(
    chiropractor_client, front_desk_client, billed_plan, patient, fees, npis, clinic
):
    visit = log_visit(
        chiropractor_client,
        billed_plan,
        str(patient.id),
        sign=True,
        exercises=[{"exercise": "chin_tuck", "sets": 2, "repetitions": 10, "minutes": 15}],
    )
    response = front_desk_client.get(
        f"{VISITS}{visit['id']}/superbill/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (clinic.name, "Superbill", patient.family_name, "M99.01", "98940", "97110"):
        assert expected in text
    assert "$95.00" in text  # 55.00 + 40.00
    assert Decimal("95.00") == Decimal(
        front_desk_client.get(f"{VISITS}{visit['id']}/claim/").json()["total_charge"]
    )


def test_a_superbill_of_another_clinics_visit_is_a_json_404(
    chiropractor_client, other_admin_client, billed_plan, patient
):
    visit = log_visit(chiropractor_client, billed_plan, str(patient.id), sign=True)
    response = other_admin_client.get(
        f"{VISITS}{visit['id']}/superbill/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_a_statement_adds_up_the_signed_visits_of_a_range(
    chiropractor_client, front_desk_client, billed_plan, patient, fees
):
    for hours in (30, 5):
        log_visit(
            chiropractor_client, billed_plan, str(patient.id), sign=True, visit_at=hours_ago(hours)
        )
    log_visit(chiropractor_client, billed_plan, str(patient.id))  # a draft is not charged
    url = f"/api/v1/patients/{patient.id}/statement/"
    today = timezone.now().date()
    params = {"date_from": str(today - datetime.timedelta(days=3)), "date_to": str(today)}
    statement = front_desk_client.get(url, params).json()
    assert len(statement["visits"]) == 2
    assert statement["total_charge"] == "110.00"
    pdf = front_desk_client.get(url, params, HTTP_ACCEPT="application/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert "$110.00" in pdf_text(pdf.content)
    assert ("date_to", "ends_before_start") in errors(
        front_desk_client.get(url, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    )


def test_the_coverage_list_reads_a_flat_number_of_statements(front_desk_client, clinic):
    def statements() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert front_desk_client.get(COVERAGES).status_code == 200
        return len(captured)

    for n in range(3):
        Coverage.objects.create(
            clinic=clinic,
            patient=PatientFactory(clinic=clinic),
            payer_name="P",
            payer_type="commercial",
            member_id=f"M{n}",
            starts_on="2026-01-01",
        )
    few = statements()
    for n in range(10):
        Coverage.objects.create(
            clinic=clinic,
            patient=PatientFactory(clinic=clinic),
            payer_name="P",
            payer_type="commercial",
            member_id=f"N{n}",
            starts_on="2026-01-01",
        )
    assert statements() == few


def test_a_list_of_visits_reads_their_billing_in_a_flat_number_of_statements(
    chiropractor_client, billed_plan, patient, medicare
):
    def statements() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert chiropractor_client.get(VISITS).status_code == 200
        return len(captured)

    log_visit(chiropractor_client, billed_plan, str(patient.id), sign=True)
    few = statements()
    for _ in range(4):
        log_visit(chiropractor_client, billed_plan, str(patient.id))
    assert statements() == few


def test_booking_beyond_the_authorised_visits_warns(
    chiropractor_client, front_desk_client, billed_plan, patient, medicare, chiropractor
):
    from scheduling.models import AppointmentType

    front_desk_client.post(
        CASES,
        {
            "patient": str(patient.id),
            "coverage": medicare["id"],
            "plan": billed_plan["id"],
            "title": "Neck, 2026",
            "authorised_visits": 1,
        },
    )
    kind = AppointmentType.objects.create(
        clinic_id=chiropractor.clinic_id, name="Visit", duration_minutes=15
    )
    # Working hours are by the clinic's weekday: the start is on the clinic's clock.
    start = timezone.localtime(
        timezone.now() + datetime.timedelta(days=3), ZoneInfo(chiropractor.clinic.time_zone)
    ).replace(minute=0, second=0, microsecond=0)

    def book(offset_days: int) -> dict:
        response = front_desk_client.post(
            "/api/v1/appointments/",
            {
                "patient": str(patient.id),
                "chiropractor": str(chiropractor.id),
                "appointment_type": str(kind.id),
                "plan": billed_plan["id"],
                "start_at": (start + datetime.timedelta(days=offset_days)).isoformat(),
            },
        )
        assert response.status_code == 201, response.json()
        return response.json()

    chiropractor_client.post(
        "/api/v1/working-hours/",
        {
            "chiropractor": str(chiropractor.id),
            "weekday": start.weekday(),
            "start_time": "00:00",
            "end_time": "23:59",
        },
    )
    chiropractor_client.post(
        "/api/v1/working-hours/",
        {
            "chiropractor": str(chiropractor.id),
            "weekday": (start + datetime.timedelta(days=1)).weekday(),
            "start_time": "00:00",
            "end_time": "23:59",
        },
    )
    assert book(0)["warnings"] == []
    second = book(1)
    assert [w["code"] for w in second["warnings"]] == ["beyond_authorisation"]
    assert "visit 2 of 1 authorised" in second["warnings"][0]["message"]
    # A list says it of each appointment: the first is within the authorisation.
    listed = front_desk_client.get("/api/v1/appointments/", {"plan": billed_plan["id"]}).json()
    assert [[w["code"] for w in a["warnings"]] for a in listed["results"]] == [
        [],
        ["beyond_authorisation"],
    ]
    first = front_desk_client.get(f"/api/v1/appointments/{listed['results'][0]['id']}/").json()
    assert first["warnings"] == []


def test_a_case_without_a_plan_bills_the_visits_in_its_dates(
    chiropractor_client, front_desk_client, patient, neck_pain, subluxation, fees, npis
):
    injury = front_desk_client.post(
        COVERAGES,
        {
            "patient": str(patient.id),
            "payer_name": "Harbor Auto Insurance",
            "payer_type": "personal_injury",
            "member_id": "PI-77",
            "starts_on": "2026-01-01",
        },
    ).json()
    case = front_desk_client.post(
        CASES,
        {
            "patient": str(patient.id),
            "coverage": injury["id"],
            "title": "Car accident",
            "claim_number": "CLM-1",
            "authorisation_number": "AUTH-1",
            "authorised_from": "2026-01-01",
            "authorised_to": "2027-12-31",
        },
    ).json()
    visit = log_visit(chiropractor_client, None, str(patient.id), sign=True)
    claim = front_desk_client.get(f"{VISITS}{visit['id']}/claim/").json()
    assert (claim["claim_number"], claim["prior_authorisation"]) == ("CLM-1", "AUTH-1")
    assert claim["insured"]["payer_type"] == "personal_injury"
    assert chiropractor_client.get(f"{VISITS}{visit['id']}/coding/").json()["case"] == case["id"]


def test_a_case_whose_coverage_ended_does_not_bill_it(
    chiropractor_client, front_desk_client, billed_plan, patient
):
    ended = front_desk_client.post(
        COVERAGES,
        {
            **MEDICARE,
            "patient": str(patient.id),
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
        },
    ).json()
    front_desk_client.post(
        CASES,
        {
            "patient": str(patient.id),
            "coverage": ended["id"],
            "plan": billed_plan["id"],
            "title": "Old",
        },
    )
    visit = log_visit(chiropractor_client, billed_plan, str(patient.id), sign=True)
    coding = chiropractor_client.get(f"{VISITS}{visit['id']}/coding/").json()
    assert (coding["payer_type"], coding["case"]) == (None, None)
    claim = front_desk_client.get(f"{VISITS}{visit['id']}/claim/").json()
    assert "no_coverage" in {p["code"] for p in claim["problems"]}


def test_authorised_dates_are_the_clinics_days(
    chiropractor_client, front_desk_client, billed_plan, patient, medicare, clinic
):
    clinic.time_zone = "America/New_York"
    clinic.save()
    visit = log_visit(chiropractor_client, billed_plan, str(patient.id), sign=True)
    local_day = timezone.localtime(
        Visit.objects.get(pk=visit["id"]).visit_at,
        ZoneInfo("America/New_York"),
    ).date()
    case = front_desk_client.post(
        CASES,
        {
            "patient": str(patient.id),
            "coverage": medicare["id"],
            "plan": billed_plan["id"],
            "title": "Neck",
            "authorised_visits": 5,
            "authorised_from": str(local_day),
            "authorised_to": str(local_day),
        },
    ).json()
    assert case["visits_used"] == 1
    progress = chiropractor_client.get(
        f"/api/v1/treatment-plans/{billed_plan['id']}/progress/"
    ).json()
    assert progress["authorisation"]["visits_used"] == 1


def test_the_front_desk_reads_corrections_without_clinical_detail(
    chiropractor_client, front_desk_client, billed_plan, patient
):
    visit = log_visit(chiropractor_client, billed_plan, str(patient.id), sign=True)
    url = f"{VISITS}{visit['id']}/coding-corrections/"
    body = {
        "reason": "Exercise was done.",
        "exercises": [{"exercise": "chin_tuck", "sets": 2, "repetitions": 10, "minutes": 15}],
    }
    assert chiropractor_client.post(url, body).status_code == 201
    [seen] = front_desk_client.get(url).json()
    assert seen["changes"] == {}
    assert seen["coding_after"]["warnings"] == [] and seen["coding_after"]["lines"]
    [clinician] = chiropractor_client.get(url).json()
    assert clinician["changes"]["exercises"][0]["minutes"] == 15


def test_a_draft_has_no_superbill(chiropractor_client, front_desk_client, billed_plan, patient):
    visit = log_visit(chiropractor_client, billed_plan, str(patient.id))
    response = front_desk_client.get(
        f"{VISITS}{visit['id']}/superbill/", HTTP_ACCEPT="application/pdf"
    )
    assert (response.status_code, response.json()["errors"][0]["code"]) == (
        409,
        "visit_not_signed",
    )


def test_a_fee_is_ended_not_repriced(clinic_admin_client, fees):
    url = f"{FEES}{fees[('98940', '')]['id']}/"
    assert errors(clinic_admin_client.patch(url, {"charge": "60.00"})) == {("charge", "immutable")}
    ended = clinic_admin_client.patch(url, {"effective_to": "2026-12-31"})
    assert ended.status_code == 200, ended.json()
    assert (
        clinic_admin_client.post(
            FEES, {"cpt": "98940", "charge": "60.00", "effective_from": "2027-01-01"}
        ).status_code
        == 201
    )


def test_an_npi_is_ten_ascii_digits(clinic_admin_client, chiropractor):
    url = f"/api/v1/staff/{chiropractor.id}/"
    assert errors(clinic_admin_client.patch(url, {"npi": "１２３４５６７８９３"})) == {
        ("npi", "invalid_npi")
    }


# Secondary insurance: the other insured, payments and the crossover claim ------------------

SUPPLEMENT = {
    "payer_name": "Plan G Medicare Supplement",
    "payer_type": "commercial",
    "payer_id": "87726",
    "member_id": "MS-4417-2209",
    "priority": "secondary",
    "starts_on": "2026-01-01",
}


def test_the_secondary_is_billed_after_the_primary_with_its_payment(
    chiropractor_client, front_desk_client, billed_plan, patient, medicare, fees, npis
):
    supplement = front_desk_client.post(COVERAGES, {**SUPPLEMENT, "patient": str(patient.id)})
    assert supplement.status_code == 201, supplement.json()
    visit = log_visit(chiropractor_client, billed_plan, str(patient.id), sign=True)
    claims = f"{VISITS}{visit['id']}/"

    primary = front_desk_client.get(f"{claims}claim/").json()
    assert (primary["payer"], primary["insured"]["payer_name"]) == ("primary", "Medicare Part B")
    assert primary["other_insured"]["payer_name"] == SUPPLEMENT["payer_name"]  # items 9, 9a, 9d
    assert primary["other_insured"]["member_id"] == SUPPLEMENT["member_id"]
    assert primary["other_coverage"] is True  # item 11d
    assert (primary["amount_paid"], primary["balance_due"]) == ("0.00", primary["total_charge"])

    crossover = front_desk_client.get(f"{claims}secondary-claim/").json()
    assert crossover["payer"] == "secondary"
    assert crossover["insured"]["member_id"] == SUPPLEMENT["member_id"]
    assert crossover["other_insured"]["payer_name"] == "Medicare Part B"
    assert crossover["lines"] == primary["lines"]
    assert [p["code"] for p in crossover["problems"]] == ["primary_not_paid"]

    # The desk posts Medicare's remittance: 80 % of the allowed 44.00, the rest adjusted.
    paid = front_desk_client.post(
        f"{claims}claim/payments/",
        {
            "coverage": medicare["id"],
            "paid_on": str(clinic_today(patient.clinic)),
            "paid_amount": "35.20",
            "payer_claim_number": "22126300456000",
            "adjustments": [
                {"group": "CO", "reason": "45", "amount": "11"},
                {"group": "PR", "reason": "2", "amount": "8.80"},
            ],
        },
    )
    assert paid.status_code == 201, paid.json()
    assert paid.json()["adjustments"][0] == {"group": "CO", "reason": "45", "amount": "11.00"}
    crossover = front_desk_client.get(f"{claims}secondary-claim/").json()
    assert crossover["ready"] is True, crossover["problems"]
    assert [p["paid_amount"] for p in crossover["prior_payments"]] == ["35.20"]
    assert crossover["prior_payments"][0]["adjustments"][1]["group"] == "PR"
    assert (crossover["amount_paid"], crossover["balance_due"]) == ("35.20", "19.80")
    listed = front_desk_client.get(f"{claims}claim/payments/").json()
    assert [p["id"] for p in listed] == [paid.json()["id"]]


def test_a_payment_is_refused_what_a_remittance_cannot_say(
    chiropractor_client, front_desk_client, billed_plan, patient, medicare, clinic
):
    visit = log_visit(chiropractor_client, billed_plan, str(patient.id), sign=True)
    url = f"{VISITS}{visit['id']}/claim/payments/"
    good = {
        "coverage": medicare["id"],
        "paid_on": str(clinic_today(patient.clinic)),
        "paid_amount": "10",
    }
    stranger = Coverage.objects.create(
        clinic=clinic,
        patient=PatientFactory(clinic=clinic),
        payer_name="P",
        payer_type="commercial",
        member_id="M1",
        starts_on="2026-01-01",
    )
    for change, expected in [
        ({"coverage": str(stranger.id)}, ("coverage", "coverage_of_another_patient")),
        ({"paid_on": "2020-01-01"}, ("paid_on", "before_service")),
        ({"paid_on": "2999-01-01"}, ("paid_on", "future_date")),
        ({"paid_amount": "-1"}, ("paid_amount", "min_value")),
        (
            {"adjustments": [{"group": "XX", "reason": "45", "amount": "1"}]},
            ("adjustments.0.group", "invalid_choice"),
        ),
        (
            {"adjustments": [{"group": "CO", "reason": "4 5", "amount": "1"}]},
            ("adjustments.0.reason", "invalid"),
        ),
        (
            {"adjustments": [{"group": "CO", "reason": "45", "amount": "1"}] * 21},
            ("adjustments", "max_length"),
        ),
    ]:
        response = front_desk_client.post(url, {**good, **change})
        assert response.status_code == 400, (change, response.json())
        assert expected in errors(response), (change, response.json())
    draft = log_visit(chiropractor_client, billed_plan, str(patient.id))
    unsigned = front_desk_client.post(f"{VISITS}{draft['id']}/claim/payments/", good)
    assert (unsigned.status_code, unsigned.json()["errors"][0]["code"]) == (409, "visit_not_signed")
    assert front_desk_client.get(url).json() == []


def test_without_a_secondary_there_is_no_crossover(
    chiropractor_client, front_desk_client, billed_plan, patient, medicare
):
    visit = log_visit(chiropractor_client, billed_plan, str(patient.id), sign=True)
    claim = front_desk_client.get(f"{VISITS}{visit['id']}/claim/").json()
    assert (claim["other_insured"], claim["other_coverage"]) == (None, False)
    crossover = front_desk_client.get(f"{VISITS}{visit['id']}/secondary-claim/").json()
    assert crossover["insured"] is None
    assert "no_secondary_coverage" in [p["code"] for p in crossover["problems"]]
