"""ServiceRequest (US Core ServiceRequest): each planned intervention of a treatment plan, an
adjustment, soft-tissue work or a stretch or exercise of the home programme.

The three kinds live in three tables (treatments.plans.models), served as one type through
union rows (fhir_api.union_rows); their ids are UUIDs, unique across the three. A request
removed from its plan is kept, `revoked`.

Codes: CPT as billing.coding bills the intervention (an adjustment's CMT code counts the
spinal regions its plan adjusts, as a visit carrying out the plan would be billed; soft-tissue
work the modality's timed code, an exercise its own), with our own coding of the technique,
modality or exercise beside it. Categories: ours (adjustment, soft-tissue, exercise); a home
exercise programme is also SNOMED CT Education, the only code of US Core's category value set
that fits any of them.
"""

from functools import cache
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat

from api.permissions import PlanContentPermission
from billing.coding import SPINAL_REGIONS, VisitFacts, code_visit
from billing.visit_facts import JOINT_REGIONS, segment_region
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import (
    compact,
    complex_extension,
    concept,
    day,
    instant,
    meta,
    reference,
)
from fhir_api.resources.vocabulary import (
    body_region_concept,
    exercise_coding,
    listing_concept,
    modality_coding,
    muscle_concept,
    muscles_of,
    segment_concept,
    side_concept,
    technique_coding,
)
from fhir_api.search import (
    PATIENT_PARAMETER,
    AnyTokenParameter,
    ClinicCodingParameter,
    DateParameter,
    DerivedTokenParameter,
    IdParameter,
    ReferenceParameter,
    TokenParameter,
)
from fhir_api.systems import (
    CPT,
    EXERCISE,
    EXERCISE_DOSE,
    EXERCISE_DOSE_EXTENSION,
    PLANNED_INTERVENTION,
    REQUEST_STATUS,
    SNOMED,
    SOFT_TISSUE_MODALITY,
    TECHNIQUE,
    UCUM,
)
from fhir_api.union_rows import TABLE, Branch, UnionRows, column
from reference.models import CmtRegion
from treatments.plans.home_program import Dosage, dosage_sentence
from treatments.plans.models import (
    PlannedAdjustment,
    PlannedExercise,
    PlannedSoftTissue,
    PlanStatus,
    TreatmentPlan,
)

ADJUSTMENT, SOFT_TISSUE, EXERCISE_ITEM = "adjustment", "soft-tissue", "exercise"
INTERVENTIONS = {
    ADJUSTMENT: "Chiropractic adjustment",
    SOFT_TISSUE: "Soft-tissue therapy",
    EXERCISE_ITEM: "Home exercise programme",
}
# SNOMED CT 409073007 |Education|, of the value set US Core binds its category slice to: a
# home exercise programme is taught to the patient, who carries it out.
EDUCATION = ("409073007", "Education")


def request_status(plan_status: str, current: bool) -> str:
    """A planned intervention's request status: its plan's (PlanStatus values are FHIR's
    request-status codes), `revoked` once taken off the plan, `entered-in-error` with a plan
    recorded by mistake, removed or not."""
    if plan_status == PlanStatus.ENTERED_IN_ERROR:
        return PlanStatus.ENTERED_IN_ERROR.value
    if not current:
        return PlanStatus.REVOKED.value
    return PlanStatus(plan_status).value


def _cmt_line(regions: frozenset[str], region: str) -> str | None:
    """The CPT code of the CMT line billing.coding bills `region` under, for a visit adjusting
    `regions`."""
    lines = code_visit(VisitFacts(adjusted_regions=regions)).lines
    return next((line.cpt for line in lines if region in line.regions), None)


@cache
def adjustment_cpt(cmt_region: str, spinal_regions: int) -> str | None:
    """The CPT code a visit carrying out the plan bills an adjustment under: by its segment's
    CMT region, and the number of spinal regions the plan's adjustments treat (this one's too)."""
    if cmt_region in SPINAL_REGIONS:
        others = [r for r in SPINAL_REGIONS if r != cmt_region][: max(spinal_regions - 1, 0)]
        return _cmt_line(frozenset({cmt_region, *others}), cmt_region)
    # An extraspinal joint bills in its CMS region (billing.visit_facts); the code is the same
    # for each, which is checked here rather than assumed.
    codes = {
        _cmt_line(frozenset({region, *SPINAL_REGIONS[:spinal_regions]}), region)
        for region in set(JOINT_REGIONS.values())
    }
    if len(codes) != 1:
        raise ValueError("Extraspinal CMT regions bill under different codes: code by joint.")
    return codes.pop()


# The spinal regions the plan's current adjustments (and this one) treat, each once.
_PLAN_SPINAL_REGIONS = Coalesce(
    Subquery(
        PlannedAdjustment.objects.filter(plan=OuterRef("plan"))
        .filter(Q(removed_at__isnull=True) | Q(pk=OuterRef("pk")))
        .filter(segment__cmt_region__in=SPINAL_REGIONS)
        .order_by()
        .values("plan")
        .annotate(regions=Count("segment__cmt_region", distinct=True))
        .values("regions"),
        output_field=IntegerField(),
    ),
    0,
)


def _system_column(system: str, clinic_lookup: str) -> Case:
    """The system of a reference entry's code, in SQL (fhir_api.systems.vocabulary_system)."""
    return Case(
        When(**{f"{clinic_lookup}__isnull": True}, then=Value(system)),
        default=Concat(Value(f"{system}/"), Cast(clinic_lookup, CharField())),
        output_field=CharField(),
    )


def _columns(
    *, cpt: object, code: object, system: object, cmt_region: object, spinal_regions: object
) -> dict[str, object]:
    """The union's shared columns: what search reads, named alike in the three tables. An
    adjustment's CPT code is not a column: billing.coding derives it from its segment's CMT
    region and the spinal regions its plan adjusts, which are."""
    return {
        "patient_id": F("plan__patient_id"),
        "cpt_code": cpt,
        "intervention_code": code,
        "intervention_system": system,
        "cmt_region": cmt_region,
        "spinal_regions": spinal_regions,
    }


NONE = Value("", output_field=CharField())
NO_REGIONS = Value(0, output_field=IntegerField())


def _rows(
    model: type[PlannedAdjustment | PlannedSoftTissue | PlannedExercise], user: User
) -> QuerySet[Any]:
    # Removed items too: a request taken off its plan is served, revoked.
    return model.objects.for_clinic(user.clinic_id).select_related("plan")


def servicerequest_rows(user: User) -> UnionRows:
    return UnionRows.of(
        Branch(
            ADJUSTMENT,
            _rows(PlannedAdjustment, user).select_related("segment", "listing", "technique"),
            _columns(
                cpt=NONE,
                code=F("technique__code"),
                system=_system_column(TECHNIQUE, "technique__clinic_id"),
                cmt_region=F("segment__cmt_region"),
                spinal_regions=_PLAN_SPINAL_REGIONS,
            ),
        ),
        Branch(
            SOFT_TISSUE,
            _rows(PlannedSoftTissue, user).select_related("modality"),
            _columns(
                cpt=F("modality__cpt_code"),
                code=F("modality_id"),
                system=Value(SOFT_TISSUE_MODALITY, output_field=CharField()),
                cmt_region=NONE,
                spinal_regions=NO_REGIONS,
            ),
        ),
        Branch(
            EXERCISE_ITEM,
            _rows(PlannedExercise, user).select_related("exercise"),
            _columns(
                cpt=F("exercise__cpt_code"),
                code=F("exercise__code"),
                system=_system_column(EXERCISE, "exercise__clinic_id"),
                cmt_region=NONE,
                spinal_regions=NO_REGIONS,
            ),
        ),
    )


def adjustment_text(item: PlannedAdjustment) -> str:
    """`Diversified adjustment of C5 (PRS)`."""
    where = item.segment.name
    if item.laterality:
        where = f"{where}, {item.get_laterality_display().lower()}"
    listing = f" ({item.listing.code})" if item.listing is not None else ""
    return f"{item.technique.name} adjustment of {where}{listing}"


def soft_tissue_text(item: PlannedSoftTissue) -> str:
    """`Myofascial release, 8 min: upper trapezius, levator scapulae`."""
    muscles = ", ".join(m.name.lower() for m in muscles_of(item.muscles))
    return f"{item.modality.name}, {item.minutes} min" + (f": {muscles}" if muscles else "")


def exercise_text(item: PlannedExercise) -> str:
    side = f", {item.get_laterality_display().lower()}" if item.laterality else ""
    return f"{item.exercise.name}{side}"


def intervention_text(item: PlannedAdjustment | PlannedSoftTissue | PlannedExercise) -> str:
    if isinstance(item, PlannedAdjustment):
        return adjustment_text(item)
    if isinstance(item, PlannedSoftTissue):
        return soft_tissue_text(item)
    return exercise_text(item)


def _plan_period(plan: TreatmentPlan) -> dict:
    return {"start": day(plan.start_date), "end": day(plan.end_date)}


def _code(cpt: str | None, local: dict, text: str) -> dict:
    codings = ([{"system": CPT, "code": cpt}] if cpt else []) + [local]
    return {"coding": codings, "text": text}


def _category(table: str) -> list[dict]:
    found = [concept(PLANNED_INTERVENTION, table, INTERVENTIONS[table], INTERVENTIONS[table])]
    if table == EXERCISE_ITEM:
        found.append(concept(SNOMED, *EDUCATION))
    return found


def _adjustment(item: PlannedAdjustment) -> dict:
    return {
        "code": _code(
            adjustment_cpt(item.segment.cmt_region, column(item, "spinal_regions")),
            technique_coding(item.technique),
            adjustment_text(item),
        ),
        "orderDetail": [
            listing_concept(item.listing) if item.listing is not None else None,
            side_concept(item.laterality),
        ],
        "occurrencePeriod": _plan_period(item.plan),
        "bodySite": [
            segment_concept(item.segment, item.laterality),
            body_region_concept(segment_region(item.segment)),
        ],
        "note": [{"text": item.notes}] if item.notes else [],
    }


def _soft_tissue(item: PlannedSoftTissue) -> dict:
    muscles = muscles_of(item.muscles)
    regions = dict.fromkeys(m.body_region for m in muscles)
    return {
        "code": _code(
            column(item, "cpt_code"), modality_coding(item.modality), soft_tissue_text(item)
        ),
        "orderDetail": [side_concept(item.laterality)],
        "quantityQuantity": {
            "value": item.minutes,
            "unit": "min",
            "system": UCUM,
            "code": "min",
        },
        "occurrencePeriod": _plan_period(item.plan),
        "bodySite": [muscle_concept(m, item.laterality) for m in muscles]
        + [body_region_concept(r) for r in regions],
        "note": [{"text": item.notes}] if item.notes else [],
    }


def _repeat(item: PlannedExercise) -> dict:
    """How often: times a day, or, on fewer than seven days a week, the week's sessions (a
    Timing cannot say both; the patient instruction does)."""
    if item.days_per_week == 7:
        return {"frequency": item.times_per_day, "period": 1, "periodUnit": "d"}
    return {"frequency": item.times_per_day * item.days_per_week, "period": 1, "periodUnit": "wk"}


def _exercise(item: PlannedExercise) -> dict:
    dosage = dosage_sentence(
        Dosage(
            item.sets, item.repetitions, item.hold_seconds, item.times_per_day, item.days_per_week
        )
    )
    return {
        "code": _code(
            column(item, "cpt_code"), exercise_coding(item.exercise), exercise_text(item)
        ),
        "orderDetail": [
            concept(
                EXERCISE_DOSE,
                "repetitions",
                "Repetitions per set",
                f"{item.repetitions} repetitions per set",
            ),
            concept(
                EXERCISE_DOSE,
                "hold-seconds",
                "Seconds to hold each repetition",
                f"Hold each repetition {item.hold_seconds} seconds",
            )
            if item.hold_seconds
            else None,
            side_concept(item.laterality),
        ],
        "quantityQuantity": {"value": item.sets, "unit": "sets", "system": UCUM, "code": "{set}"},
        "occurrenceTiming": {"repeat": {"boundsPeriod": _plan_period(item.plan), **_repeat(item)}},
        "bodySite": [body_region_concept(item.exercise.body_region)],
        "patientInstruction": f"{dosage} {item.instructions}".strip(),
        # The Timing cannot say both times a day and days a week: the whole dose, exactly.
        "extension": [
            complex_extension(
                EXERCISE_DOSE_EXTENSION,
                sets=item.sets,
                repetitions=item.repetitions,
                holdSeconds=item.hold_seconds,
                timesPerDay=item.times_per_day,
                daysPerWeek=item.days_per_week,
            )
        ],
    }


def servicerequest_resource(item: PlannedAdjustment | PlannedSoftTissue | PlannedExercise) -> dict:
    table = column(item, TABLE)
    if isinstance(item, PlannedAdjustment):
        details = _adjustment(item)
    elif isinstance(item, PlannedSoftTissue):
        details = _soft_tissue(item)
    else:
        details = _exercise(item)
    plan = item.plan
    details["orderDetail"] = [d for d in details["orderDetail"] if d is not None]
    return compact(
        {
            "resourceType": "ServiceRequest",
            "id": str(item.id),
            "meta": meta(item, "us-core-servicerequest"),
            "basedOn": [reference("CarePlan", plan.id)],
            "status": request_status(plan.status, item.removed_at is None),
            "intent": "plan",
            "category": _category(table),
            "subject": reference("Patient", plan.patient_id),
            "authoredOn": instant(item.created_at),
            "requester": reference("Practitioner", plan.chiropractor_id),
            **details,
        }
    )


SERVICE_REQUEST = ResourceKind(
    name="ServiceRequest",
    summary="Planned interventions of treatment plans, one request each: adjustments, "
    "soft-tissue work, home exercises (US Core ServiceRequest).",
    rows=servicerequest_rows,
    resource=servicerequest_resource,
    readers=PlanContentPermission.read_roles,
    # One name for the three tables (the REST API's plan_adjustment, plan_soft_tissue and
    # plan_exercise): an event names one resource type, and a search's page mixes them.
    audit_resource="plan_item",
    profiles=("us-core-servicerequest",),
    search={
        "_id": IdParameter("The request's id (the planned item's)."),
        "patient": PATIENT_PARAMETER,
        "based-on": ReferenceParameter(
            "The treatment plan (`CarePlan/<id>` or the id).", column="plan_id", target="CarePlan"
        ),
        "status": DerivedTokenParameter(
            "draft, active, on-hold, completed, revoked (also an item taken off its plan), "
            "entered-in-error: the plan's status as the request's.",
            columns=(
                ("plan__status", tuple(PlanStatus.values)),
                ("removed_at__isnull", (True, False)),
            ),
            derive=request_status,
            system=REQUEST_STATUS,
        ),
        "category": AnyTokenParameter(
            f"adjustment, soft-tissue or exercise ({PLANNED_INTERVENTION}); SNOMED CT "
            "409073007 (Education) for home exercises.",
            parts=(
                TokenParameter(column=TABLE, system=PLANNED_INTERVENTION, description=""),
                TokenParameter(
                    column=TABLE,
                    system=SNOMED,
                    codes={EDUCATION[0]: (EXERCISE_ITEM,)},
                    description="",
                ),
            ),
        ),
        "code": AnyTokenParameter(
            "A CPT code (98940–98943, 97140, 97124, 97110, 97112), or our code of the "
            "technique, modality or exercise.",
            parts=(
                TokenParameter(column="cpt_code", system=CPT, description=""),
                DerivedTokenParameter(
                    columns=(
                        ("cmt_region", tuple(CmtRegion.values)),
                        ("spinal_regions", tuple(range(len(SPINAL_REGIONS) + 1))),
                    ),
                    derive=adjustment_cpt,
                    system=CPT,
                    description="",
                ),
                ClinicCodingParameter(
                    code_column="intervention_code",
                    system_column="intervention_system",
                    description="",
                ),
            ),
        ),
        "authored": DateParameter("When the intervention was planned.", column="created_at"),
    },
    not_held={
        "ServiceRequest.category:us-core": "No code of the slice's value set (US Core's "
        "categories, evaluation, social service, laboratory, imaging, counselling, education, "
        "surgery) is an adjustment or soft-tissue work: they carry our own category only. A "
        "home exercise programme also carries SNOMED CT 409073007 Education.",
    },
)
