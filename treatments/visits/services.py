"""Writes of visits: logging, signing (locks), amending, discarding."""

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, Unpack, cast
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from api.error_codes import ApiCode
from api.errors import Conflict, field_error
from api.roles import Role
from clinics.models import Clinic, User
from clinics.services import check_active_chiropractor
from patients.error_codes import PatientCode
from patients.models import Patient
from patients.rules import ensure_patient_active
from treatments.items import insert_items
from treatments.outcomes.models import Instrument, OutcomeMeasure, OutcomeStatus
from treatments.plans import rules
from treatments.plans.models import PlanStatus
from treatments.visits.error_codes import VisitCode
from treatments.visits.inputs import FindingFields, PerformedItemFields, PerformedItems, VisitFields
from treatments.visits.models import (
    Amendment,
    PartFinding,
    PerformedAdjustment,
    PerformedExercise,
    PerformedSoftTissue,
    Visit,
    VisitStatus,
)

# Nested lists of a visit, the model of each, and the plan-item model they may carry out.
PERFORMED_MODELS: dict[
    str, type[PerformedAdjustment] | type[PerformedSoftTissue] | type[PerformedExercise]
] = {
    "adjustments": PerformedAdjustment,
    "soft_tissue": PerformedSoftTissue,
    "exercises": PerformedExercise,
}
# What a performed item takes from the planned item it carries out, where it does not say.
FILLED_FROM_PLAN: dict[str, tuple[str, ...]] = {
    "adjustments": ("segment", "listing", "technique", "laterality"),
    "soft_tissue": ("modality", "muscles", "laterality", "minutes"),
    "exercises": ("exercise", "sets", "repetitions"),
}
EARLIEST_YEAR = 1900
# Clocks of tablets and servers drift; a visit logged a few minutes "ahead" is not the future.
CLOCK_SKEW = timedelta(minutes=5)


class RecordLocked(Conflict):
    default_code = "visit_signed"
    default_detail = "The visit is signed and locked; add an amendment instead."


def _check_visit(visit: Visit, *, plan_changed: bool) -> None:
    ensure_patient_active(visit.patient)
    if visit.visit_at > timezone.now() + CLOCK_SKEW:
        raise field_error(
            "visit_at", "A visit cannot be logged in the future.", ApiCode.FUTURE_DATE
        )
    if visit.visit_at.year < EARLIEST_YEAR:
        raise field_error(
            "visit_at", f"A visit cannot be before {EARLIEST_YEAR}.", ApiCode.OUT_OF_RANGE
        )
    check_active_chiropractor(visit.chiropractor, visit.clinic_id)
    plan = visit.plan
    if plan is None:
        return
    if plan.patient_id != visit.patient_id:
        raise field_error("plan", "The plan is another patient's.", PatientCode.OTHER_PATIENT)
    # Only when the plan is chosen: a draft logged while the plan was active stays editable.
    if plan_changed and plan.status != PlanStatus.ACTIVE:
        raise field_error(
            "plan",
            f"The plan is {plan.status}; visits are logged against an active plan.",
            VisitCode.PLAN_NOT_ACTIVE,
        )
    local_day = timezone.localtime(visit.visit_at, ZoneInfo(visit.clinic.time_zone)).date()
    if local_day < plan.start_date:
        raise field_error(
            "visit_at", f"The plan starts on {plan.start_date}.", VisitCode.BEFORE_PLAN_START
        )


# Performed items by kind, as rows of the visit; None for a kind not given (kept as it is).
Performed = dict[str, list[Any] | None]


def _performed(visit: Visit, items: PerformedItems) -> Performed:
    """The items given as rows of the visit, in order, each checked; an item that carries out
    a planned item takes from it what it does not say (the segment, technique, dosage…)."""
    made: Performed = {}
    # Every value of PerformedItems is a list of one kind's fields; a TypedDict's items() reads
    # each value as object.
    given = cast(Mapping[str, Sequence[PerformedItemFields]], items)
    for kind, rows in given.items():
        model = PERFORMED_MODELS[kind]
        made[kind] = [
            model(clinic_id=visit.clinic_id, visit=visit, position=position, **_filled(kind, row))
            for position, row in enumerate(rows)
        ]
    rules.check_items(
        (f"{kind}.{index}.", kind, item)
        for kind, rows in made.items()
        for index, item in enumerate(rows or [])
    )
    return made


def _filled(kind: str, row: PerformedItemFields) -> dict:
    given = dict(row)
    planned = given.get("planned_item")
    if planned is not None:
        for name in FILLED_FROM_PLAN[kind]:
            given.setdefault(name, getattr(planned, name))
    return given


def _check_findings(findings: list[FindingFields] | None) -> None:
    regions = [finding["region"] for finding in findings or []]
    if len(regions) != len(set(regions)):
        raise field_error(
            "findings", "Give each region's findings once.", VisitCode.DUPLICATE_REGION
        )


def _check_planned_items(visit: Visit, items: Performed) -> None:
    """Items sent must carry out items of the visit's plan; items kept (not sent) must too,
    so that changing the visit's plan cannot leave them pointing at another plan."""
    for kind, rows in items.items():
        if rows is None:
            stale = PERFORMED_MODELS[kind].objects.filter(visit=visit, planned_item__isnull=False)
            if visit.plan_id is not None:
                stale = stale.exclude(planned_item__plan_id=visit.plan_id)
            if stale.exists():
                raise field_error(
                    kind,
                    "These items carry out another plan's items; send them again.",
                    VisitCode.NOT_IN_PLAN,
                )
            continue
        for index, item in enumerate(rows):
            planned = item.planned_item
            if planned is None:
                continue
            if (
                visit.plan is None
                or planned.plan_id != visit.plan_id
                or planned.removed_at is not None
            ):
                raise field_error(
                    f"{kind}.{index}.planned_item",
                    "The planned item is not part of this visit's plan.",
                    VisitCode.NOT_IN_PLAN,
                )


def _write_items(
    visit: Visit,
    findings: list[FindingFields] | None,
    items: Performed,
    *,
    replacing: bool = True,
) -> None:
    """Replace the visit's findings and performed items by those given (draft visits only);
    a new visit (`replacing=False`) has none to replace."""
    if findings is not None:
        if replacing:
            PartFinding.objects.filter(visit=visit).update(removed_at=timezone.now())
        PartFinding.objects.bulk_create(
            PartFinding(clinic_id=visit.clinic_id, visit=visit, **row) for row in findings
        )
    for kind, rows in items.items():
        if rows is None:
            continue
        model = PERFORMED_MODELS[kind]
        if replacing:
            model.objects.filter(visit=visit).update(removed_at=timezone.now())
        insert_items(model, rows)


def _sync_derived(visit: Visit) -> None:
    """Keep what visits feed elsewhere in step: the patient's last visit and the NRS series."""
    # Concurrent visits of one patient take turns on the patient's row (NO KEY UPDATE: their
    # visits' foreign keys do not conflict with it), and the next statement computes the last
    # visit in SQL from a snapshot that includes every visit committed before it: none is
    # left out by a writer that committed meanwhile.
    patient = Patient.objects.select_for_update(no_key=True).filter(pk=visit.patient_id)
    list(patient.values_list("pk"))
    last = (
        Visit.objects.filter(patient_id=OuterRef("pk"))
        .exclude(status=VisitStatus.ENTERED_IN_ERROR)
        .order_by()
        .values("patient_id")
        .annotate(at=Max("visit_at"))
        .values("at")
    )
    Patient.objects.filter(pk=visit.patient_id).update(last_visit_at=Subquery(last))
    # The visit's NRS reading follows its pain score; one that no longer holds is kept as
    # entered in error.
    reading = OutcomeMeasure.objects.filter(visit=visit, instrument=Instrument.NRS)
    if visit.status == VisitStatus.ENTERED_IN_ERROR or visit.pain_before is None:
        reading.update(status=OutcomeStatus.ENTERED_IN_ERROR, updated_at=timezone.now())
        return
    current = {"measured_at": visit.visit_at, "score": visit.pain_before}
    # An update() passes auto_now by: the reading's change time is set here.
    if not reading.update(status=OutcomeStatus.FINAL, updated_at=timezone.now(), **current):
        OutcomeMeasure.objects.create(
            clinic_id=visit.clinic_id,
            patient_id=visit.patient_id,
            instrument=Instrument.NRS,
            max_score=10,
            visit=visit,
            recorded_by_id=visit.chiropractor_id,
            **current,
        )


VISIT_REFERENCES = [field.name for field in Visit._meta.concrete_fields if field.is_relation]


def _split(fields: VisitFields) -> tuple[PerformedItems, list[FindingFields] | None]:
    """Take the nested lists out of a visit's fields: its performed items and findings."""
    items: PerformedItems = {}
    if "adjustments" in fields:
        items["adjustments"] = fields.pop("adjustments")
    if "soft_tissue" in fields:
        items["soft_tissue"] = fields.pop("soft_tissue")
    if "exercises" in fields:
        items["exercises"] = fields.pop("exercises")
    findings = fields.pop("findings", None)
    _check_findings(findings)
    return items, findings


@transaction.atomic
def visit_create(*, clinic: Clinic, by: User, **fields: Unpack[VisitFields]) -> Visit:
    given, findings = _split(fields)
    fields.setdefault("chiropractor", by)
    visit = Visit(clinic=clinic, created_by=by, status=VisitStatus.DRAFT, **fields)
    items = _performed(visit, {"adjustments": [], "soft_tissue": [], "exercises": [], **given})
    _check_visit(visit, plan_changed=True)
    _check_planned_items(visit, items)
    # References were resolved in the caller's clinic and checked above, a new id cannot
    # clash, and every check constraint of a visit restates a field's own validator (NRS
    # 0–10) or what signing sets: only the visit's own values are validated here, without
    # a query each; the database still enforces all of it.
    visit.full_clean(exclude=VISIT_REFERENCES, validate_unique=False, validate_constraints=False)
    visit.save()
    _write_items(visit, findings or [], items, replacing=False)
    _sync_derived(visit)
    return visit


def _ensure_draft(visit: Visit) -> None:
    if visit.status == VisitStatus.SIGNED:
        raise RecordLocked()
    if visit.status == VisitStatus.ENTERED_IN_ERROR:
        raise Conflict(
            "The visit was discarded (entered in error).", code=VisitCode.VISIT_DISCARDED
        )


def _ensure_may_edit_draft(visit: Visit, by: User) -> None:
    """A draft is the treating chiropractor's own note; a clinic admin may correct it too."""
    if by.role != Role.CLINIC_ADMIN and visit.chiropractor_id != by.pk:
        raise PermissionDenied(
            "Only the visit's own chiropractor, or a clinic admin, changes its draft."
        )


@transaction.atomic
def visit_update(*, visit: Visit, by: User, **changes: Unpack[VisitFields]) -> Visit:
    if "patient" in changes and changes["patient"].pk != visit.patient_id:
        raise field_error(
            "patient", "A visit's patient cannot change; log the visit anew.", ApiCode.IMMUTABLE
        )
    given, findings = _split(changes)
    items = {kind: None for kind in PERFORMED_MODELS} | _performed(visit, given)
    _ensure_draft(visit)
    _ensure_may_edit_draft(visit, by)
    plan_changed = "plan" in changes and changes["plan"] != visit.plan
    for field, value in changes.items():
        setattr(visit, field, value)
    _check_visit(visit, plan_changed=plan_changed)
    _check_planned_items(
        visit, items if plan_changed else {k: v for k, v in items.items() if v is not None}
    )
    visit.full_clean()
    visit.save()
    _write_items(visit, findings, items)
    _sync_derived(visit)
    return visit


@transaction.atomic
def visit_sign(*, visit: Visit, by: User, signed_coding: dict) -> Visit:
    """Lock the visit: from now on it changes only by amendments. `signed_coding` is the
    coding it keeps from now on (billing's, given by charts.services.visit_sign)."""
    _ensure_draft(visit)
    if visit.chiropractor_id != by.pk:
        raise PermissionDenied("Only the treating chiropractor signs the visit.")
    visit.status = VisitStatus.SIGNED
    visit.signed_by = by
    visit.signed_at = timezone.now()
    visit.signed_coding = signed_coding
    visit.save(update_fields=["status", "signed_by", "signed_at", "signed_coding", "updated_at"])
    return visit


@transaction.atomic
def visit_discard(*, visit: Visit, by: User) -> Visit:
    """What DELETE does to an unsigned visit: kept, marked entered in error."""
    _ensure_draft(visit)
    _ensure_may_edit_draft(visit, by)
    visit.status = VisitStatus.ENTERED_IN_ERROR
    visit.save(update_fields=["status", "updated_at"])
    _sync_derived(visit)
    return visit


@transaction.atomic
def visit_amend(*, visit: Visit, by: User, text: str, reason: str, section: str = "") -> Amendment:
    """Add to a signed visit's note: the original stays as it was signed."""
    if visit.status != VisitStatus.SIGNED:
        raise Conflict(
            "Only a signed visit is amended; edit an unsigned one directly.",
            code=VisitCode.VISIT_NOT_SIGNED,
        )
    amendment = Amendment(
        clinic_id=visit.clinic_id, visit=visit, author=by, section=section, text=text, reason=reason
    )
    amendment.full_clean()
    amendment.save()
    return amendment


@transaction.atomic
def visit_correct_performed(*, visit: Visit, items: PerformedItems, by: User) -> Visit:
    """Replace what a signed visit records as performed, for a billing correction (billing
    decides when and keeps the correction): the rows replaced are kept, marked removed, as
    when a draft is edited. The visit's own chiropractor, or a clinic admin."""
    if visit.status == VisitStatus.ENTERED_IN_ERROR:
        raise Conflict(
            "The visit was discarded (entered in error).", code=VisitCode.VISIT_DISCARDED
        )
    if visit.status != VisitStatus.SIGNED:
        raise Conflict(
            "The visit is a draft: change it directly; corrections are for signed visits.",
            code=VisitCode.VISIT_NOT_SIGNED,
        )
    _ensure_may_edit_draft(visit, by)
    performed = _performed(visit, items)
    _check_planned_items(visit, performed)
    _write_items(visit, None, performed)
    return visit
