"""What a FHIR resource type served here is made of, declared once per type.

A `ResourceKind` names the rows a type is made from (a selector scoped to the caller), how one
row becomes the resource (a pure function of the row), its search parameters, its paging
order, who may read it and what its audit events call it. The views, the CapabilityStatement
and the exports read these declarations; nothing else says what is served.

A `CatalogueKind` is a type served from code rather than rows: definitions every clinic
shares (the Questionnaires of the instruments we score), with ids that are words, holding no
PHI and so leaving no audit event.

A `ComputedKind` is a type computed on request rather than read from rows (free Slots,
from the calendar's rules): it names how a search finds its resources and how one is read
back by its id.

A type made from several tables (the performed items of a Procedure, the planned ones of a
ServiceRequest, a visit's signature and its amendments as Provenances) gives `rows` that return
a `UnionRows` (fhir_api.union_rows), and `resource` and `id_of` that dispatch to each row's
table.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from clinics.models import User
from fhir_api.search import SearchContext, SearchParameter, SearchTerm
from fhir_api.union_rows import UnionRows


def primary_key_text(row: Any) -> str:
    return str(row.pk)


@dataclass(frozen=True)
class ResourceKind:
    name: str  # the FHIR resource type, "Patient"
    summary: str  # what it holds, for the contract and the CapabilityStatement
    # The caller's rows, prefetched for `resource` (a UnionRows for a type of several tables).
    rows: Callable[[User], QuerySet[Any] | UnionRows]
    resource: Callable[[Any], dict]  # one row as the FHIR resource
    readers: frozenset[str]  # roles that may read it
    audit_resource: str  # what its audit events call it
    ordering: str = "-created_at"  # its pages' order: an indexed, nearly unique column
    profiles: tuple[str, ...] = ()  # US Core profile ids it conforms to
    search: Mapping[str, SearchParameter] = field(default_factory=dict)
    # Where a row keeps its patient's id, for the audit event ("pk": the row is the patient).
    patient_attr: str | None = "patient_id"
    # The column that says when a row last changed (`_since` of an export, `_lastUpdated`).
    last_updated: str | None = "updated_at"
    # Whether a bulk export writes this type (not computed or catalogue types).
    exported: bool = True
    # Elements a profile marks must-support that this server holds no data for.
    not_held: Mapping[str, str] = field(default_factory=dict)
    # How an id in a path is read (most rows have UUIDs): ValueError when no row can have it.
    parse_id: Callable[[str], object] = uuid.UUID
    # What a page's rows share that no relation reaches (a clinic's fee schedule), read once
    # for the page and attached to each row; called on every page (and read) before `resource`.
    page_reads: Callable[[User, Sequence[Any]], None] | None = None
    # A row's resource id (its audit events name it too): most types' ids are primary keys.
    id_of: Callable[[Any], str] = primary_key_text


@dataclass(frozen=True)
class CatalogueKind:
    name: str  # the FHIR resource type, "Questionnaire"
    summary: str
    resources: Callable[[], Sequence[dict]]  # every resource of the type, the same for all
    readers: frozenset[str]
    profiles: tuple[str, ...] = ()
    search: Mapping[str, SearchParameter] = field(default_factory=dict)
    not_held: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ComputedKind:
    name: str
    summary: str
    # The resources a search finds, in their order (each search term already checked against
    # `search` by name and modifier; a bounded set: the kind refuses an unbounded search).
    find: Callable[[User, list[SearchTerm], SearchContext], list[dict]]
    # One resource by its id, as it is now; None when there is none (404).
    read: Callable[[User, str], dict | None]
    # A text that sorts as the resources are ordered: a page starts after the last one's.
    position: Callable[[dict], str]
    readers: frozenset[str]
    audit_resource: str
    profiles: tuple[str, ...] = ()
    search: Mapping[str, SearchParameter] = field(default_factory=dict)
    not_held: Mapping[str, str] = field(default_factory=dict)


# Any type served: what the CapabilityStatement, the contract and the routes list.
Kind = ResourceKind | CatalogueKind | ComputedKind
