"""Condition → a condition of the patient: only what is coded in ICD-10-CM, in a body region
known for certain.

The body region, which every condition here has, comes from a `bodySite` as this server's
Condition read writes it: a coding in our body-region system, or a SNOMED CT body structure
that is one region for certain (the read's own table), with the side in our laterality
extension; else from the project's one rule that names a region by code, segmental and
somatic dysfunction M99.00–M99.09 (billing.coding.SUBLUXATION_REGIONS). No other code names
its region with certainty (M62.830 "muscle spasm of back" is thoracic or lumbar), so a
condition without either is reported not mappable rather than guessed.
"""

from typing import Any

from api.permissions import IsClinician
from billing.coding import SUBLUXATION_REGIONS
from fhir_api.resources.elements import BODY_REGION_SNOMED
from fhir_api.systems import (
    BODY_REGION,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    ICD_10_CM,
    SNOMED,
)
from fhir_import.error_codes import ImportCode
from fhir_import.kinds import STRUCTURAL, ImportKind, Lookup
from fhir_import.reading import (
    EntryRefused,
    Mapped,
    Note,
    child,
    codings,
    day,
    described,
    first_code,
    laterality_extension,
    not_mappable,
    objects,
    reference,
    text,
)
from patients.models import VerificationStatus
from patients.serializers import ConditionSerializer
from patients.services import condition_record
from reference import icd10
from reference.models import BodyRegion

# The project's own tables (fhir_api.resources.elements: what the Condition read writes), read
# backwards: a SNOMED CT body structure certain to be one region, and the side's qualifier.
REGION_OF_SNOMED = {code: region for region, (code, _) in BODY_REGION_SNOMED.items()}
PROBLEM_LIST = (CONDITION_CATEGORY, "problem-list-item")


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


def _side(site: dict, where: str, mapped: Mapped) -> None:
    found = laterality_extension(site, where)
    if found is not None:
        mapped.paths["laterality"], mapped.fields["laterality"] = found


def _body_site(resource: dict, mapped: Mapped, code: str) -> None:
    mapped.paths["laterality"] = "resource.bodySite"
    region = None
    for index, site in objects(resource, "bodySite", "resource"):
        where = f"resource.bodySite[{index}]"
        found = first_code(site, where, {BODY_REGION})
        snomed = first_code(site, where, {SNOMED})
        if found is None and snomed is not None and snomed[1] in REGION_OF_SNOMED:
            found = (snomed[0], REGION_OF_SNOMED[snomed[1]])
        if found is not None:
            mapped.paths["body_region"], region = found
            _side(site, where, mapped)
            break
    if region is None:
        region = SUBLUXATION_REGIONS.get(icd10.normalize(code))
        mapped.paths["body_region"] = mapped.paths["code"]
    if region is None:
        raise not_mappable(
            f"The body region of {code} is not known for certain: give it as a bodySite coding "
            f"in {BODY_REGION} (one of {', '.join(BodyRegion.values)}) or a SNOMED CT body "
            "structure of one region.",
            "resource.bodySite",
        )
    mapped.fields["body_region"] = region


def _category(resource: dict, mapped: Mapped) -> None:
    """Every condition here is on the problem list; another category is not kept."""
    for index, category in objects(resource, "category", "resource"):
        where = f"resource.category[{index}]"
        kinds = [(system, code) for _, system, code, _ in codings(category, where)]
        if PROBLEM_LIST not in kinds:
            mapped.notes.append(
                Note("Kept as a problem-list item; this category is not kept.", where)
            )


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
            ImportCode.INVALID_ENTRY,
            "A condition names its patient (`subject`).",
            "resource.subject",
        )
    mapped.subject = subject
    code = _code(resource, mapped)
    _body_site(resource, mapped, code)
    _category(resource, mapped)
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


def create_condition(*, fields: dict[str, Any], patient, user, **options: Any) -> Any:
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
        "category",
        "onsetDateTime",
        "onsetPeriod",
        "abatementDateTime",
        "abatementPeriod",
        "note",
    },
)
