"""Reading FHIR JSON as it arrives: elements of the expected JSON type, codings, references,
dates, and the refusal of one entry (with the element concerned) when they are not."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fhir_api.resources.elements import SIDE_OF_SNOMED
from fhir_api.systems import LATERALITY, SNOMED
from fhir_import.error_codes import ImportCode

# A FHIR date, or the date part of a dateTime (https://hl7.org/fhir/R4/datatypes.html).
FULL_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(T.*)?$")
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2})?$")


class EntryRefused(Exception):
    """One entry cannot be imported: why, and where (`path` within the entry, such as
    `resource.code`)."""

    def __init__(self, status: int, code: str, text: str, path: str = "resource") -> None:
        super().__init__(text)
        self.status, self.code, self.text, self.path = status, code, text, path


def invalid(text: str, path: str) -> EntryRefused:
    return EntryRefused(400, ImportCode.INVALID_ENTRY, text, path)


def not_mappable(text: str, path: str = "resource") -> EntryRefused:
    return EntryRefused(422, ImportCode.NOT_MAPPABLE, text, path)


@dataclass
class Note:
    """Something of an imported resource that was not kept, said in the entry's answer."""

    text: str
    path: str


@dataclass
class Link:
    """A field whose value is the record another entry became, or an existing record
    (`Condition/<id>`): the import resolves it once that entry is written."""

    at: tuple[str | int, ...]  # where in the fields: ("conditions", 0)
    path: str  # the element it came from: resource.addresses[0].reference
    reference: str
    target: str  # the resource type it must be


@dataclass
class Part:
    """Another entry written as part of this one's record (fhir_import.kinds.PartKind)."""

    reference: str  # the part's entry, as this resource refers to it
    at: tuple[str, int]  # the field and position it was read into: ("adjustments", 0)


@dataclass
class SameAs:
    """The record this resource restates rather than adds to (an NDI total: the measure its
    QuestionnaireResponse became): the entry is answered with that record and writes nothing
    of its own, once the record `agrees` with what the resource says of it."""

    link: Link  # the other entry, or an existing record (`at` is not used)
    what: str  # what of the record the resource is, for its answer: "score"
    agrees: Callable[[Any], None]  # raises EntryRefused where the record says otherwise


@dataclass
class Mapped:
    """A resource read for one of the REST API's serializers."""

    fields: dict[str, Any]  # the serializer's input, as a REST client would send it
    paths: dict[str, str]  # a serializer field -> the element it came from (`resource.…`)
    subject: tuple[str, str] | None = None  # (path, reference) of the patient it belongs to
    notes: list[Note] = field(default_factory=list)
    # What the kind's writing takes besides the validated fields (a coverage: `archive`).
    options: dict[str, Any] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    same_as: SameAs | None = None


def objects(container: dict, name: str, path: str) -> list[tuple[int, dict]]:
    """The objects of a repeating element, each with its index; none when it is absent."""
    value = container.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise invalid(f"`{name}` must be a list of objects.", f"{path}.{name}")
    return list(enumerate(value))


def child(container: dict, name: str, path: str) -> dict:
    """A single object element; empty when absent."""
    value = container.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid(f"`{name}` must be an object.", f"{path}.{name}")
    return value


def text(container: dict, name: str, path: str) -> str | None:
    value = container.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"`{name}` must be a string.", f"{path}.{name}")
    return value


def texts(container: dict, name: str, path: str) -> list[str]:
    value = container.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid(f"`{name}` must be a list of strings.", f"{path}.{name}")
    return value


def codings(concept: dict, path: str) -> list[tuple[str, str, str, str]]:
    """A CodeableConcept's codings as (path, system, code, display), those with a code."""
    found = []
    for index, coding in objects(concept, "coding", path):
        where = f"{path}.coding[{index}]"
        code = text(coding, "code", where)
        if code:
            found.append((where, text(coding, "system", where) or "", code, coding_display(coding)))
    return found


def coding_display(coding: dict) -> str:
    display = coding.get("display")
    return display if isinstance(display, str) else ""


def first_code(concept: dict, path: str, systems: set[str]) -> tuple[str, str] | None:
    """The (path, code) of the concept's first coding in one of `systems`."""
    for where, system, code, _ in codings(concept, path):
        if system in systems:
            return f"{where}.code", code
    return None


def described(concept: dict, path: str) -> str:
    """How a concept names itself in a message: `system|code (display)`, or its text."""
    for _, system, code, display in codings(concept, path):
        return f"{system}|{code}" + (f" ({display})" if display else "")
    return str(concept.get("text") or "no coding")


def day(value: str | None) -> str | None:
    """The date of a FHIR date or dateTime as written (its own day, whatever its offset);
    None for a partial date (a year, a month), which the records cannot hold."""
    if value is None or PARTIAL_DATE.match(value):
        return None
    match = FULL_DATE.match(value)
    # Anything else is handed on as it is, for the serializer to refuse it.
    return match.group(1) if match else value


def reference(container: dict, name: str, path: str) -> tuple[str, str] | None:
    """The (path, reference) of a Reference element."""
    target = child(container, name, path)
    if not target:
        return None
    found = text(target, "reference", f"{path}.{name}")
    return (f"{path}.{name}.reference", found) if found else None


def laterality_extension(site: dict, where: str) -> tuple[str, str] | None:
    """The (path, side) a bodySite's laterality extension says (fhir_api.resources.elements
    .body_site): a SNOMED CT laterality qualifier; None when it says none."""
    for index, extension in objects(site, "extension", where):
        at = f"{where}.extension[{index}]"
        if extension.get("url") != LATERALITY:
            continue
        concept = child(extension, "valueCodeableConcept", at)
        found = first_code(concept, f"{at}.valueCodeableConcept", {SNOMED})
        if found is not None and found[1] in SIDE_OF_SNOMED:
            return found[0], SIDE_OF_SNOMED[found[1]]
    return None
