"""Condition → a condition of the patient: only what is coded in ICD-10-CM, in a body region
known for certain.

The body region, which every condition here has, comes from a `bodySite` in this server's
own body-region system (what its Condition read writes), else from the project's one rule
that names a region by code: segmental and somatic dysfunction M99.00–M99.09
(billing.coding.SUBLUXATION_REGIONS). No other code names its region with certainty (M62.830
"muscle spasm of back" is thoracic or lumbar), so a condition without either is reported not
mappable rather than guessed.
"""

from typing import Any

from api.permissions import IsClinician
from billing.coding import SUBLUXATION_REGIONS
from fhir_api.error_codes import FhirCode
from fhir_api.imports.elements import (
    EntryRefused,
    Mapped,
    Note,
    child,
    codings,
    day,
    described,
    first_code,
    not_mappable,
    objects,
    reference,
    text,
)
from fhir_api.imports.kinds import STRUCTURAL, ImportKind, Lookup
from fhir_api.systems import (
    BODY_REGION,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    ICD_10_CM,
    SNOMED,
)
from patients.models import Laterality, VerificationStatus
from patients.serializers import ConditionSerializer
from patients.services import condition_record
from reference import icd10
from reference.models import BodyRegion

# SNOMED CT laterality qualifiers (Side: 182353008), as a bodySite coding may carry them.
LATERALITY = {
    "7771000": Laterality.LEFT,
    "24028007": Laterality.RIGHT,
    "51440002": Laterality.BILATERAL,
}


def _code(resource: dict, mapped: Mapped) -> str:
    concept = child(resource, "code", "resource")
    found = first_code(concept, "resource.code", {ICD_10_CM})
    if found is None:
        raise not_mappable(
            "Only conditions coded in ICD-10-CM (http://hl7.org/fhir/sid/icd-10-cm) are "
            f"recorded here; this one is {described(concept, 'resource.code')}.",
            "resource.code",
        )
    path, code = found
    mapped.fields["code"] = code
    mapped.paths["code"] = path
    return code


def _body_site(resource: dict, mapped: Mapped, code: str) -> None:
    region = side = None
    for index, site in objects(resource, "bodySite", "resource"):
        for where, system, value, _ in codings(site, f"resource.bodySite[{index}]"):
            if system == BODY_REGION and region is None:
                region = value
                mapped.paths["body_region"] = f"{where}.code"
            elif system == SNOMED and value in LATERALITY and side is None:
                side = LATERALITY[value]
                mapped.paths["laterality"] = f"{where}.code"
    if region is None and isinstance(code, str):
        region = SUBLUXATION_REGIONS.get(icd10.normalize(code))
        mapped.paths["body_region"] = mapped.paths["code"]
    if region is None:
        raise not_mappable(
            f"The body region of {code} is not known for certain: give it as a bodySite coding "
            f"in {BODY_REGION} (one of {', '.join(BodyRegion.values)}).",
            "resource.bodySite",
        )
    mapped.fields["body_region"] = region
    mapped.paths.setdefault("laterality", "resource.bodySite")
    if side is not None:
        mapped.fields["laterality"] = side


def _status(resource: dict, mapped: Mapped) -> None:
    for element, field, system in (
        ("clinicalStatus", "clinical_status", CONDITION_CLINICAL),
        ("verificationStatus", "verification_status", CONDITION_VERIFICATION),
    ):
        found = first_code(child(resource, element, "resource"), f"resource.{element}", {system})
        mapped.paths[field] = f"resource.{element}"
        if found is not None:
            mapped.paths[field], mapped.fields[field] = found
    if mapped.fields.get("verification_status") == VerificationStatus.ENTERED_IN_ERROR:
        raise not_mappable(
            "A condition entered in error is not imported.", "resource.verificationStatus"
        )


def _dates(resource: dict, mapped: Mapped) -> None:
    for field, element, period in (
        ("onset_date", "onsetDateTime", "onsetPeriod"),
        ("resolved_on", "abatementDateTime", "abatementPeriod"),
    ):
        path = f"resource.{element}"
        value = text(resource, element, "resource")
        if value is None and resource.get(period) is not None:
            path = f"resource.{period}.start"
            value = text(child(resource, period, "resource"), "start", f"resource.{period}")
        mapped.paths[field] = path
        if value is None:
            continue
        kept = day(value)
        if kept is None:
            mapped.notes.append(Note("A partial date (a year or a month) is not kept.", path))
        else:
            mapped.fields[field] = kept


def read_condition(resource: dict, lookup: Lookup) -> Mapped:
    mapped = Mapped(fields={}, paths={})
    subject = reference(resource, "subject", "resource")
    if subject is None:
        raise EntryRefused(
            400,
            FhirCode.INVALID_ENTRY,
            "A condition names its patient (`subject`).",
            "resource.subject",
        )
    mapped.subject = subject
    code = _code(resource, mapped)
    _body_site(resource, mapped, code)
    _status(resource, mapped)
    _dates(resource, mapped)
    notes = [
        found
        for index, note in objects(resource, "note", "resource")
        if (found := text(note, "text", f"resource.note[{index}]"))
    ]
    if notes:
        mapped.fields["note"] = "\n\n".join(notes)
        mapped.paths["note"] = "resource.note"
    return mapped


def create_condition(*, fields: dict[str, Any], patient, user) -> Any:
    return condition_record(patient=patient, by=user, **fields)


CONDITION_IMPORT = ImportKind(
    name="Condition",
    serializer=ConditionSerializer,
    read=read_condition,
    create=create_condition,
    subject="subject",
    writers=IsClinician.roles,
    elements=STRUCTURAL
    | {
        "identifier",
        "subject",
        "code",
        "bodySite",
        "clinicalStatus",
        "verificationStatus",
        "onsetDateTime",
        "onsetPeriod",
        "abatementDateTime",
        "abatementPeriod",
        "note",
    },
)
