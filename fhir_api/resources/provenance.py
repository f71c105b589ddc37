"""Provenance (US Core Provenance): who signed a visit and when, and each amendment of it since,
from two tables (fhir_api.union): signed visits and amendments.

A signature has no row of its own: it is the signed visit's `signed_by` and `signed_at`, and
its Provenance's id is `signature-<visit id>` (valid, stable, and telling the two tables' ids
apart). An amendment's Provenance keeps the amendment's own id.
"""

from django.db.models import F, Q, QuerySet, UUIDField, Value

from api.permissions import CLINICAL_ROLES
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import compact, concept, instant, reference
from fhir_api.search import PATIENT_PARAMETER, IdParameter, ReferenceParameter
from fhir_api.systems import (
    DATA_OPERATION,
    DOCUMENT_COMPLETION,
    PROVENANCE_PARTICIPANT_TYPE,
    SIGNATURE_TYPE,
    us_core,
)
from fhir_api.union_rows import Table, UnionKind
from treatments.visits.models import (
    Amendment,
    PerformedAdjustment,
    PerformedExercise,
    PerformedSoftTissue,
    Visit,
    VisitStatus,
)
from treatments.visits.selectors import visit_list

SIGNATURE_PREFIX = "signature-"
AUTHOR = concept(PROVENANCE_PARTICIPANT_TYPE, "author", "Author")
SIGNED = concept(DOCUMENT_COMPLETION, "LA", "legally authenticated", text="Signed")
AUTHORS_SIGNATURE = {
    "system": SIGNATURE_TYPE,
    "code": "1.2.840.10065.1.12.1.1",
    "display": "Author's Signature",
}
NO_UUID = Value(None, output_field=UUIDField())


def signature_rows(user: User) -> QuerySet[Visit]:
    """Signed visits with their performed items (what a signature covers)."""
    return (
        visit_list(user=user)
        .filter(status=VisitStatus.SIGNED)
        .annotate(
            fhir_signed_visit=F("id"),
            fhir_amendment=NO_UUID,
            fhir_encounter=F("id"),
            fhir_recorded=F("signed_at"),
        )
    )


def amendment_rows(user: User) -> QuerySet[Amendment]:
    return (
        Amendment.objects.for_clinic(user.clinic_id)
        .select_related("visit")
        .annotate(
            patient_id=F("visit__patient_id"),
            fhir_signed_visit=NO_UUID,
            fhir_amendment=F("id"),
            fhir_encounter=F("visit_id"),
            fhir_recorded=F("created_at"),
        )
    )


def _author(user_id: object, clinic_id: object) -> dict:
    return {
        "type": AUTHOR,
        "who": reference("Practitioner", user_id),
        "onBehalfOf": reference("Organization", clinic_id),
    }


def signature_resource(visit: Visit) -> dict:
    items = [*visit.adjustments.all(), *visit.soft_tissue.all(), *visit.exercises.all()]
    signed_at = instant(visit.signed_at)
    return compact(
        {
            "resourceType": "Provenance",
            "id": f"{SIGNATURE_PREFIX}{visit.id}",
            "meta": {"lastUpdated": signed_at, "profile": [us_core("us-core-provenance")]},
            # The visit and what it records as performed now (a coding correction since
            # replaced items: it is recorded in the visit's coding corrections).
            "target": [reference("Encounter", visit.id)]
            + [reference("Procedure", item.id) for item in items],
            "recorded": signed_at,
            "activity": SIGNED,
            "agent": [_author(visit.signed_by_id, visit.clinic_id)],
            "signature": [
                {
                    "type": [AUTHORS_SIGNATURE],
                    "when": signed_at,
                    "who": reference("Practitioner", visit.signed_by_id),
                }
            ],
        }
    )


def amendment_resource(amendment: Amendment) -> dict:
    recorded = instant(amendment.created_at)
    return compact(
        {
            "resourceType": "Provenance",
            "id": str(amendment.id),
            "meta": {"lastUpdated": recorded, "profile": [us_core("us-core-provenance")]},
            "target": [reference("Encounter", amendment.visit_id)],
            "recorded": recorded,
            "activity": concept(
                DATA_OPERATION,
                "UPDATE",
                "revise",
                text=f"Amended ({amendment.get_section_display().lower()})",
            ),
            "reason": [{"text": amendment.reason}],
            "agent": [_author(amendment.author_id, amendment.clinic_id)],
        }
    )


def _signatures_of_procedure(key: object) -> Q:
    """The signature covering a performed item: its visit's."""
    found = Q(pk__in=[])
    for model in (PerformedAdjustment, PerformedSoftTissue, PerformedExercise):
        found |= Q(fhir_signed_visit__in=model.objects.filter(pk=key).values("visit_id"))
    return found


SIGNATURES_AND_AMENDMENTS = UnionKind(
    (
        Table("signature", signature_rows, signature_resource, id_prefix=SIGNATURE_PREFIX),
        Table("amendment", amendment_rows, amendment_resource),
    )
)

PROVENANCE = ResourceKind(
    name="Provenance",
    summary="Who signed each visit and when (id `signature-<visit id>`), and each amendment "
    "since: its author, time and reason (US Core Provenance).",
    rows=SIGNATURES_AND_AMENDMENTS.rows,
    resource=SIGNATURES_AND_AMENDMENTS.resource,
    id_of=SIGNATURES_AND_AMENDMENTS.id_of,
    readers=CLINICAL_ROLES,
    audit_resource="visit_provenance",
    last_updated="fhir_recorded",
    # Ids are UUIDs across both tables (a signature's is its visit's): unique, so pages never tie.
    ordering="id",
    profiles=("us-core-provenance",),
    search={
        "_id": IdParameter(
            "`signature-<visit id>` or an amendment's id.",
            prefixes={SIGNATURE_PREFIX: "fhir_signed_visit", "": "fhir_amendment"},
        ),
        "target": ReferenceParameter(
            "The visit (`Encounter/<id>`): its signature and amendments; or a performed item "
            "(`Procedure/<id>`): its visit's signature.",
            column="fhir_encounter",
            target="Encounter",
            also={"Procedure": _signatures_of_procedure},
        ),
        "patient": PATIENT_PARAMETER,
    },
    not_held={
        "Provenance.agent:ProvenanceTransmitter": "Records are authored here, not relayed.",
        "Provenance.agent:ProvenanceTransmitter.type": "Records are authored here, not relayed.",
    },
)
