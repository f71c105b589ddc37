"""Procedure (US Core Procedure): each thing done at a visit — an adjustment, soft-tissue work,
an exercise taught or reviewed — from the three tables that keep them (fhir_api.union).

Each table is annotated with the same search columns: `patient_id`, and the codings of what
was done (`fhir_cpt`; `fhir_code` in `fhir_code_system`). The CPT code is the one billing
decided: an adjustment's is the CMT line of the signed visit's frozen coding that bills its
region (billing.coding: 98940–98942 by spinal regions, 98943 extraspinal), read from that
coding in SQL so that what a Procedure shows and what `code=` finds are one expression; a
draft's coding is not final, so its adjustments carry our own code only. Soft-tissue work and
timed exercises carry the CPT code billing bills them under (their modality's or exercise's);
an exercise only reviewed (no timed minutes) bills none.
"""

from typing import Any

from django.db.models import CharField, F, Func, JSONField, QuerySet, Value
from django.db.models.expressions import Case, When
from django.db.models.functions import Cast, Concat, JSONObject

from api.permissions import CLINICAL_ROLES
from api.shipped_rows import shipped_rows
from billing.visit_facts import segment_region
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import body_site, coding, compact, concept, instant, reference
from fhir_api.search import (
    PATIENT_PARAMETER,
    AnyTokenParameter,
    ClinicCodingParameter,
    DateParameter,
    IdParameter,
    ReferenceParameter,
    TokenParameter,
)
from fhir_api.systems import (
    CPT,
    EVENT_STATUS,
    EXERCISE,
    LISTING,
    MUSCLE,
    PERFORMED_DOSE,
    SEGMENT,
    SOFT_TISSUE_MODALITY,
    TECHNIQUE,
    UCUM,
    us_core,
    vocabulary_system,
)
from fhir_api.union_rows import Table, UnionKind
from reference.cpt import CPT_CHOICES, TIMED_CODES
from reference.models import Listing, Muscle, Segment, SoftTissueModality
from treatments.visits.models import (
    PerformedAdjustment,
    PerformedExercise,
    PerformedSoftTissue,
    VisitStatus,
)

CMT_CODES = [code for code, _ in CPT_CHOICES if code not in TIMED_CODES]
# The CMT line of a coding document (billing.visit_coding.coding_document) that bills a region.
CMT_LINE_OF_REGION = "$.lines[*] ? (@.regions[*] == $region && @.cpt == $cmt[*]).cpt"


class _JsonText(Func):
    """A JSON value as text (`#>> '{}'`): the string itself, not its JSON quoting."""

    template = "(%(expressions)s #>> '{}')"
    output_field = CharField()


class _KeyText(Func):
    """`object ->> key`: the text under a key of a JSON object."""

    arg_joiner = " ->> "
    template = "(%(expressions)s)"
    output_field = CharField()


def _segment_regions() -> dict[str, str]:
    """Each segment's billing region (billing.visit_facts.segment_region)."""
    return {str(code): segment_region(segment) for code, segment in shipped_rows(Segment).items()}


def _cmt_code() -> Func:
    """The CMT code of a signed visit's coding that bills the adjustment's region; null for a
    draft (no frozen coding) or a region its coding does not bill."""
    region = _KeyText(Value(_segment_regions(), output_field=JSONField()), F("segment_id"))
    found = Func(
        F("visit__signed_coding"),
        Func(Value(CMT_LINE_OF_REGION), template="(%(expressions)s)::jsonpath"),
        JSONObject(region=region, cmt=Value(CMT_CODES, output_field=JSONField())),
        function="jsonb_path_query_first",
        output_field=JSONField(),
    )
    return _JsonText(found)


def _clinic_system(system: str, relation: str) -> Case:
    """The system of a technique's or exercise's code: shipped, or the clinic's own."""
    return Case(
        When(**{f"{relation}__clinic_id__isnull": True}, then=Value(system)),
        default=Concat(Value(f"{system}/"), Cast(f"{relation}__clinic_id", CharField())),
        output_field=CharField(),
    )


def adjustment_rows(user: User) -> QuerySet[Any]:
    return (
        PerformedAdjustment.objects.for_clinic(user.clinic_id)
        .select_related("visit", "technique")
        .annotate(
            patient_id=F("visit__patient_id"),
            fhir_cpt=_cmt_code(),
            fhir_code=F("technique__code"),
            fhir_code_system=_clinic_system(TECHNIQUE, "technique"),
        )
    )


def soft_tissue_rows(user: User) -> QuerySet[Any]:
    return (
        PerformedSoftTissue.objects.for_clinic(user.clinic_id)
        .select_related("visit")
        .annotate(
            patient_id=F("visit__patient_id"),
            fhir_cpt=F("modality__cpt_code"),
            fhir_code=F("modality_id"),
            fhir_code_system=Value(SOFT_TISSUE_MODALITY, output_field=CharField()),
        )
    )


def exercise_rows(user: User) -> QuerySet[Any]:
    return (
        PerformedExercise.objects.for_clinic(user.clinic_id)
        .select_related("visit", "exercise")
        .annotate(
            patient_id=F("visit__patient_id"),
            # Billing counts an exercise's timed minutes only (billing.visit_facts).
            fhir_cpt=Case(
                When(minutes__gt=0, then=F("exercise__cpt_code")),
                default=None,
                output_field=CharField(),
            ),
            fhir_code=F("exercise__code"),
            fhir_code_system=_clinic_system(EXERCISE, "exercise"),
        )
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _with_side(text: str, laterality: str) -> str:
    return f"{text} ({laterality})" if laterality else text


def performed_dose(*, minutes: int = 0, sets: int = 0, repetitions: int = 0) -> list[dict]:
    """The performed-dose extension: what was done, counted (the counts that are not zero)."""
    parts: list[dict] = []
    if minutes:
        duration = {"value": minutes, "unit": "min", "system": UCUM, "code": "min"}
        parts.append({"url": "minutes", "valueDuration": duration})
    parts += [
        {"url": name, "valuePositiveInt": count}
        for name, count in (("sets", sets), ("repetitions", repetitions))
        if count
    ]
    return [{"url": PERFORMED_DOSE, "extension": parts}] if parts else []


def _procedure(item: Any, *, code: dict, body_sites: list[dict], **more: Any) -> dict:
    """What every performed item says alike: its visit, patient, time, performer, status."""
    visit = item.visit
    cpt = [coding(CPT, item.fhir_cpt)] if item.fhir_cpt else []
    return compact(
        {
            "resourceType": "Procedure",
            "id": str(item.id),
            # An item changes only with its visit (a draft's edit, a coding correction).
            "meta": {
                "lastUpdated": instant(visit.updated_at),
                "profile": [us_core("us-core-procedure")],
            },
            "basedOn": [reference("ServiceRequest", item.planned_item_id)]
            if item.planned_item_id
            else [],
            "status": "entered-in-error"
            if visit.status == VisitStatus.ENTERED_IN_ERROR
            else "completed",
            "code": {**code, "coding": cpt + code["coding"]},
            "subject": reference("Patient", visit.patient_id),
            "encounter": reference("Encounter", visit.id),
            "performedDateTime": instant(visit.visit_at),
            "performer": [
                {
                    "actor": reference("Practitioner", visit.chiropractor_id),
                    "onBehalfOf": reference("Organization", visit.clinic_id),
                }
            ],
            "bodySite": body_sites,
            **more,
        }
    )


def adjustment_resource(item: PerformedAdjustment) -> dict:
    segment = shipped_rows(Segment)[item.segment_id]
    technique = item.technique
    listing = shipped_rows(Listing)[item.listing_id] if item.listing_id else None
    done = f"Adjustment of {segment.name}" + (f" ({listing.code})" if listing else "")
    return _procedure(
        item,
        code={
            "coding": [
                coding(
                    vocabulary_system(TECHNIQUE, technique.clinic_id),
                    technique.code,
                    technique.name,
                )
            ],
            "text": f"{_with_side(done, item.laterality)}, {technique.name}",
        },
        body_sites=[
            concept(
                SEGMENT, segment.code, segment.name, text=_with_side(segment.name, item.laterality)
            ),
            body_site(segment_region(segment), item.laterality),
        ],
        # The listing is the misalignment or restriction the adjustment corrects.
        reasonCode=[concept(LISTING, listing.code, listing.description)] if listing else [],
    )


def soft_tissue_resource(item: PerformedSoftTissue) -> dict:
    modality = shipped_rows(SoftTissueModality)[item.modality_id]
    muscles = [shipped_rows(Muscle)[code] for code in item.muscles]
    # A region recorded on the work itself wins over its muscles' (as billing reads it).
    regions = [item.body_region] if item.body_region else sorted({m.body_region for m in muscles})
    worked = ", ".join(muscle.name.lower() for muscle in muscles)
    return _procedure(
        item,
        code={
            "coding": [coding(SOFT_TISSUE_MODALITY, modality.code, modality.name)],
            "text": _with_side(f"{modality.name}, {item.minutes} min: {worked}", item.laterality),
        },
        body_sites=[concept(MUSCLE, m.code, m.name) for m in muscles]
        + [body_site(region, item.laterality) for region in regions],
        extension=performed_dose(minutes=item.minutes),
    )


def exercise_resource(item: PerformedExercise) -> dict:
    exercise = item.exercise
    dose = f"{_count(item.sets, 'set')} × {_count(item.repetitions, 'repetition')}"
    timed = f", {item.minutes} min" if item.minutes else ", reviewed"
    return _procedure(
        item,
        code={
            "coding": [
                coding(
                    vocabulary_system(EXERCISE, exercise.clinic_id), exercise.code, exercise.name
                )
            ],
            "text": f"{exercise.name}: {dose}{timed}",
        },
        body_sites=[body_site(item.body_region or exercise.body_region)],
        extension=performed_dose(
            minutes=item.minutes, sets=item.sets, repetitions=item.repetitions
        ),
    )


PERFORMED = UnionKind(
    (
        Table("adjustment", adjustment_rows, adjustment_resource),
        Table("soft-tissue", soft_tissue_rows, soft_tissue_resource),
        Table("exercise", exercise_rows, exercise_resource),
    )
)

PROCEDURE = ResourceKind(
    name="Procedure",
    summary="What was done at each visit: adjustments (segment, listing, technique), "
    "soft-tissue work (modality, muscles, minutes), exercises (sets, repetitions), with the "
    "CPT code billing decided (US Core Procedure).",
    rows=PERFORMED.rows,
    resource=PERFORMED.resource,
    id_of=PERFORMED.id_of,
    readers=CLINICAL_ROLES,
    audit_resource="performed_item",
    # An item changes only with its visit.
    last_updated="visit__updated_at",
    # Ids are UUIDs across the three tables: unique, so pages never tie.
    ordering="id",
    profiles=("us-core-procedure",),
    search={
        "_id": IdParameter("The performed item's id."),
        "patient": PATIENT_PARAMETER,
        "subject": ReferenceParameter(
            "The patient (`Patient/<id>`).", column="patient_id", target="Patient"
        ),
        "encounter": ReferenceParameter(
            "The visit (`Encounter/<id>`).", column="visit_id", target="Encounter"
        ),
        "date": DateParameter("When the visit took place.", column="visit__visit_at"),
        "code": AnyTokenParameter(
            "A CPT code (98940–98943 of a signed visit, 97140, 97124, 97110, 97112), or our "
            "own code of the technique, soft-tissue modality or exercise.",
            parts=(
                TokenParameter(column="fhir_cpt", system=CPT, description=""),
                ClinicCodingParameter(
                    code_column="fhir_code", system_column="fhir_code_system", description=""
                ),
            ),
        ),
        "status": TokenParameter(
            "completed, or entered-in-error (a discarded visit's).",
            column="visit__status",
            system=EVENT_STATUS,
            codes={
                "completed": (VisitStatus.DRAFT, VisitStatus.SIGNED),
                "entered-in-error": (VisitStatus.ENTERED_IN_ERROR,),
            },
        ),
    },
)
