"""Observation → an outcome measure: the pain score (NRS, LOINC 72514-3) with its value.

Questionnaire scores are not imported: an NDI or ODI measure here is its ten item answers,
which the server scores (treatments.outcomes.services); a score alone (LOINC 82237-9, the NDI
total; 97909-6, the ODI percent) cannot be recorded without inventing answers, so it is
reported not mappable.
"""

from typing import Any

from api.permissions import OutcomePermission
from fhir_api.resources.observation import CODES, QUESTIONNAIRES
from fhir_api.systems import LOINC
from fhir_import.error_codes import ImportCode
from fhir_import.kinds import STRUCTURAL, ImportKind, Lookup
from fhir_import.reading import (
    EntryRefused,
    Mapped,
    child,
    codings,
    described,
    not_mappable,
    reference,
    text,
)
from treatments.outcomes.models import Instrument
from treatments.outcomes.serializers import OutcomeMeasureSerializer
from treatments.outcomes.services import outcome_record

# The LOINC codes the Observation read writes (fhir_api.resources.observation).
PAIN_SEVERITY = CODES[Instrument.NRS][0]  # 72514-3
QUESTIONNAIRE_TOTALS = {CODES[instrument][0]: instrument for instrument in QUESTIONNAIRES}
# Results that stand: a preliminary, cancelled or erroneous one is not an outcome measure.
STANDING = frozenset({"final", "amended", "corrected"})


def _measured_at(resource: dict, mapped: Mapped) -> None:
    for element in ("effectiveDateTime", "effectiveInstant"):
        value = text(resource, element, "resource")
        if value is not None:
            mapped.fields["measured_at"] = value
            mapped.paths["measured_at"] = f"resource.{element}"
            return
    period = child(resource, "effectivePeriod", "resource")
    start = text(period, "start", "resource.effectivePeriod")
    mapped.paths["measured_at"] = (
        "resource.effectivePeriod.start" if period else "resource.effectiveDateTime"
    )
    if start is not None:
        mapped.fields["measured_at"] = start
        return
    raise EntryRefused(
        400,
        ImportCode.INVALID_ENTRY,
        "An outcome measure says when it was taken (`effectiveDateTime`).",
        mapped.paths["measured_at"],
    )


def _value(resource: dict, mapped: Mapped) -> None:
    if "valueInteger" in resource:
        mapped.fields["value"], mapped.paths["value"] = (
            resource["valueInteger"],
            "resource.valueInteger",
        )
        return
    quantity = child(resource, "valueQuantity", "resource")
    mapped.paths["value"] = "resource.valueQuantity.value"
    if "value" not in quantity:
        raise EntryRefused(
            400,
            ImportCode.INVALID_ENTRY,
            "A pain score has its value (`valueQuantity.value`, 0–10).",
            "resource.valueQuantity",
        )
    mapped.fields["value"] = quantity["value"]


def read_observation(resource: dict, lookup: Lookup) -> Mapped:
    mapped = Mapped(fields={"instrument": Instrument.NRS}, paths={"instrument": "resource.code"})
    subject = reference(resource, "subject", "resource")
    if subject is None:
        raise EntryRefused(
            400,
            ImportCode.INVALID_ENTRY,
            "An observation names its patient (`subject`).",
            "resource.subject",
        )
    mapped.subject = subject
    concept = child(resource, "code", "resource")
    loinc = {code for _, system, code, _ in codings(concept, "resource.code") if system == LOINC}
    totals = [QUESTIONNAIRE_TOTALS[code] for code in loinc if code in QUESTIONNAIRE_TOTALS]
    if totals:
        raise not_mappable(
            f"An {totals[0].upper()} is recorded here as its ten item answers, which the server "
            "scores; a score alone cannot be recorded.",
            "resource.code",
        )
    if PAIN_SEVERITY not in loinc:
        raise not_mappable(
            f"{described(concept, 'resource.code')} is not an outcome measure kept here; only "
            f"the pain score (LOINC {PAIN_SEVERITY}) is imported.",
            "resource.code",
        )
    status = text(resource, "status", "resource")
    if status not in STANDING:
        raise not_mappable(
            f"Only final results are imported; this one is `{status}`.", "resource.status"
        )
    _measured_at(resource, mapped)
    _value(resource, mapped)
    return mapped


def create_observation(*, fields: dict[str, Any], patient, user, **options: Any) -> Any:
    return outcome_record(patient=patient, by=user, **fields)


OBSERVATION_IMPORT = ImportKind(
    name="Observation",
    serializer=OutcomeMeasureSerializer,
    read=read_observation,
    create=create_observation,
    subject="subject",
    writers=OutcomePermission.write_roles,
    writers_reason="outcome measures are recorded by chiropractors",
    claimed_by=frozenset({"Encounter"}),
    rank=4,  # after the visits, which claim their own pain scores
    elements=STRUCTURAL
    | {
        "identifier",
        "status",
        "code",
        "subject",
        "effectiveDateTime",
        "effectiveInstant",
        "effectivePeriod",
        "valueQuantity",
        "valueInteger",
        "category",  # said by the code: every score here is a survey
    },
)
