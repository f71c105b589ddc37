"""What a FHIR resource type served here is made of, declared once per type.

A `ResourceKind` names the rows a type is made from (a selector scoped to the caller), how one
row becomes the resource (a pure function of the row), its search parameters, its paging
order, who may read it and what its audit events call it. The views, the CapabilityStatement
and the exports read these declarations; nothing else says what is served.

A type made from several tables (fhir_api.union) gives `rows` that return a `UnionRows`, and
`resource` and `id_of` that dispatch to each row's table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from clinics.models import User
from fhir_api.search import SearchParameter
from fhir_api.union import UnionRows


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
    # Elements a profile marks must-support that this server holds no data for.
    not_held: Mapping[str, str] = field(default_factory=dict)
    # A row's resource id (its audit events name it too): most types' ids are primary keys.
    id_of: Callable[[Any], str] = primary_key_text
