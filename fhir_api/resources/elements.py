"""The data types every resource mapping writes: meta, references, codings, periods, body sites."""

import datetime

from fhir_api.systems import BODY_REGION, IDENTIFIER_TYPE, LATERALITY, SNOMED, us_core
from reference.models import BodyRegion


def instant(moment: datetime.datetime | None) -> str | None:
    """A FHIR instant (UTC, `Z`), to the second."""
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def meta(row: object, *profiles: str, updated: datetime.datetime | None = None) -> dict:
    """`meta`: the row's version (what the REST API's ETag carries) and last change (`updated`
    when the resource says more than the row: a plan with its goals and interventions)."""
    found: dict = {}
    version = getattr(row, "version", None)
    if version is not None:
        found["versionId"] = str(version)
    updated = updated or getattr(row, "updated_at", None) or getattr(row, "created_at", None)
    if updated is not None:
        found["lastUpdated"] = instant(updated)
    if profiles:
        found["profile"] = [us_core(profile) for profile in profiles]
    return found


def reference(resource_type: str, key: object, display: str | None = None) -> dict:
    found = {"reference": f"{resource_type}/{key}"}
    if display:
        found["display"] = display
    return found


def coding(system: str, code: str, display: str | None = None) -> dict:
    found = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def concept(system: str, code: str, display: str | None = None, text: str | None = None) -> dict:
    found: dict = {"coding": [coding(system, code, display)]}
    if text:
        found["text"] = text
    return found


def identifier(
    system: str | None, value: str, type_code: str | None = None, type_display: str | None = None
) -> dict:
    """An identifier, typed by its v2-0203 code (NPI, TAX, MB, …) where one is given; without
    a system where its numbering has no known URL (a payer's member ids)."""
    found: dict = {}
    if type_code:
        found["type"] = concept(IDENTIFIER_TYPE, type_code, type_display)
    if system:
        found["system"] = system
    found["value"] = value
    return found


def complex_extension(url: str, **parts: int) -> dict:
    """An extension made of integer sub-extensions (`{"url": "weeks", "valueInteger": 4}`),
    in the order given."""
    return {"url": url, "extension": [{"url": k, "valueInteger": v} for k, v in parts.items()]}


def absent(reason: str = "unknown") -> dict:
    """What a primitive element the profile requires carries when the record has no value
    (`"_family": absent()`): the data-absent-reason extension."""
    return {
        "extension": [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
                "valueCode": reason,
            }
        ]
    }


def compact(resource: dict) -> dict:
    """The resource without empty elements: FHIR forbids empty strings, lists and objects."""
    return {key: value for key, value in resource.items() if value not in (None, "", [], {})}


# SNOMED CT body structures of the body regions where the match is certain; the others are
# said in our own code system only (fhir_api.systems.BODY_REGION).
BODY_REGION_SNOMED = {
    BodyRegion.CERVICAL: ("122494005", "Cervical spine structure"),
    BodyRegion.THORACIC: ("122495006", "Thoracic spine structure"),
    BodyRegion.LUMBAR: ("122496007", "Lumbar spine structure"),
    BodyRegion.HEAD: ("69536005", "Head structure"),
    BodyRegion.UPPER_EXTREMITY: ("53120007", "Upper limb structure"),
    BodyRegion.LOWER_EXTREMITY: ("61685007", "Lower limb structure"),
}
# SNOMED CT laterality qualifier values (the values of HL7's laterality value sets), by side.
LATERALITY_SNOMED = {
    "left": ("7771000", "Left"),
    "right": ("24028007", "Right"),
    "bilateral": ("51440002", "Right and left"),
}
SIDE_OF_SNOMED = {code: side for side, (code, _) in LATERALITY_SNOMED.items()}


def body_site(region: str, laterality: str = "") -> dict:
    """A body region as a bodySite: our code, SNOMED CT's where certain, and the side (when
    recorded) in the laterality extension, since R4's CodeableConcept has no qualifier."""
    label = BodyRegion(region).label
    codings = [coding(BODY_REGION, region, label)]
    if region in BODY_REGION_SNOMED:
        codings.append(coding(SNOMED, *BODY_REGION_SNOMED[BodyRegion(region)]))
    site: dict = {"coding": codings, "text": label}
    if laterality:
        code, display = LATERALITY_SNOMED[laterality]
        site["extension"] = [
            {"url": LATERALITY, "valueCodeableConcept": concept(SNOMED, code, display)}
        ]
        site["text"] = f"{label}, {laterality}"
    return site
