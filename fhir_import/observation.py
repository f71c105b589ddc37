"""Observation → an outcome measure: the pain score (NRS, LOINC 72514-3) with its value.

An NDI or ODI measure here is its ten section answers, which the server scores
(treatments.outcomes.services), imported from its QuestionnaireResponse
(fhir_import.questionnaire_response). Its total (LOINC 82237-9, the NDI score; 97909-6, the
ODI percent) restates that measure: an Observation whose `derivedFrom` names the response (an
entry of the Bundle, imported now or before; one an earlier Bundle imported, by the URL the
reference stands for; or `QuestionnaireResponse/<id>` of this clinic) is answered with the measure and writes nothing (fhir_import.reading.SameAs), once its value
is the server's score of the answers; a differing total is refused, since the answers or the
total are then wrong and which cannot be told. A total naming no response cannot be recorded
without inventing answers: it is reported not mappable.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from api.permissions import OutcomePermission
from fhir_api.resources.observation import CODES, QUESTIONNAIRES
from fhir_api.systems import LOINC
from fhir_import.error_codes import ImportCode
from fhir_import.kinds import STRUCTURAL, ImportKind, Lookup
from fhir_import.reading import (
    EntryRefused,
    Link,
    Mapped,
    Note,
    SameAs,
    child,
    codings,
    described,
    invalid,
    not_mappable,
    objects,
    reference,
    text,
)
from treatments.outcomes.models import Instrument, OutcomeMeasure
from treatments.outcomes.serializers import OutcomeMeasureSerializer
from treatments.outcomes.services import outcome_record

# The LOINC codes the Observation read writes (fhir_api.resources.observation).
PAIN_SEVERITY = CODES[Instrument.NRS][0]  # 72514-3
QUESTIONNAIRE_TOTALS = {CODES[instrument][0]: instrument for instrument in QUESTIONNAIRES}
# Results that stand: a preliminary, cancelled or erroneous one is not an outcome measure.
STANDING = frozenset({"final", "amended", "corrected"})
RESPONSE = "QuestionnaireResponse"
PERCENT = "%"  # UCUM: a total given as the percent of the sections answered (the ODI's)


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


def _response(resource: dict, lookup: Lookup) -> Link | None:
    """The QuestionnaireResponse a total is derived from: an entry of the Bundle, or one
    named by a reference to a QuestionnaireResponse."""
    for index, derived in objects(resource, "derivedFrom", "resource"):
        where = f"resource.derivedFrom[{index}]"
        named = text(derived, "reference", where)
        if named is None:
            continue
        found = lookup(named, resource)
        of_type = named.split("/_history/")[0].split("/")[-2:-1] == [RESPONSE]
        if (found or {}).get("resourceType") == RESPONSE or (found is None and of_type):
            return Link(at=(), path=f"{where}.reference", reference=named, target=RESPONSE)
    return None


def _total(resource: dict) -> tuple[Decimal, bool, str]:
    """A total's value, whether it is a percent, and where it is."""
    path, value, unit = "resource.valueInteger", resource.get("valueInteger"), ""
    if value is None:
        quantity = child(resource, "valueQuantity", "resource")
        path, value = "resource.valueQuantity.value", quantity.get("value")
        unit = str(quantity.get("code") or quantity.get("unit") or "")
    if value is None:
        raise invalid("A total has its value (`valueQuantity.value`).", "resource.valueQuantity")
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        return Decimal(str(value)), unit == PERCENT, path
    except InvalidOperation:
        raise invalid("A total's value is a number.", path) from None


def _restating(instrument: Instrument, resource: dict, response: Link) -> SameAs:
    given, percent, path = _total(resource)

    def agrees(record: OutcomeMeasure) -> None:
        if record.instrument != instrument or record.answers is None:
            raise not_mappable(
                f"`{response.reference}` holds no answers to an {instrument.upper()}.",
                response.path,
            )
        if percent:
            server, found = record.percent, given.quantize(Decimal("0.1"), ROUND_HALF_UP)
        else:
            server, found = Decimal(record.score), given
        if found != server:
            raise not_mappable(
                f"The total {given}{PERCENT if percent else ''} is not the score of the answers "
                f"of `{response.reference}`, {server}{PERCENT if percent else ''} "
                "(treatments.outcomes.scoring): the answers or the total are wrong.",
                path,
            )

    return SameAs(link=response, what="score", agrees=agrees)


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
        response = _response(resource, lookup)
        if response is None:
            raise not_mappable(
                f"An {totals[0].upper()} is recorded here as its ten item answers, which the "
                "server scores; a total is imported with the QuestionnaireResponse of its "
                "answers (`derivedFrom`), and this one names none.",
                "resource.code",
            )
        _standing(resource)
        mapped.same_as = _restating(totals[0], resource, response)
        return mapped
    if PAIN_SEVERITY not in loinc:
        raise not_mappable(
            f"{described(concept, 'resource.code')} is not an outcome measure kept here; only "
            f"the pain score (LOINC {PAIN_SEVERITY}) is imported.",
            "resource.code",
        )
    _standing(resource)
    _measured_at(resource, mapped)
    _value(resource, mapped)
    mapped.notes += [
        Note(
            f"`{name}` is not kept: a pain score is recorded with its value alone.",
            f"resource.{name}",
        )
        for name in ("derivedFrom", "component")
        if name in resource
    ]
    return mapped


def _standing(resource: dict) -> None:
    status = text(resource, "status", "resource")
    if status not in STANDING:
        raise not_mappable(
            f"Only final results are imported; this one is `{status}`.", "resource.status"
        )


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
    # After the visits, which claim their own pain scores (rank 3), and the
    # QuestionnaireResponses whose totals restate them (rank 4).
    rank=5,
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
        "derivedFrom",  # a total's QuestionnaireResponse
        "component",  # a total's percent, restated by its measure
    },
)
