"""A transaction or batch Bundle read for the import: its entries, what each is (or why it
cannot be imported), and the source keys each is known by. Pure: no database.

An entry's source keys are its resource's identifiers (system and value), else its `fullUrl`
(as the identifier system for URIs, `urn:ietf:rfc:3986`). A person's government numbers (SSN,
driver's licence, passport…) are neither kept nor used as keys: the records hold none.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from fhir_api.systems import IDENTIFIER_TYPE
from fhir_import.error_codes import ImportCode
from fhir_import.kinds import ImportKind, PartKind
from fhir_import.models import MAX_SOURCE_LENGTH
from fhir_import.reading import EntryRefused, Note, child, codings, invalid, objects, text

URI_SYSTEM = "urn:ietf:rfc:3986"
# A RESTful URL (`<base>/<type>/<id>`, maybe with its version) and a relative reference.
RESTFUL = re.compile(r"^(?P<base>.+)/[A-Z][A-Za-z]+/[A-Za-z0-9.\-]{1,64}(/_history/[^/]+)?$")
RELATIVE = re.compile(r"^[A-Z][A-Za-z]+/[A-Za-z0-9.\-]{1,64}$")
KINDS_OF_BUNDLE = frozenset({"transaction", "batch"})
# v2-0203 identifier types that number a person for a government, not a record.
PERSONAL_ID_TYPES = frozenset({"SS", "DL", "PPN", "NI", "SB", "TAX", "BC", "CZ"})
PERSONAL_ID_SYSTEMS = frozenset({"http://hl7.org/fhir/sid/us-ssn", "urn:oid:2.16.840.1.113883.4.1"})


class BundleRefused(Exception):
    """The body as a whole cannot be imported (nothing of it was)."""

    def __init__(self, status: int, code: str, text: str, expression: str) -> None:
        super().__init__(text)
        self.status, self.code, self.text, self.expression = status, code, text, expression


@dataclass
class Entry:
    index: int
    full_url: str | None
    resource: dict
    kind: ImportKind | PartKind | None = None
    keys: list[tuple[str, str]] = field(default_factory=list)  # (system, value)
    refused: EntryRefused | None = None
    notes: list[Note] = field(default_factory=list)


@dataclass
class Bundle:
    type: str  # transaction or batch
    entries: list[Entry]
    by_full_url: dict[str, Entry]

    def entry_named(self, reference: str, by: Entry) -> Entry | None:
        """The entry a reference of entry `by` names (https://hl7.org/fhir/R4/bundle.html#references):
        the one whose fullUrl it is, or, for a relative reference (`Patient/<id>`) from an entry
        whose fullUrl is a RESTful URL, the one at that URL's base (a server's own export)."""
        found = self.by_full_url.get(reference)
        if found is None and by.full_url and RELATIVE.match(reference):
            restful = RESTFUL.match(by.full_url)
            if restful is not None:
                found = self.by_full_url.get(f"{restful.group('base')}/{reference}")
        return found

    def absolute(self, reference: str, by: Entry) -> str | None:
        """The URL a reference of entry `by` stands for, as an entry's fullUrl would say it:
        itself when absolute, else at the base of `by`'s RESTful fullUrl; None when unknown."""
        if ":" in reference:
            return reference
        restful = RESTFUL.match(by.full_url or "")
        if restful is None or not RELATIVE.match(reference):
            return None
        return f"{restful.group('base')}/{reference}"

    def lookup(self, reference: str, container: dict, by: Entry) -> dict | None:
        """The resource a reference names: one contained in `container` (`#id`), or another
        entry of the Bundle."""
        if reference.startswith("#"):
            contained = container.get("contained")
            if isinstance(contained, list):
                for resource in contained:
                    if isinstance(resource, dict) and resource.get("id") == reference[1:]:
                        return resource
            return None
        target = self.entry_named(reference, by)
        return target.resource if target is not None else None


@dataclass(frozen=True)
class EntryLookup:
    """The Bundle as one entry's read sees it (fhir_import.kinds.Lookup)."""

    bundle: Bundle
    by: Entry

    def __call__(self, reference: str, container: dict) -> dict | None:
        return self.bundle.lookup(reference, container, self.by)

    def referring(self, resource_type: str, element: str) -> list[tuple[str, dict]]:
        found = []
        for entry in self.bundle.entries:
            if entry.resource.get("resourceType") != resource_type or not entry.full_url:
                continue
            value = entry.resource.get(element)
            targets = value if isinstance(value, list) else [value]
            for target in targets:
                reference = target.get("reference") if isinstance(target, dict) else None
                if (
                    isinstance(reference, str)
                    and self.bundle.entry_named(reference, entry) is self.by
                ):
                    found.append((entry.full_url, entry.resource))
                    break
        return found

    def path_of(self, reference: str) -> str:
        entry = self.bundle.entry_named(reference, self.by)
        return f"Bundle.entry[{entry.index}]" if entry is not None else "Bundle.entry"


def _is_personal(identifier: dict, where: str) -> bool:
    if identifier.get("system") in PERSONAL_ID_SYSTEMS:
        return True
    types = codings(child(identifier, "type", where), f"{where}.type")
    return any(
        system == IDENTIFIER_TYPE and code in PERSONAL_ID_TYPES for _, system, code, _ in types
    )


def _keys(entry: Entry) -> None:
    for index, identifier in objects(entry.resource, "identifier", "resource"):
        where = f"resource.identifier[{index}]"
        system, value = text(identifier, "system", where), text(identifier, "value", where)
        if _is_personal(identifier, where):
            entry.notes.append(Note("A government identifier is not kept.", where))
            continue
        if not system or not value:
            continue  # a value without its system names nothing outside its source
        for name, found in (("system", system), ("value", value)):
            if len(found) > MAX_SOURCE_LENGTH:
                raise invalid(
                    f"An identifier's {name} is kept up to {MAX_SOURCE_LENGTH} characters.",
                    f"{where}.{name}",
                )
        entry.keys.append((system, value))
    if entry.keys:
        return
    if not entry.full_url:
        raise invalid(
            "Without an identifier nor a fullUrl the resource could not be recognised when "
            "posted again.",
            "resource.identifier",
        )
    if len(entry.full_url) > MAX_SOURCE_LENGTH:
        raise invalid(f"A fullUrl is kept up to {MAX_SOURCE_LENGTH} characters.", "fullUrl")
    entry.keys.append((URI_SYSTEM, entry.full_url))


def _read_entry(entry: Entry, raw: dict, kinds: Mapping[str, ImportKind | PartKind]) -> None:
    if not isinstance(raw.get("resource"), dict):
        raise invalid("Each entry holds a resource.", "resource")
    resource_type = text(entry.resource, "resourceType", "resource")
    kind = kinds.get(resource_type or "")
    if kind is None:
        raise EntryRefused(
            422,
            ImportCode.UNSUPPORTED_RESOURCE_TYPE,
            f"{resource_type or 'A resource without a type'} is not imported; only "
            f"{', '.join(kinds)} are.",
            "resource.resourceType",
        )
    entry.kind = kind
    request = raw.get("request")
    if not isinstance(request, dict):
        raise invalid("Each entry says what to do with its resource (`request`).", "request")
    method, url = text(request, "method", "request"), text(request, "url", "request")
    if method != "POST":
        raise invalid("Only creation (`request.method` POST) is imported.", "request.method")
    if (url or "").split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] != resource_type:
        raise invalid(
            f"`request.url` of a {resource_type} entry is `{resource_type}`.", "request.url"
        )
    _keys(entry)


def read_bundle(
    body: object, *, max_entries: int, kinds: Mapping[str, ImportKind | PartKind]
) -> Bundle:
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        raise BundleRefused(
            400, ImportCode.INVALID_BUNDLE, "The body is not a FHIR Bundle.", "Bundle"
        )
    if body.get("type") not in KINDS_OF_BUNDLE:
        raise BundleRefused(
            400,
            ImportCode.INVALID_BUNDLE,
            "Only a `transaction` or a `batch` Bundle is imported.",
            "Bundle.type",
        )
    raw_entries = body.get("entry", [])
    if not isinstance(raw_entries, list) or not all(isinstance(e, dict) for e in raw_entries):
        raise BundleRefused(
            400, ImportCode.INVALID_BUNDLE, "`entry` must be a list of objects.", "Bundle.entry"
        )
    if len(raw_entries) > max_entries:
        raise BundleRefused(
            413,
            ImportCode.TOO_MANY_ENTRIES,
            f"A Bundle holds at most {max_entries:,} entries; this one has "
            f"{len(raw_entries):,}. Post it in parts.",
            "Bundle.entry",
        )
    entries: list[Entry] = []
    by_full_url: dict[str, Entry] = {}
    for index, raw in enumerate(raw_entries):
        full_url = raw.get("fullUrl")
        if full_url is not None and not isinstance(full_url, str):
            raise BundleRefused(
                400,
                ImportCode.INVALID_BUNDLE,
                "`fullUrl` must be a string.",
                f"Bundle.entry[{index}].fullUrl",
            )
        if full_url and full_url in by_full_url:
            raise BundleRefused(
                400,
                ImportCode.INVALID_BUNDLE,
                f"Entries [{by_full_url[full_url].index}] and [{index}] have the same fullUrl.",
                f"Bundle.entry[{index}].fullUrl",
            )
        resource = raw.get("resource")
        entry = Entry(
            index=index, full_url=full_url, resource=resource if isinstance(resource, dict) else {}
        )
        try:
            _read_entry(entry, raw, kinds)
        except EntryRefused as refused:
            entry.refused = refused
        entries.append(entry)
        if full_url:
            by_full_url[full_url] = entry
    return Bundle(type=body["type"], entries=entries, by_full_url=by_full_url)
