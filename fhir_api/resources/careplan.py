"""CarePlan (US Core CarePlan): a treatment plan, the conditions it addresses, its goals and,
as activities, the ServiceRequest of each planned intervention.

The plan's status is the CarePlan's as stored (PlanStatus values are FHIR's request-status
codes: draft, active, on-hold, completed, revoked, entered-in-error). Its category is US Core's
assess-plan, with its phase of care in our own system beside it; its narrative says the phase,
the visit frequency and the weeks.
"""

from html import escape

from django.db.models import DateField, F, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Greatest

from api.permissions import CLINICAL_ROLES
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
from fhir_api.resources.servicerequest import intervention_text
from fhir_api.search import (
    PATIENT_PARAMETER,
    AnyTokenParameter,
    FixedTokenParameter,
    IdParameter,
    PeriodParameter,
    TokenParameter,
)
from fhir_api.systems import (
    CAREPLAN_CATEGORY,
    PLAN_PHASE,
    REEXAMINATION_INTERVAL,
    REQUEST_STATUS,
    VISIT_FREQUENCY,
)
from fhir_api.union_rows import column
from treatments.plans.frequency import Stage
from treatments.plans.models import (
    Goal,
    PlannedAdjustment,
    PlannedExercise,
    PlannedSoftTissue,
    PlanStatus,
    TreatmentPlan,
)
from treatments.plans.selectors import plan_list

ASSESS_PLAN = ("assess-plan", "Assessment and Plan of Treatment")
XHTML = "http://www.w3.org/1999/xhtml"


def careplan_rows(user: User) -> QuerySet[TreatmentPlan]:
    """The plans with their conditions, goals and interventions (treatments.plans.selectors),
    and the last day of their weeks for `date` searches: `weeks` is all stages' together
    (treatments.plans.frequency.end_date)."""
    last_day = CombinedExpression(
        F("start_date"), "+", F("weeks") * Value(7) - Value(1), output_field=DateField()
    )
    return plan_list(user=user).annotate(period_end=last_day, fhir_updated_at=_last_change())


def _last_change() -> Greatest:
    """When the CarePlan last changed: the plan's row, or one of its goals and interventions
    (the resource lists them), computed as it is read so that no writer can leave it stale.
    PostgreSQL's GREATEST passes a plan without items' NULLs by."""
    latest = [
        Subquery(
            model.objects.filter(plan=OuterRef("pk"))
            .order_by()
            .values("plan")
            .annotate(at=Max("updated_at"))
            .values("at")
        )
        for model in (Goal, PlannedAdjustment, PlannedSoftTissue, PlannedExercise)
    ]
    return Greatest("updated_at", *latest)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def frequency_words(stages: list[Stage]) -> str:
    """`3 visits a week for 4 weeks, then 2 visits a week for 6 weeks`."""
    return ", then ".join(
        f"{_count(s.visits_per_week, 'visit')} a week for {_count(s.weeks, 'week')}" for s in stages
    )


def _narrative(plan: TreatmentPlan) -> dict:
    lines = [
        f"{plan.get_phase_display()} plan, {plan.get_status_display().lower()}: "
        f"{frequency_words(plan.stages)} ({_count(plan.planned_visits, 'visit')}), "
        f"{plan.start_date.isoformat()} to {plan.end_date.isoformat()}.",
        f"Re-examination every {_count(plan.reexam_interval_days, 'day')} or "
        f"{_count(plan.reexam_interval_visits, 'visit')}, whichever comes first.",
    ]
    goals = [goal.description for goal in plan.goals.all()]
    if goals:
        lines.append("Goals: " + "; ".join(goals) + ".")
    planned = [intervention_text(item) for item in _interventions(plan)]
    if planned:
        lines.append("Planned: " + "; ".join(planned) + ".")
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{paragraphs}</div>'}


def _interventions(plan: TreatmentPlan) -> list:
    return [*plan.adjustments.all(), *plan.soft_tissue.all(), *plan.exercises.all()]


def _extensions(plan: TreatmentPlan) -> list[dict]:
    """The visit frequency's stages and the re-examination interval, which CarePlan has no
    element for (the narrative says them in words)."""
    stages = [
        complex_extension(VISIT_FREQUENCY, visitsPerWeek=stage.visits_per_week, weeks=stage.weeks)
        for stage in plan.stages
    ]
    interval = complex_extension(
        REEXAMINATION_INTERVAL,
        days=plan.reexam_interval_days,
        visits=plan.reexam_interval_visits,
    )
    return [*stages, interval]


def careplan_resource(plan: TreatmentPlan) -> dict:
    return compact(
        {
            "resourceType": "CarePlan",
            "id": str(plan.id),
            "meta": meta(plan, "us-core-careplan", updated=column(plan, "fhir_updated_at")),
            "text": _narrative(plan),
            "extension": _extensions(plan),
            "status": PlanStatus(plan.status).value,
            "intent": "plan",
            "category": [
                concept(CAREPLAN_CATEGORY, *ASSESS_PLAN),
                concept(PLAN_PHASE, plan.phase, plan.get_phase_display()),
            ],
            "title": f"{plan.get_phase_display()} plan",
            "description": f"{frequency_words(plan.stages)}.",
            "subject": reference("Patient", plan.patient_id),
            "period": {"start": day(plan.start_date), "end": day(plan.end_date)},
            "created": instant(plan.created_at),
            "author": reference("Practitioner", plan.chiropractor_id),
            "contributor": [
                reference("Practitioner", key)
                for key in dict.fromkeys((plan.chiropractor_id, plan.created_by_id))
            ],
            "addresses": [
                reference("Condition", link.condition_id) for link in plan.plan_conditions.all()
            ],
            "goal": [reference("Goal", goal.id) for goal in plan.goals.all()],
            "activity": [
                {"reference": reference("ServiceRequest", item.id, intervention_text(item))}
                for item in _interventions(plan)
            ],
            "note": [{"text": plan.notes}] if plan.notes else [],
        }
    )


CAREPLAN = ResourceKind(
    name="CarePlan",
    summary="Treatment plans: phase, visit frequency and weeks, the conditions addressed, "
    "goals and planned interventions (US Core CarePlan).",
    rows=careplan_rows,
    resource=careplan_resource,
    readers=CLINICAL_ROLES,
    audit_resource="treatment_plan",
    last_updated="fhir_updated_at",
    profiles=("us-core-careplan",),
    search={
        "_id": IdParameter("The plan's id."),
        "patient": PATIENT_PARAMETER,
        "category": AnyTokenParameter(
            f"assess-plan ({CAREPLAN_CATEGORY}: every plan), or the phase of care: relief, "
            f"corrective, maintenance ({PLAN_PHASE}).",
            parts=(
                FixedTokenParameter("", system=CAREPLAN_CATEGORY, code=ASSESS_PLAN[0]),
                TokenParameter("", column="phase", system=PLAN_PHASE),
            ),
        ),
        "status": TokenParameter(
            "draft, active, on-hold, completed, revoked, entered-in-error.",
            column="status",
            system=REQUEST_STATUS,
        ),
        "date": PeriodParameter(
            "The plan's weeks, first day to last (prefixes compare ranges as FHIR does).",
            start_column="start_date",
            end_column="period_end",
            is_date=True,
        ),
    },
)
