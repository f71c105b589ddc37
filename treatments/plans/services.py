"""Writes that carry the rules of treatment plans."""

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Unpack

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from api.error_codes import ApiCode
from api.errors import Conflict, field_error
from clinics.models import Clinic, User
from clinics.services import check_active_chiropractor
from patients.error_codes import PatientCode
from patients.models import VOID_VERIFICATION_STATUSES, Condition, Patient, PatientStatus
from patients.rules import ensure_patient_active
from treatments.items import insert_items
from treatments.plans import frequency as taper
from treatments.plans import rules, transitions
from treatments.plans.error_codes import PlanCode
from treatments.plans.inputs import (
    FrequencyStage,
    NewPlanFields,
    PlanFields,
    PlanItemFields,
)
from treatments.plans.models import (
    Goal,
    GoalStatus,
    PlanCondition,
    PlanItem,
    PlannedAdjustment,
    PlannedExercise,
    PlannedSoftTissue,
    PlanStatus,
    TreatmentPlan,
)

# Plans may be back-entered from paper records, or written ahead for a patient starting soon.
EARLIEST_START = date(1900, 1, 1)
MAX_START_AHEAD = timedelta(days=366)

# The nested lists a plan is created with, and the model of each.
ITEM_MODELS: dict[str, type[PlanItem]] = {
    "goals": Goal,
    "adjustments": PlannedAdjustment,
    "soft_tissue": PlannedSoftTissue,
    "exercises": PlannedExercise,
}


def _check_conditions(patient: Patient, conditions: list[Condition]) -> None:
    if len({condition.pk for condition in conditions}) != len(conditions):
        raise field_error("conditions", "A condition is listed twice.", ApiCode.DUPLICATE)
    if not conditions:
        raise field_error(
            "conditions", "A plan addresses at least one condition.", ApiCode.REQUIRED
        )
    for condition in conditions:
        if condition.patient_id != patient.pk:
            raise field_error(
                "conditions",
                f"Condition {condition.pk} is not this patient's.",
                PatientCode.OTHER_PATIENT,
            )
        if condition.verification_status in VOID_VERIFICATION_STATUSES:
            raise field_error(
                "conditions",
                f"Condition {condition.pk} is {condition.verification_status}.",
                PlanCode.INVALID_CONDITION,
            )


def _check_editable(plan: TreatmentPlan) -> None:
    if plan.status not in transitions.EDITABLE_STATUSES:
        raise Conflict(
            f"A plan that is {plan.status} cannot be changed; only draft and active plans can.",
            code=PlanCode.PLAN_NOT_EDITABLE,
        )


def _lock_patient(plan: TreatmentPlan) -> Patient:
    """Serialise every write that can change which plans are active for a patient.

    Taken first, before any PlanCondition row is touched, so that concurrent writers queue on
    the patient instead of deadlocking on each other's rows.
    """
    patient = Patient.objects.select_for_update().get(pk=plan.patient_id)
    ensure_patient_active(patient)
    return patient


def _ensure_one_active_plan_per_condition(plan: TreatmentPlan, conditions: list[Condition]) -> None:
    """Refuse when another active plan of the patient addresses one of `conditions`; the
    partial unique index on PlanCondition is the last line of defence."""
    clash = (
        PlanCondition.objects.filter(condition__in=conditions, plan_is_active=True)
        .exclude(plan=plan)
        .select_related("condition")
        .first()
    )
    if clash is not None:
        raise Conflict(
            f"Plan {clash.plan_id} is already active for {clash.condition.code} "
            f"({clash.condition.display}); put it on hold, complete or revoke it first.",
            code=PlanCode.CONDITION_HAS_ACTIVE_PLAN,
        )


def _set_conditions(plan: TreatmentPlan, conditions: list[Condition]) -> None:
    PlanCondition.objects.filter(plan=plan).exclude(condition__in=conditions).update(
        removed_at=timezone.now(), plan_is_active=False
    )
    existing = set(PlanCondition.objects.filter(plan=plan).values_list("condition_id", flat=True))
    PlanCondition.objects.bulk_create(
        PlanCondition(
            clinic_id=plan.clinic_id,
            plan=plan,
            condition=condition,
            plan_is_active=plan.status == PlanStatus.ACTIVE,
        )
        for condition in conditions
        if condition.pk not in existing
    )


def _new_items(
    plan: TreatmentPlan, kind: str, rows: Sequence[PlanItemFields], first_position: int
) -> list[PlanItem]:
    """The items as rows of the plan, in order; an exercise takes its usual dosage (sets,
    repetitions, hold) where none is given."""
    model = ITEM_MODELS[kind]
    items = []
    for position, row in enumerate(rows, start=first_position):
        given: dict = {"position": position, **row}
        if kind == "exercises":
            exercise = given["exercise"]
            given.setdefault("sets", exercise.default_sets)
            given.setdefault("repetitions", exercise.default_repetitions)
            given.setdefault("hold_seconds", exercise.default_hold_seconds)
        items.append(model(clinic_id=plan.clinic_id, plan=plan, **given))
    return items


def _check_dates(plan: TreatmentPlan) -> None:
    today = timezone.localdate()
    if not EARLIEST_START <= plan.start_date <= today + MAX_START_AHEAD:
        raise field_error(
            "start_date",
            f"Start between {EARLIEST_START} and {today + MAX_START_AHEAD}.",
            ApiCode.OUT_OF_RANGE,
        )


def _apply_frequency(
    plan: TreatmentPlan,
    *,
    creating: bool,
    stages: list[FrequencyStage] | None = None,
    visits_per_week: int | None = None,
    weeks: int | None = None,
) -> None:
    """Set the plan's stages from `frequency` (`stages` here) or from `visits_per_week` and
    `weeks` (one stage), and keep those two columns in step with the stages."""
    rate = visits_per_week
    if stages is not None:
        found = [taper.Stage(s["visits_per_week"], s["weeks"]) for s in stages]
        if (rate is not None and rate != found[0].visits_per_week) or (
            weeks is not None and weeks != taper.total_weeks(found)
        ):
            raise field_error(
                "frequency",
                "Give either `frequency` or `visits_per_week` and `weeks`, not both.",
                PlanCode.FREQUENCY_CONFLICT,
            )
    elif rate is None and weeks is None:
        if creating:
            raise field_error(
                "frequency",
                "Give `frequency`, or `visits_per_week` and `weeks`.",
                ApiCode.REQUIRED,
            )
        return
    elif creating and (rate is None or weeks is None):
        missing = "weeks" if weeks is None else "visits_per_week"
        raise field_error(missing, "This field is required.", ApiCode.REQUIRED)
    elif len(plan.stages) > 1:
        raise field_error(
            "weeks" if weeks is not None else "visits_per_week",
            f"This plan tapers over {len(plan.stages)} stages; change `frequency` instead.",
            PlanCode.PLAN_HAS_STAGES,
        )
    else:
        found = [
            taper.Stage(
                rate if rate is not None else plan.visits_per_week,
                weeks if weeks is not None else plan.weeks,
            )
        ]
    if taper.total_weeks(found) > taper.MAX_WEEKS:
        raise field_error(
            "frequency", f"At most {taper.MAX_WEEKS} weeks in all stages.", ApiCode.TOO_LONG
        )
    plan.frequency = taper.as_document(found)
    plan.visits_per_week = found[0].visits_per_week
    plan.weeks = taper.total_weeks(found)


@transaction.atomic
def plan_create(*, clinic: Clinic, by: User, **fields: Unpack[NewPlanFields]) -> TreatmentPlan:
    """Create a draft plan with its goals and interventions in one go."""
    patient = fields.pop("patient")
    conditions = fields.pop("conditions", [])
    rows: dict[str, Sequence[PlanItemFields]] = {
        "goals": fields.pop("goals", []),
        "adjustments": fields.pop("adjustments", []),
        "soft_tissue": fields.pop("soft_tissue", []),
        "exercises": fields.pop("exercises", []),
    }
    plan = TreatmentPlan(
        clinic=clinic,
        created_by=by,
        status=PlanStatus.DRAFT,
        patient=patient,
        chiropractor=fields.pop("chiropractor", by),
    )
    items = {kind: _new_items(plan, kind, given, first_position=0) for kind, given in rows.items()}
    rules.check_items(
        (f"{kind}.{index}.", kind, item)
        for kind, made in items.items()
        for index, item in enumerate(made)
    )
    ensure_patient_active(patient)
    check_active_chiropractor(plan.chiropractor, clinic.pk)
    _check_conditions(patient, conditions)
    _apply_frequency(
        plan,
        creating=True,
        stages=fields.pop("stages", None),
        visits_per_week=fields.pop("visits_per_week", None),
        weeks=fields.pop("weeks", None),
    )
    for field, value in fields.items():
        setattr(plan, field, value)
    _check_dates(plan)
    plan.full_clean()
    plan.save()
    _set_conditions(plan, conditions)
    for kind, made in items.items():
        insert_items(ITEM_MODELS[kind], made)
    return plan


@transaction.atomic
def plan_update(*, plan: TreatmentPlan, **changes: Unpack[PlanFields]) -> TreatmentPlan:
    _check_editable(plan)
    _lock_patient(plan)
    conditions = changes.pop("conditions", None)
    _apply_frequency(
        plan,
        creating=False,
        stages=changes.pop("stages", None),
        visits_per_week=changes.pop("visits_per_week", None),
        weeks=changes.pop("weeks", None),
    )
    for field, value in changes.items():
        setattr(plan, field, value)
    if "chiropractor" in changes:
        check_active_chiropractor(plan.chiropractor, plan.clinic_id)
    _check_dates(plan)
    plan.full_clean()
    plan.save()
    if conditions is not None:
        _check_conditions(plan.patient, conditions)
        if plan.status == PlanStatus.ACTIVE:
            _ensure_one_active_plan_per_condition(plan, conditions)
        _set_conditions(plan, conditions)
    return plan


@transaction.atomic
def plan_transition(*, plan: TreatmentPlan, action: str) -> TreatmentPlan:
    """Move the plan along the status machine (treatments.plans.transitions)."""
    target = transitions.PLAN_STATUS_MACHINE.target_status(status=plan.status, action=action)
    if target == PlanStatus.ACTIVE:
        patient = _lock_patient(plan)
        conditions = plan.conditions
        _check_conditions(patient, conditions)
        _ensure_one_active_plan_per_condition(plan, conditions)
    plan.status = target
    plan.status_changed_at = timezone.now()
    plan.save(update_fields=["status", "status_changed_at", "updated_at"])
    PlanCondition.objects.filter(plan=plan).update(plan_is_active=target == PlanStatus.ACTIVE)
    return plan


@transaction.atomic
def plan_item_add(*, plan: TreatmentPlan, kind: str, item: PlanItemFields) -> PlanItem:
    """Add one item of `kind` (goals, adjustments, soft_tissue, exercises) at the plan's end."""
    (new,) = _new_items(plan, kind, [item], first_position=0)
    rules.check_items([("", kind, new)])
    # Concurrent adds and status moves of one plan take turns on its row: each add sees the
    # others' positions and the plan's current status (NO KEY UPDATE: visits referring to the
    # plan meanwhile are not held up).
    locked = TreatmentPlan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    _check_editable(locked)
    last = ITEM_MODELS[kind].objects.filter(plan=plan).aggregate(last=Max("position"))["last"]
    if "position" not in item:
        new.position = 0 if last is None else last + 1
    return insert_items(ITEM_MODELS[kind], [new])[0]


@transaction.atomic
def plan_item_update(*, item: PlanItem, kind: str, changes: PlanItemFields) -> PlanItem:
    for field, value in changes.items():
        setattr(item, field, value)
    rules.check_items([("", kind, item)])
    _check_editable(item.plan)
    item.full_clean(exclude=["plan"])
    item.save()
    return item


@transaction.atomic
def plan_item_remove(*, item: PlanItem) -> PlanItem:
    """Take an item out of the plan; a goal is cancelled. Nothing is deleted."""
    _check_editable(item.plan)
    item.removed_at = timezone.now()
    update_fields = ["removed_at", "updated_at"]
    if isinstance(item, Goal):
        item.status = GoalStatus.CANCELLED
        update_fields.append("status")
    item.save(update_fields=update_fields)
    return item


@transaction.atomic
def patient_archive(*, patient: Patient, by: User) -> Patient:
    """Archive instead of deleting: the record stays, out of everyday lists. Not while one of
    the patient's plans is under way (active or on hold)."""
    if patient.status == PatientStatus.ARCHIVED:
        return patient
    plan = (
        TreatmentPlan.objects.filter(
            patient=patient, status__in=[PlanStatus.ACTIVE, PlanStatus.ON_HOLD]
        )
        .order_by("start_date")
        .first()
    )
    if plan is not None:
        raise Conflict(
            f"The patient has a treatment plan in progress ({plan.status}, started "
            f"{plan.start_date:%Y-%m-%d}); complete or revoke it before archiving.",
            code=PlanCode.PATIENT_HAS_ACTIVE_PLAN,
        )
    patient.status = PatientStatus.ARCHIVED
    patient.archived_at = timezone.now()
    patient.archived_by = by
    patient.save(update_fields=["status", "archived_at", "archived_by", "updated_at"])
    return patient
