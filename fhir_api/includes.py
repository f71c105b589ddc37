"""`_include` and `_revinclude`: the resources a page's matches point at, and those pointing at
them, each one statement whatever the page's size.

`_include=Condition:patient` follows a reference search parameter of the searched type to its
target type; `_revinclude=Provenance:target` finds the resources of another type whose
reference parameter names a match. Only parameters over a direct reference column can be
followed; the caller must be allowed to read the other type (else 403, as reading it would).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from api.permissions import role_allows
from clinics.models import User
from fhir_api.error_codes import FhirCode
from fhir_api.kinds import Kind, ResourceKind
from fhir_api.search import ReferenceParameter
from fhir_api.union_rows import UnionRows

MAX_INCLUSIONS = 10  # `_include` and `_revinclude` values per search
MAX_REVINCLUDED = 1000  # resources one `_revinclude` adds to a page


@dataclass(frozen=True)
class Included:
    kind: ResourceKind
    rows: list[Model]


def _refuse(name: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError(
        {name: [serializers.ErrorDetail(message, code=FhirCode.UNSUPPORTED_INCLUDE)]}
    )


def _reference(kind: ResourceKind, name: str, value: str) -> ReferenceParameter:
    parameter = kind.search.get(name)
    if not isinstance(parameter, ReferenceParameter):
        raise _refuse(name, f"`{value}`: {kind.name} has no reference parameter `{name}`.")
    return parameter


def _column_of(kind: ResourceKind, parameter: ReferenceParameter, user: User, name: str) -> str:
    """The attribute of a row holding the reference (`patient_id` of `patient`): a field's, an
    annotation's (a goal's patient is its plan's) or a column every table of union rows has."""
    rows = kind.rows(user)
    found: str | None
    if isinstance(rows, UnionRows):
        found = rows.attribute_of(parameter.column)
    elif parameter.column in rows.query.annotations:
        found = parameter.column
    else:
        try:
            found = str(rows.model._meta.get_field(parameter.column).attname)
        except FieldDoesNotExist:
            found = None
    if found is None:
        raise _refuse(name, f"`{kind.name}:{name}` cannot be followed here.")
    return found


def _readable(request, kind: ResourceKind) -> None:
    if not role_allows(request, kind.readers):
        raise PermissionDenied(f"This role may not read {kind.name} resources.")


def inclusions(
    request,
    kind: ResourceKind,
    page: list[Model],
    kinds: Mapping[str, Kind],
    user: User,
) -> list[Included]:
    """What `_include` and `_revinclude` add to a page of `kind`."""
    includes = request.query_params.getlist("_include")
    revincludes = request.query_params.getlist("_revinclude")
    if len(includes) + len(revincludes) > MAX_INCLUSIONS:
        raise _refuse("_include", f"At most {MAX_INCLUSIONS} inclusions per search.")
    found: list[Included] = []
    for value in includes:
        source, _, rest = value.partition(":")
        name, _, target_type = rest.partition(":")
        if source != kind.name:
            raise _refuse("_include", f"`{value}`: include from {kind.name} (`{kind.name}:…`).")
        parameter = _reference(kind, name, value)
        target = kinds.get(parameter.target)
        if not isinstance(target, ResourceKind):
            raise _refuse("_include", f"`{value}`: {parameter.target} cannot be included.")
        if target_type and target_type != target.name:
            raise _refuse("_include", f"`{value}`: `{name}` points at {target.name} only.")
        _readable(request, target)
        column = _column_of(kind, parameter, user, name)
        keys = {getattr(row, column) for row in page} - {None}
        rows = list(target.rows(user).filter(pk__in=keys)) if keys else []
        found.append(Included(target, rows))
    for value in revincludes:
        source_type, _, name = value.partition(":")
        source = kinds.get(source_type)
        if not isinstance(source, ResourceKind):
            raise _refuse("_revinclude", f"`{value}`: no resource type {source_type} here.")
        parameter = _reference(source, name.partition(":")[0], value)
        if parameter.target != kind.name:
            raise _refuse("_revinclude", f"`{value}` does not point at {kind.name}.")
        _readable(request, source)
        matched = [row.pk for row in page]
        rows = (
            list(source.rows(user).filter(**{f"{parameter.column}__in": matched})[:MAX_REVINCLUDED])
            if matched
            else []
        )
        found.append(Included(source, rows))
    return found
