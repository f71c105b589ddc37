"""What a FHIR resource type served here is made of, declared once per type.

A `ResourceKind` names the rows a type is made from (a selector scoped to the caller), how one
row becomes the resource (a pure function of the row), its search parameters, its paging
order, who may read it and what its audit events call it. A type kept in one table has a
queryset for rows; one kept in several (a ServiceRequest: three kinds of planned
intervention) has `UnionRows` (fhir_api.union_rows), searched and paged the same way. The
views, the CapabilityStatement and the exports read these declarations; nothing else says
what is served.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from clinics.models import User
from fhir_api.search import SearchParameter
from fhir_api.union_rows import UnionRows


@dataclass(frozen=True)
class ResourceKind:
    name: str  # the FHIR resource type, "Patient"
    summary: str  # what it holds, for the contract and the CapabilityStatement
    # The caller's rows, prefetched for `resource`: a page costs one statement (a queryset) or
    # one and one per table on the page (union rows).
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
