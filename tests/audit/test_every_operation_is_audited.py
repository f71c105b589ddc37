"""Every operation of the contract, called by every role, by another clinic's admin and
without a token: each role is allowed or refused as the README's permission table says, and
each call leaves exactly one audit event when it touches PHI (and none otherwise), naming who,
from where, what, which records and how it ended."""

import re
import uuid
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from reminders.models import AppointmentReminder
from scheduling.models import Appointment, AppointmentType
from tests.conftest import client_for
from webhooks.services import endpoint_create as webhook_endpoint_create
from webhooks.services import endpoint_send_test

SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())
OPERATIONS = [
    (path, method, operation["operationId"])
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
    if method in {"get", "post", "put", "patch", "delete"}
]

# Which row of the README's permission table governs an operation (first match wins).
PERMISSION_ROWS = [
    ("log in, log out, who am I, own second factor", r"^\w+ /api/v1/auth/"),
    ("read the clinic's settings", r"^GET /api/v1/clinic/$"),
    ("change the clinic's security settings", r"^PATCH /api/v1/clinic/$"),
    ("open break-glass access to a patient", r"^POST /api/v1/break-glass/$"),
    ("read break-glass grants, end one early", r" /api/v1/break-glass/"),
    ("record history and access logs", r"^GET .*/(history|access-log)/$"),
    ("read and search patients", r"^GET /api/v1/patients/(\{id\}/)?$"),
    (
        "register, change, archive and restore patients",
        r"^(POST /api/v1/patients/|(PUT|PATCH|DELETE) /api/v1/patients/\{id\}/|POST .*/restore/)$",
    ),
    ("conditions", r"/conditions/"),
    ("plan progress and home programme", r"^GET .*/(progress|home-program)/$"),
    ("read treatment plans", r"^GET /api/v1/treatment-plans/(\{id\}/)?$"),
    ("read plan items", r"^GET /api/v1/treatment-plans/\{plan_pk\}/"),
    ("book a plan onto the calendar", r"^POST /api/v1/treatment-plans/\{id\}/schedule/$"),
    (
        "write plans, their items and status moves",
        r"^(POST|PUT|PATCH|DELETE) /api/v1/treatment-plans/",
    ),
    ("coverage and cases", r" /api/v1/(coverages|cases)/"),
    ("read the fee schedule", r"^GET /api/v1/fee-schedule/"),
    ("keep the fee schedule", r" /api/v1/fee-schedule/"),
    (
        "claim data, superbill and statements",
        r"^GET .*/(claim|secondary-claim|superbill|statement)/$",
    ),
    ("payments on a visit's claims", r" .*/claim/payments/$"),
    ("correct a signed visit's coding", r"^POST .*/coding-corrections/$"),
    ("read visits and their coding", r"^GET /api/v1/visits/"),
    ("log a visit", r"^POST /api/v1/visits/$"),
    ("change or discard a draft visit", r"^(PUT|PATCH|DELETE) /api/v1/visits/\{id\}/$"),
    ("sign a visit", r"/sign/$"),
    ("amend a signed visit", r"/amendments/$"),
    ("read outcome measures", r"^GET .*/outcomes/"),
    ("record or discard outcome measures", r"^(POST|DELETE) .*/outcomes/"),
    (
        "the practitioner directory (names, roles, calendar colours)",
        r"^GET /api/v1/practitioners/$",
    ),
    ("staff accounts", r" /api/v1/staff/"),
    ("the audit seals' public key", r"^GET /api/v1/audit-seals/public-key/$"),
    ("audit trail, its export, seals and proofs", r" /api/v1/audit-(events|seals)/"),
    ("the change feed (the front desk's without clinical events)", r"^GET /api/v1/events/$"),
    ("read reference lists", r"^GET /api/v1/reference/"),
    ("read appointment types", r"^GET /api/v1/appointment-types/"),
    ("keep appointment types", r" /api/v1/appointment-types/"),
    ("read working hours and time off", r"^GET /api/v1/(working-hours|schedule-exceptions)/"),
    ("keep working hours and time off", r" /api/v1/(working-hours|schedule-exceptions)/"),
    ("start a visit from an appointment", r"/start-visit/$"),
    ("the waitlist", r" /api/v1/waitlist/"),
    ("read appointment reminders sent, failed or skipped", r"^GET /api/v1/appointment-reminders/"),
    ("your calendar feed", r" /api/v1/calendar-feed/$"),
    ("read a calendar feed by its secret URL", r"^GET /api/v1/calendar-feeds/"),
    ("book, move and close appointments; free times", r" /api/v1/appointments/"),
    ("add clinic techniques and exercises", r"^POST /api/v1/reference/"),
    ("FHIR: the CapabilityStatement", r"^GET /fhir/R4/metadata$"),
    ("FHIR: read and search patients", r"^GET /fhir/R4/Patient"),
    ("FHIR: read and search care plans", r"^GET /fhir/R4/CarePlan"),
    (
        "FHIR: read and search goals and planned interventions",
        r"^GET /fhir/R4/(Goal|ServiceRequest)",
    ),
    ("FHIR: bulk export, its status and files", r" /fhir/R4/(Group/|bulk-)"),
    ("FHIR: read and search conditions", r"^GET /fhir/R4/Condition"),
    ("FHIR: read and search outcome scores", r"^GET /fhir/R4/Observation"),
    ("FHIR: read and search questionnaire answers", r"^GET /fhir/R4/QuestionnaireResponse"),
    ("FHIR: read and search questionnaires", r"^GET /fhir/R4/Questionnaire(/|$)"),
    ("FHIR: read and search the clinic and its location", r"^GET /fhir/R4/(Organization|Location)"),
    ("FHIR: read and search practitioners and their roles", r"^GET /fhir/R4/Practitioner"),
    ("FHIR: read and search coverage", r"^GET /fhir/R4/Coverage"),
    ("FHIR: read and search audit events", r"^GET /fhir/R4/AuditEvent"),
    ("FHIR: read and search appointments", r"^GET /fhir/R4/Appointment"),
    ("FHIR: read and search schedules", r"^GET /fhir/R4/Schedule"),
    ("FHIR: free slots", r"^GET /fhir/R4/Slot"),
    ("FHIR: read and search claims", r"^GET /fhir/R4/Claim"),
    (
        "FHIR: read and search encounters (visits; the front desk reads appointments)",
        r"^GET /fhir/R4/Encounter",
    ),
    ("FHIR: read and search procedures (what was done at visits)", r"^GET /fhir/R4/Procedure"),
    (
        "FHIR: read and search provenance (visits' signatures and amendments)",
        r"^GET /fhir/R4/Provenance",
    ),
    (
        "FHIR: import patients, conditions, coverage, plans, visits, outcome measures",
        r"^POST /fhir/R4/$",
    ),
    ("webhook endpoints, their deliveries and test events", r" /api/v1/webhook-endpoints/"),
]
ROLE_COLUMNS = {"chiropractor": 1, "front desk": 2, "clinic admin": 3}


def readme_permissions() -> dict[str, list[str]]:
    """The README's permission table: row name -> [chiropractor, front desk, clinic admin]."""
    text = (Path(settings.BASE_DIR) / "README.md").read_text()
    table = text.split("## Who may do what", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1] in {"yes", "no", "own", "summary"}:
            rows[cells[0]] = cells[1:]
    return rows


def permission_row(path: str, method: str) -> str | None:
    request = f"{method.upper()} {path}"
    return next((name for name, pattern in PERMISSION_ROWS if re.search(pattern, request)), None)


def test_the_permission_table_covers_every_operation():
    table = readme_permissions()
    unmatched = [
        f"{method.upper()} {path}"
        for path, method, _ in OPERATIONS
        if path != "/healthz" and permission_row(path, method) is None
    ]

    assert sorted(table) == sorted(name for name, _ in PERMISSION_ROWS)
    assert unmatched == []


# Operations that touch no PHI and leave no event: reference lists, health, who am I.
UNAUDITED = re.compile(
    r"^/(healthz|api/v1/reference/|api/v1/auth/me$|api/v1/audit-seals/public-key/$"
    r"|fhir/R4/metadata$|fhir/R4/Questionnaire(/|$))"
)

# What a detail action is recorded as (by the end of "METHOD path"); everything else follows
# its method.
ACTION_BY_SUFFIX = {
    "restore/": "restore",
    "sign/": "sign",
    "amendments/": "amend",
    "deactivate/": "deactivate",
    "reactivate/": "reactivate",
    "unlock/": "unlock",
    "mark-entered-in-error/": "discard",
    "export/": "export",
    "proof/": "read",
    "auth/login": "login",
    "auth/login/verify": "login",
    "auth/logout": "logout",
    "auth/mfa": "read",
    "auth/mfa/enrol": "mfa_enrol",
    "auth/mfa/confirm": "mfa_enable",
    "auth/mfa/disable": "mfa_disable",
    "auth/mfa/recovery-codes": "recovery_codes",
    "mfa-reset/": "mfa_disable",
    "POST /api/v1/break-glass/": "break_glass",
    "end/": "break_glass_end",
    "}/schedule/": "read",  # a preview (without `confirm`) only reads the calendar
    "start-visit/": "create",
    "POST /api/v1/calendar-feed/": "create",
    ".ics": "read",
    "POST /api/v1/visits/{id}/coding-corrections/": "amend",
    "/$export": "export",
    "/$everything": "read",
    "GET /fhir/R4/bulk-files/{id}": "export",
    "rotate-secret/": "update",
    "/webhook-endpoints/{id}/enable/": "update",
    "redeliver/": "update",
}

RESOURCE_BY_PATH = [
    (r"/auth/mfa", "mfa"),
    (r"^/api/v1/events/", "change_event"),
    (r"^/api/v1/clinic/", "clinic"),
    (r"^/api/v1/break-glass/", "break_glass_grant"),
    (r"/access-log/$", "access_log"),
    (r"/history/$", None),  # <resource>_history
    (r"/progress/$", "plan_progress"),
    (r"/home-program/$", "home_program"),
    (r"/coding/$", "visit_coding"),
    (r"/coding-corrections/$", "coding_correction"),
    (r"/claim/$", "visit_claim"),
    (r"/secondary-claim/$", "visit_claim"),
    (r"/claim/payments/$", "claim_payment"),
    (r"/superbill/$", "visit_superbill"),
    (r"/statement/$", "statement"),
    (r"^/api/v1/coverages/", "coverage"),
    (r"^/api/v1/cases/", "insurance_case"),
    (r"^/api/v1/fee-schedule/", "fee"),
    (r"/schedule/$", "appointment_series"),
    (r"/start-visit/$", "visit"),
    (r"/auth/", "session"),
    (r"^/api/v1/audit-events/", "audit_event"),
    (r"^/api/v1/audit-seals/", "audit_seal"),
    (r"^/api/v1/staff/", "staff"),
    (r"^/api/v1/practitioners/", "staff"),
    (r"/outcomes/", "outcome_measure"),
    (r"/conditions/", "condition"),
    (r"/goals/", "plan_goal"),
    (r"/adjustments/", "plan_adjustment"),
    (r"/soft-tissue/", "plan_soft_tissue"),
    (r"/exercises/", "plan_exercise"),
    (r"^/api/v1/treatment-plans/", "treatment_plan"),
    (r"^/api/v1/visits/", "visit"),
    (r"/(available-times|next-available-time)/$", "available_time"),
    (r"/waitlist-matches/$", "waitlist_entry"),
    (r"^/api/v1/waitlist/", "waitlist_entry"),
    (r"^/api/v1/calendar-feed", "calendar_feed"),
    (r"^/api/v1/appointments/", "appointment"),
    (r"^/api/v1/appointment-reminders/", "appointment_reminder"),
    (r"^/api/v1/appointment-types/", "appointment_type"),
    (r"^/api/v1/working-hours/", "working_hours"),
    (r"^/api/v1/schedule-exceptions/", "schedule_exception"),
    (r"^/api/v1/patients/", "patient"),
    (r"^/fhir/R4/Patient", "patient"),
    (r"^/fhir/R4/CarePlan", "treatment_plan"),
    (r"^/fhir/R4/Goal", "plan_goal"),
    (r"^/fhir/R4/ServiceRequest", "plan_item"),
    (r"^/fhir/R4/bulk-files/", "fhir_export_file"),
    (r"^/fhir/R4/(Group/|bulk-status/)", "fhir_export"),
    (r"^/fhir/R4/Condition", "condition"),
    (r"^/fhir/R4/Observation", "outcome_measure"),
    (r"^/fhir/R4/QuestionnaireResponse", "outcome_measure"),
    (r"^/fhir/R4/(Organization|Location)", "clinic"),
    (r"^/fhir/R4/Practitioner", "staff"),
    (r"^/fhir/R4/Coverage", "coverage"),
    (r"^/fhir/R4/AuditEvent", "audit_event"),
    (r"^/fhir/R4/Appointment", "appointment"),
    (r"^/fhir/R4/Schedule", "working_hours"),
    (r"^/fhir/R4/Slot", "available_time"),
    (r"^/fhir/R4/Claim", "visit_claim"),
    (r"^/fhir/R4/Encounter", "visit"),
    (r"^/fhir/R4/Procedure", "performed_item"),
    (r"^/fhir/R4/Provenance", "visit_provenance"),
    (r"^/fhir/R4/$", "fhir_import"),
    (r"^/api/v1/webhook-endpoints/.*/deliveries/", "webhook_delivery"),
    (r"^/api/v1/webhook-endpoints/", "webhook_endpoint"),
]


def expected_resource(path: str) -> str:
    for pattern, resource in RESOURCE_BY_PATH:
        if re.search(pattern, path):
            if resource is None:
                return expected_resource(path.removesuffix("history/")) + "_history"
            return resource
    raise AssertionError(f"no resource known for {path}")


def expected_action(path: str, method: str) -> str:
    for suffix, action in ACTION_BY_SUFFIX.items():
        if f"{method.upper()} {path}".endswith(suffix):
            return action
    if method == "delete":
        return "archive" if re.fullmatch(r"/api/v1/patients/\{id\}/", path) else "discard"
    if method in {"put", "patch"}:
        return "update"
    if method == "post":  # a plan's status moves (activate, hold, …) change it
        return "create" if is_collection(path) else "update"
    return "list" if is_collection(path) else "read"


# One object per caller, at a path without an id.
SINGLETONS = {"/api/v1/clinic/", "/api/v1/calendar-feed/"}


def is_collection(path: str) -> bool:
    """`/patients/` and `/patients/{patient_pk}/conditions/`, not `/patients/{id}/` nor a
    detail action such as `/patients/{id}/history/`."""
    return (
        path not in SINGLETONS
        and not path.endswith(("}/", "}", "/available-times/", "/next-available-time/"))
        and not re.search(
            r"\}/(history|progress|home-program|coding|activate|hold|resume|complete|revoke"
            r"|arrive|cancel|no-show|waitlist-matches|coding-corrections|claim|superbill"
            r"|secondary-claim|claim/payments"
            r"|statement)/$",
            path,
        )
    )


def free_slot(chiropractor, appointment_type: str) -> str:
    """A free time of the chiropractor from tomorrow on, for the clinic's regular visits."""
    AppointmentType.objects.filter(pk=appointment_type).update(default_for="regular_visit")
    tomorrow = timezone.localdate(timezone=ZoneInfo(chiropractor.clinic.time_zone)) + timedelta(1)
    bundle = (
        client_for(chiropractor)
        .get("/fhir/R4/Slot", {"start": f"ge{tomorrow}", "_count": 1})
        .json()
    )
    return bundle["entry"][0]["resource"]["id"]


def signed_visit(chiropractor, patient: str) -> str:
    client = client_for(chiropractor)
    visit = client.post(
        "/api/v1/visits/", {"patient": patient, "visit_at": "2026-11-21T10:00:00Z"}
    ).json()
    signed = client.post(f"/api/v1/visits/{visit['id']}/sign/")
    assert signed.status_code == 200, signed.json()
    return str(visit["id"])


def reminder_of(appointment_id: str) -> str:
    """A reminder of the appointment as the sender records one (the job queue writes them)."""
    appointment = Appointment.objects.get(pk=appointment_id)
    return str(
        AppointmentReminder.objects.create(
            clinic_id=appointment.clinic_id,
            appointment=appointment,
            patient_id=appointment.patient_id,
            hours_before=24,
            start_at=appointment.start_at,
            status="skipped",
            reason="opted_out",
        ).pk
    )


@pytest.fixture
def world(chiropractor, clinic_admin, front_desk, other_admin, full_plan, charted_patient):
    plan = charted_patient["plan"]
    # A signed visit with something performed: a Procedure and a signature's Provenance.
    chiropractor_client = client_for(chiropractor)
    treated = chiropractor_client.post(
        "/api/v1/visits/",
        {
            "patient": charted_patient["patient"],
            "visit_at": "2026-11-21T10:00:00Z",
            "adjustments": [{"segment": "C5", "technique": "diversified"}],
        },
    ).json()
    assert chiropractor_client.post(f"/api/v1/visits/{treated['id']}/sign/").status_code == 200
    ids = {
        "staff": str(front_desk.id),
        "conditions": full_plan["conditions"][0],
        "outcomes": charted_patient["outcome"]["id"],
        "goals": plan["goals"][0]["id"],
        "adjustments": plan["adjustments"][0]["id"],
        "soft-tissue": plan["soft_tissue"][0]["id"],
        "exercises": plan["exercises"][0]["id"],
        "treatment-plans": plan["id"],
        "visits": charted_patient["visit"]["id"],
        "patients": charted_patient["patient"],
        "appointments": charted_patient["appointment"]["id"],
        "appointment-types": charted_patient["appointment_type"],
        "working-hours": charted_patient["working_hours"]["id"],
        "schedule-exceptions": charted_patient["schedule_exception"]["id"],
        "waitlist": charted_patient["waitlist_entry"]["id"],
        "appointment-reminders": reminder_of(charted_patient["appointment"]["id"]),
        "coverages": charted_patient["coverage"]["id"],
        "cases": charted_patient["case"]["id"],
        "fee-schedule": charted_patient["fee"],
        "Condition": full_plan["conditions"][0],
        "Observation": charted_patient["outcome"]["id"],
        "QuestionnaireResponse": client_for(chiropractor)
        .post(
            f"/api/v1/patients/{charted_patient['patient']}/outcomes/",
            {"instrument": "ndi", "answers": [1, 2, 1, 0, 3, 2, 1, 0, 1, 2]},
            format="json",
        )
        .json()["id"],
        "Questionnaire": "ndi",
        "Organization": str(chiropractor.clinic_id),
        "Location": str(chiropractor.clinic_id),
        "Practitioner": str(chiropractor.id),
        "PractitionerRole": str(chiropractor.id),
        "Coverage": charted_patient["coverage"]["id"],
        "AuditEvent": str(
            AuditEvent.objects.filter(clinic_id=chiropractor.clinic_id).order_by("id")[0].id
        ),
        "Patient": charted_patient["patient"],
        "Appointment": charted_patient["appointment"]["id"],
        "Schedule": str(chiropractor.id),
        "Slot": free_slot(chiropractor, charted_patient["appointment_type"]),
        "Claim": signed_visit(chiropractor, charted_patient["patient"]),
        "Encounter": charted_patient["visit"]["id"],
        "Procedure": treated["adjustments"][0]["id"],
        "Provenance": f"signature-{treated['id']}",
        "CarePlan": plan["id"],
        "Goal": plan["goals"][0]["id"],
        "ServiceRequest": plan["soft_tissue"][0]["id"],
    }
    endpoint = webhook_endpoint_create(
        clinic=clinic_admin.clinic, url="http://127.0.0.1:9/hooks", event_types=[]
    )
    ids["webhook-endpoints"] = str(endpoint.id)
    ids["deliveries"] = str(endpoint_send_test(endpoint=endpoint).id)
    callers = {
        "anonymous": (APIClient(), None),
        "other clinic": (client_for(other_admin), other_admin),
        "front desk": (client_for(front_desk), front_desk),
        "clinic admin": (client_for(clinic_admin), clinic_admin),
        "chiropractor": (client_for(chiropractor), chiropractor),  # last: it may archive
    }
    return {
        "ids": ids,
        "patient": charted_patient["patient"],
        "plan": plan["id"],
        "callers": callers,
    }


def concrete(path: str, world: dict) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name == "patient_pk":
            return world["patient"]
        if name == "plan_pk":
            return world["plan"]
        collection = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        return world["ids"].get(collection, str(uuid.uuid4()))

    return re.sub(r"\{([^}]+)\}", replace, path)


@pytest.mark.parametrize(
    ("path", "method", "operation_id"), OPERATIONS, ids=[o[2] for o in OPERATIONS]
)
def test_each_call_leaves_exactly_one_event_with_who_what_and_outcome(
    world, path, method, operation_id
):
    url = concrete(path, world)
    audited = not UNAUDITED.search(path)
    row = permission_row(path, method)
    allowed = readme_permissions().get(row)
    for caller, (client, user) in world["callers"].items():
        before = AuditEvent.objects.count()
        response = client.generic(
            method.upper(),
            url,
            "{}",
            content_type="application/json",
            HTTP_USER_AGENT="AuditWalk/1.0",
        )
        events = list(AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before])
        label = f"{caller}: {method.upper()} {url} → {response.status_code}"
        if caller in ROLE_COLUMNS and allowed is not None:
            permitted = allowed[ROLE_COLUMNS[caller] - 1] != "no"
            assert (response.status_code != 403) == permitted, f"{label} ({row})"
        if not audited:
            assert events == [], label
            continue
        assert len(events) == 1, label
        event = events[0]
        assert event.status_code == response.status_code, label
        action = expected_action(path, method)
        if action == "login" and response.status_code >= 400:
            action = "login_failed"
        assert event.action == action, label
        assert event.resource_type == expected_resource(path), label
        assert event.method == method.upper() and event.path == url, label
        assert str(event.request_id) == response["X-Request-ID"], label
        assert event.client_ip == "127.0.0.1" and event.user_agent == "AuditWalk/1.0", label
        # A calendar feed is read by its secret, not a token: its reader is the feed's owner.
        if (
            user is None
            or path.endswith(".ics")
            or (path.endswith(("auth/login", "auth/login/verify")) and response.status_code >= 400)
        ):
            assert event.user_id is None, label
        else:
            assert (event.user_id, event.clinic_id, event.role) == (
                user.id,
                user.clinic_id,
                user.role,
            ), label
        own = user is not None and user.clinic_id != world["callers"]["other clinic"][1].clinic_id
        if "{id}" in path and not path.startswith("/api/v1/staff"):
            object_id = (
                url.split("/")[-1]
                if path.endswith("{id}")
                else url.split("/")[-2]
                if path.endswith("{id}/")
                else re.findall(r"/([0-9a-f-]{36})/[$a-z/-]+/?$", url)[-1]
            )
            assert object_id in event.object_ids, label
        if (
            own
            and response.status_code < 400
            and not re.match(
                r"/api/v1/(staff|practitioners|audit-(events|seals)|auth|clinic|break-glass|appointment-types"
                r"|working-hours|schedule-exceptions|appointments/(available|next-available)"
                r"|calendar-feed|fee-schedule|webhook-endpoints"
                # The feed's page names the patients of the changes numbered so far (none
                # here: the world's are not); tests/changes checks that it names them.
                r"|events)"
                r"|/fhir/R4/(Group|bulk-|Organization|Location|Practitioner|AuditEvent|Schedule|Slot)",
                url,
            )
        ):
            assert uuid.UUID(world["patient"]) in event.patient_ids, label
        if response.status_code >= 400 or method == "get":
            assert event.changed_fields == [], label
