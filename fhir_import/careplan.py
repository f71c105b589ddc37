"""CarePlan → a treatment plan, with its Goals and the ServiceRequest of each planned
intervention (parts: fhir_import.kinds.PartKind), as our export writes them
(fhir_api.resources.careplan, goal, servicerequest).

A plan is written as the REST API writes one (a draft with its goals and interventions, in one
call), then moved along its status machine to the CarePlan's status. What a plan is made of
here must be said: its visit frequency (the `visit-frequency` extension), the conditions it
addresses and, for each intervention, its chiropractic codes (segment, technique, modality,
muscles, exercise). An intervention taken off its plan (a ServiceRequest `revoked` under a plan
that is not) is written, then taken off again, so that nothing of the plan is lost.

Techniques and exercises of a clinic's own list (`<system>/<clinic id>`) are refused as not
mappable: another clinic's code may mean something else here.
"""

from typing import Any

from django.db.models import Model

from api.permissions import PlanPermission
from fhir_api.resources.elements import SIDE_OF_SNOMED
from fhir_api.resources.goal import LOINC_MEASURES
from fhir_api.resources.servicerequest import ADJUSTMENT, EXERCISE_ITEM, SOFT_TISSUE
from fhir_api.systems import (
    EXERCISE,
    EXERCISE_DOSE_EXTENSION,
    GOAL_ACHIEVEMENT,
    GOAL_MEASURE,
    LISTING,
    LOINC,
    MUSCLE,
    PLAN_PHASE,
    PLANNED_INTERVENTION,
    REEXAMINATION_INTERVAL,
    SEGMENT,
    SNOMED,
    SOFT_TISSUE_MODALITY,
    TECHNIQUE,
    VISIT_FREQUENCY,
)
from fhir_import.error_codes import ImportCode
from fhir_import.kinds import STRUCTURAL, ImportKind, Lookup, PartKind
from fhir_import.reading import (
    EntryRefused,
    Link,
    Mapped,
    Note,
    Part,
    child,
    codings,
    day,
    first_code,
    invalid,
    not_mappable,
    objects,
    reference,
    text,
)
from treatments.plans.home_program import Dosage, dosage_sentence
from treatments.plans.models import GoalStatus, PlanStatus, TreatmentPlan
from treatments.plans.serializers import TreatmentPlanCreateSerializer
from treatments.plans.services import plan_create, plan_item_remove, plan_transition
from treatments.plans.transitions import PLAN_STATUS_MACHINE

# The plan fields each intervention kind is read into (the REST API's), in the export's order.
ITEM_FIELDS = {ADJUSTMENT: "adjustments", SOFT_TISSUE: "soft_tissue", EXERCISE_ITEM: "exercises"}
GOAL_MEASURE_OF_LOINC = {code: measure for measure, (code, _) in LOINC_MEASURES.items()}
# A goal's own status from its achievement; a cancelled goal says so in its lifecycle.
GOAL_STATUS_OF_ACHIEVEMENT = {status.value: status for status in GoalStatus}
# The exercise dose's sub-extensions and the fields they are (fhir_api.resources.servicerequest).
DOSE_FIELDS = {
    "sets": "sets",
    "repetitions": "repetitions",
    "holdSeconds": "hold_seconds",
    "timesPerDay": "times_per_day",
    "daysPerWeek": "days_per_week",
}


def _sub_extensions(resource: dict, url: str, path: str) -> list[tuple[str, dict[str, Any]]]:
    """Each `url` extension of the resource as (its path, its integer sub-extensions by url)."""
    found = []
    for index, extension in objects(resource, "extension", path):
        if extension.get("url") != url:
            continue
        where = f"{path}.extension[{index}]"
        values: dict[str, Any] = {}
        for part_index, part in objects(extension, "extension", where):
            name = text(part, "url", f"{where}.extension[{part_index}]")
            value = next((v for k, v in part.items() if k.startswith("value")), None)
            if name:
                values[name] = value
        found.append((where, values))
    return found


def _plan_fields(resource: dict, mapped: Mapped) -> None:
    for index, category in objects(resource, "category", "resource"):
        found = first_code(category, f"resource.category[{index}]", {PLAN_PHASE})
        if found is not None:
            mapped.paths["phase"], mapped.fields["phase"] = found
    period = child(resource, "period", "resource")
    start = day(text(period, "start", "resource.period"))
    if start is None:
        raise invalid("A plan says the day it starts (`period.start`).", "resource.period.start")
    mapped.fields["start_date"], mapped.paths["start_date"] = start, "resource.period.start"
    stages = _sub_extensions(resource, VISIT_FREQUENCY, "resource")
    if not stages:
        raise not_mappable(
            "A plan here has a visit frequency (the `visit-frequency` extension, one per stage); "
            "this CarePlan says none.",
            "resource.extension",
        )
    mapped.fields["frequency"] = [
        {"visits_per_week": values.get("visitsPerWeek"), "weeks": values.get("weeks")}
        for _, values in stages
    ]
    mapped.paths["frequency"] = stages[0][0]
    for where, values in _sub_extensions(resource, REEXAMINATION_INTERVAL, "resource")[:1]:
        for name, field in (("days", "reexam_interval_days"), ("visits", "reexam_interval_visits")):
            if name in values:
                mapped.fields[field], mapped.paths[field] = values[name], where
    written = [
        said
        for index, note in objects(resource, "note", "resource")
        if (said := text(note, "text", f"resource.note[{index}]"))
    ]
    if written:
        mapped.fields["notes"], mapped.paths["notes"] = "\n\n".join(written), "resource.note"


def _conditions(resource: dict, mapped: Mapped) -> None:
    addressed = objects(resource, "addresses", "resource")
    mapped.fields["conditions"] = [None] * len(addressed)
    mapped.paths["conditions"] = "resource.addresses"
    for index, addressed_condition in addressed:
        target = text(addressed_condition, "reference", f"resource.addresses[{index}]")
        if not target:
            raise invalid("`addresses` names conditions.", f"resource.addresses[{index}]")
        mapped.links.append(
            Link(
                at=("conditions", index),
                path=f"resource.addresses[{index}].reference",
                reference=target,
                target="Condition",
            )
        )


def _part(resource: dict, lookup: Lookup, target: str, path: str, kind: str) -> dict:
    found = lookup(target, resource)
    if found is None or found.get("resourceType") != kind:
        raise EntryRefused(
            422,
            ImportCode.UNRESOLVED_REFERENCE,
            f"`{target}` names no {kind} of this Bundle; a plan is imported with its {kind}s.",
            path,
        )
    return found


def _goal(goal: dict) -> dict[str, Any]:
    """A Goal as the REST API's goal (treatments.plans.serializers.GoalSerializer)."""
    fields: dict[str, Any] = {"description": text(child(goal, "description", "goal"), "text", "")}
    targets = objects(goal, "target", "goal")
    if targets:
        target = targets[0][1]
        measure = child(target, "measure", "target")
        local = first_code(measure, "target.measure", {GOAL_MEASURE})
        loinc = first_code(measure, "target.measure", {LOINC})
        if local is not None:
            fields["measure"] = local[1]
        elif loinc is not None and loinc[1] in GOAL_MEASURE_OF_LOINC:
            fields["measure"] = GOAL_MEASURE_OF_LOINC[loinc[1]]
        quantity = child(target, "detailQuantity", "target")
        if "value" in quantity:
            fields["target_value"] = quantity["value"]
            fields["comparator"] = quantity.get("comparator", "=")
        if (due := day(text(target, "dueDate", "target"))) is not None:
            fields["target_date"] = due
    achieved = first_code(child(goal, "achievementStatus", "goal"), "goal", {GOAL_ACHIEVEMENT})
    if goal.get("lifecycleStatus") == "cancelled":
        fields["status"] = GoalStatus.CANCELLED
    elif achieved is not None and achieved[1] in GOAL_STATUS_OF_ACHIEVEMENT:
        fields["status"] = GOAL_STATUS_OF_ACHIEVEMENT[achieved[1]]
    return fields


def _codes(concept: dict, system: str) -> list[str]:
    return [code for _, found, code, _ in codings(concept, "resource") if found == system]


def _shipped_code(concept: dict, system: str, what: str, path: str) -> str:
    """The concept's code in a shipped vocabulary; one of a clinic's own lists is refused."""
    for _, found, code, _ in codings(concept, path):
        if found == system:
            return code
        if found.startswith(f"{system}/"):
            raise not_mappable(
                f"`{code}` is a {what} of another clinic's own list, which may mean something "
                "else here.",
                path,
            )
    raise not_mappable(f"A planned intervention here names its {what} ({system}).", path)


def _side(request: dict) -> str:
    for index, detail in objects(request, "orderDetail", "resource"):
        for _, system, code, _ in codings(detail, f"orderDetail[{index}]"):
            if system == SNOMED and code in SIDE_OF_SNOMED:
                return SIDE_OF_SNOMED[code]
    return ""


def _body_codes(request: dict, system: str) -> list[str]:
    return [
        code
        for _, site in objects(request, "bodySite", "resource")
        for code in _codes(site, system)
    ]


def _note(request: dict) -> str:
    return "\n\n".join(
        found for _, note in objects(request, "note", "resource") if (found := note.get("text"))
    )


def _intervention(request: dict, path: str) -> tuple[str, dict[str, Any]]:
    """A ServiceRequest as (the plan field of its kind, the REST API's planned item)."""
    kinds = [
        code
        for index, category in objects(request, "category", path)
        for _, system, code, _ in codings(category, f"{path}.category[{index}]")
        if system == PLANNED_INTERVENTION and code in ITEM_FIELDS
    ]
    if not kinds:
        raise not_mappable(
            "A planned intervention here is an adjustment, soft-tissue work or a home exercise "
            f"(category {PLANNED_INTERVENTION}); this ServiceRequest says none.",
            f"{path}.category",
        )
    code = child(request, "code", path)
    side = _side(request)
    if kinds[0] == ADJUSTMENT:
        segments = _body_codes(request, SEGMENT)
        if not segments:
            raise not_mappable("An adjustment names its segment (bodySite).", f"{path}.bodySite")
        listing = [
            code
            for _, detail in objects(request, "orderDetail", path)
            for code in _codes(detail, LISTING)
        ]
        item: dict[str, Any] = {
            "segment": segments[0],
            "listing": listing[0] if listing else None,
            "technique": _shipped_code(code, TECHNIQUE, "technique", f"{path}.code"),
            "laterality": side,
            "notes": _note(request),
        }
    elif kinds[0] == SOFT_TISSUE:
        item = {
            "modality": _shipped_code(code, SOFT_TISSUE_MODALITY, "modality", f"{path}.code"),
            "muscles": _body_codes(request, MUSCLE),
            "laterality": side,
            "minutes": child(request, "quantityQuantity", path).get("value"),
            "notes": _note(request),
        }
    else:
        item = {
            "exercise": _shipped_code(code, EXERCISE, "exercise", f"{path}.code"),
            "laterality": side,
            **_dose(request, path),
        }
    return ITEM_FIELDS[kinds[0]], item


def _dose(request: dict, path: str) -> dict[str, Any]:
    doses = _sub_extensions(request, EXERCISE_DOSE_EXTENSION, path)
    if not doses:
        raise not_mappable(
            "A home exercise here has its whole dose (the `exercise-dose` extension: times a "
            "day and days a week); this ServiceRequest's timing cannot say both.",
            f"{path}.extension",
        )
    values = doses[0][1]
    dose = {field: values.get(name) for name, field in DOSE_FIELDS.items()}
    instruction = text(request, "patientInstruction", path) or ""
    try:
        sentence = dosage_sentence(Dosage(*(int(dose[f] or 0) for f in DOSE_FIELDS.values())))
    except (TypeError, ValueError):
        sentence = ""
    # The export says the dose in words before the instructions: only the instructions are kept.
    if sentence and instruction.startswith(sentence):
        instruction = instruction[len(sentence) :]
    return {**dose, "instructions": instruction.strip()}


def read_careplan(resource: dict, lookup: Lookup) -> Mapped:
    mapped = Mapped(fields={}, paths={})
    subject = reference(resource, "subject", "resource")
    if subject is None:
        raise invalid("A plan names its patient (`subject`).", "resource.subject")
    mapped.subject = subject
    status = text(resource, "status", "resource")
    if status not in STATUS_ACTIONS:
        raise not_mappable(
            f"A `{status}` plan is not imported; only {', '.join(STATUS_ACTIONS)} ones are.",
            "resource.status",
        )
    mapped.options["actions"] = STATUS_ACTIONS[status]
    _plan_fields(resource, mapped)
    _conditions(resource, mapped)
    goals = []
    for index, goal in objects(resource, "goal", "resource"):
        path = f"resource.goal[{index}].reference"
        target = text(goal, "reference", f"resource.goal[{index}]") or ""
        goals.append(_goal(_part(resource, lookup, target, path, "Goal")))
        mapped.parts.append(Part(target, ("goals", len(goals) - 1)))
    mapped.fields["goals"], mapped.paths["goals"] = goals, "resource.goal"
    mapped.options["removed"] = []
    claimed: set[int] = set()
    for index, activity in objects(resource, "activity", "resource"):
        where = f"resource.activity[{index}]"
        if "reference" not in activity:
            mapped.notes.append(Note("An activity without a ServiceRequest is not kept.", where))
            continue
        target = text(child(activity, "reference", where), "reference", where) or ""
        request = _part(resource, lookup, target, f"{where}.reference", "ServiceRequest")
        claimed.add(id(request))
        _add_intervention(mapped, target, request, f"{where}.reference", status)
    # Interventions taken off the plan are not its activities any more; they name it still.
    for target, request in lookup.referring("ServiceRequest", "basedOn"):
        if id(request) not in claimed:
            _add_intervention(mapped, target, request, "resource", status)
    return mapped


def _add_intervention(mapped: Mapped, target: str, request: dict, path: str, status: str) -> None:
    field, item = _intervention(request, path)
    items = mapped.fields.setdefault(field, [])
    items.append(item)
    mapped.paths.setdefault(field, "resource.activity")
    mapped.parts.append(Part(target, (field, len(items) - 1)))
    if request.get("status") == "revoked" and status != PlanStatus.REVOKED:
        mapped.options["removed"].append((field, len(items) - 1))


# The status machine's moves from a new (draft) plan to each status a CarePlan may have: through
# active (where visits are logged) unless it stays a draft; those after activation are made
# once the plan's visits are written (`finish_careplan`).
STATUS_ACTIONS: dict[str, list[str]] = {
    PlanStatus.DRAFT: [],
    **{
        status: PLAN_STATUS_MACHINE.path(PlanStatus.DRAFT, PlanStatus.ACTIVE)
        + PLAN_STATUS_MACHINE.path(PlanStatus.ACTIVE, status)
        for status in (
            PlanStatus.ACTIVE,
            PlanStatus.ON_HOLD,
            PlanStatus.COMPLETED,
            PlanStatus.REVOKED,
        )
    },
}


def create_careplan(*, fields: dict[str, Any], patient, user, **options: Any) -> TreatmentPlan:
    """`options`: `removed`, the (field, position) of the items taken off the plan, and
    `actions`, the status machine's moves to the CarePlan's status."""
    plan = plan_create(clinic=user.staff_clinic, by=user, **fields)
    if options["removed"]:
        rows = _items(plan)
        for field, position in options["removed"]:
            plan_item_remove(item=rows[field][position])
    for action in options["actions"][:1]:  # activate: its visits follow (`finish_careplan`)
        plan = plan_transition(plan=plan, action=action)
    return plan


def finish_careplan(plan: Model, options: dict[str, Any]) -> Model:
    """The plan's moves after activation (hold, complete, revoke), once its visits are in."""
    assert isinstance(plan, TreatmentPlan)
    for action in options["actions"][1:]:
        plan = plan_transition(plan=plan, action=action)
    return plan


def _start(resource: dict) -> str:
    period = resource.get("period")
    start = period.get("start") if isinstance(period, dict) else None
    return start if isinstance(start, str) else ""


def _items(plan: Model) -> dict[str, list[Any]]:
    """The plan's goals and planned items by field, in the order written (their position)."""
    return {field: list(getattr(plan, field).all()) for field in ("goals", *ITEM_FIELDS.values())}


def part_ids(plan: Model) -> dict[str, list[Any]]:
    return {field: [row.pk for row in rows] for field, rows in _items(plan).items()}


CAREPLAN_IMPORT = ImportKind(
    name="CarePlan",
    serializer=TreatmentPlanCreateSerializer,
    read=read_careplan,
    create=create_careplan,
    subject="subject",
    patient_field="patient",
    writers=PlanPermission.write_roles,
    writers_reason="treatment plans are written by chiropractors",
    rank=2,
    part_ids=part_ids,
    finish=finish_careplan,
    sort_key=_start,
    elements=STRUCTURAL
    | {
        "identifier",
        "extension",
        "status",
        "intent",
        "category",
        "title",  # the phase's name
        "description",  # the frequency in words
        "subject",
        "period",
        "addresses",
        "goal",
        "activity",
        "note",
        "author",  # the plan's chiropractor is the importing one
        "contributor",
        "created",
    },
)
GOAL_PART = PartKind(
    name="Goal",
    part_of="CarePlan",
    how="names it in `goal`",
    # A goal taken off its plan is no longer named by it (and names no plan itself).
    taken_off=lambda goal: goal.get("lifecycleStatus") == "cancelled",
    elements=STRUCTURAL
    | {
        "identifier",
        "lifecycleStatus",
        "achievementStatus",
        "description",
        "subject",
        "startDate",
        "target",
        "expressedBy",
    },
)
SERVICE_REQUEST_PART = PartKind(
    name="ServiceRequest",
    part_of="CarePlan",
    how="names it in `activity.reference`",
    elements=STRUCTURAL
    | {
        "identifier",
        "extension",
        "basedOn",
        "status",
        "intent",
        "category",
        "subject",
        "authoredOn",
        "requester",
        "code",
        "orderDetail",
        "quantityQuantity",
        "occurrencePeriod",
        "occurrenceTiming",
        "bodySite",
        "note",
        "patientInstruction",
    },
)
