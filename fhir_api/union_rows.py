"""Rows of one FHIR type kept in several tables, searched and paged as one.

A ServiceRequest is a planned adjustment, soft-tissue work or exercise, three tables; a
Procedure is a performed one, three more. A FHIR search filters, orders and slices one set of
rows (fhir_api.views, and DRF's cursor paging: `order_by`, `filter(**position)`, a slice), so
`UnionRows` offers exactly those three operations over several tables, and answers a slice in a
bounded number of statements whatever the page's size:

1. the page's keys, one statement: each table's part filtered, ordered and limited by itself
   (so that each reads its own indexes), then put together and cut to the page:
   `(SELECT id, 'adjustment', created_at … ORDER BY … LIMIT n) UNION ALL (…) ORDER BY … LIMIT n`;
2. the page's rows, one statement per table with rows on the page: that table's own
   queryset (select_related, nested reads, the annotations its mapping reads) by primary key.

A page of N rows from k tables costs 1 + k statements (k ≤ the number of tables). The tables'
primary keys are UUIDs, unique across them, so an id alone names a row of any of them; a table
may prefix its rows' resource ids (`Branch.id_prefix`: a visit's signature is the Provenance
`signature-<visit id>`), and `find` reads a resource id in the tables whose ids it can be.
`UnionKind` declares a type's tables once for its `ResourceKind`: its rows for a caller, and
each row's resource and id by the table it is from.

Each table names its own columns under the names the union shares (`Branch.columns`: the
patient is `plan__patient_id` in one table, `visit__patient_id` in another), so that one filter
(`Q(patient_id=…)`) means the same in every table. A seam: DRF's CursorPagination is given a
UnionRows for a queryset; tests/fhir_api/test_union_rows.py pages through one with it, and fails
if an upgrade of DRF calls another queryset operation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, Model, QuerySet, Value

from clinics.models import User

# The union's column saying which table a row is in.
TABLE = "union_table"
# Rows read per statement when the whole union is iterated (an export reads it in pages).
CHUNK = 500


@dataclass(frozen=True)
class Branch:
    """One table of a union: the name its rows go by, its rows for the caller and the shared
    columns it computes."""

    name: str
    # Scoped to the caller and prefetched for the mapping: the page's rows are read through it.
    rows: QuerySet[Any]
    # The union's shared columns, as expressions over this table (annotations).
    columns: Mapping[str, Any] = field(default_factory=dict)
    # What its rows' resource ids start with, before the primary key (none by default).
    id_prefix: str = ""

    def pk_of(self, resource_id: str) -> uuid.UUID | None:
        """The primary key a resource id names in this table; None when it names none."""
        if not resource_id.startswith(self.id_prefix):
            return None
        try:
            return uuid.UUID(resource_id.removeprefix(self.id_prefix))
        except ValueError:
            return None

    def annotated(self) -> QuerySet[Any]:
        rows: QuerySet[Any] = self.rows.annotate(
            **{TABLE: Value(self.name, output_field=CharField())}, **self.columns
        )
        return rows


@dataclass(frozen=True)
class UnionRows:
    """Rows of several tables, filtered, ordered and sliced as one queryset would be."""

    branches: tuple[Branch, ...]
    # Each table's rows as filtered so far (the branches' annotated rows to start with).
    parts: tuple[QuerySet[Any], ...] = ()
    ordering: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        shared = {frozenset(branch.columns) for branch in self.branches}
        if len(shared) > 1:
            raise ValueError("Every table of a union must compute the same shared columns.")
        if not self.parts:
            object.__setattr__(self, "parts", tuple(b.annotated() for b in self.branches))

    @classmethod
    def of(cls, *branches: Branch) -> UnionRows:
        return cls(branches=branches)

    def filter(self, *args: Any, **kwargs: Any) -> UnionRows:
        """The rows of every table that match (conditions name the shared columns or columns
        every table has)."""
        return replace(self, parts=tuple(part.filter(*args, **kwargs) for part in self.parts))

    def order_by(self, *ordering: str) -> UnionRows:
        """Ordered by shared columns (or columns every table has), the primary key breaking
        ties (or alone: `order_by("pk")`, an export's order)."""
        return replace(self, ordering=ordering)

    def __getitem__(self, index: slice) -> list[Any]:
        if not isinstance(index, slice):
            raise TypeError("Read union rows by slices (a page), not one by one.")
        start, stop = index.start or 0, index.stop
        if index.step is not None or start < 0 or (stop is not None and stop < start):
            raise ValueError("Read them a page at a time: a slice of non-negative bounds.")
        if stop == start:
            return []
        return self._rows(self._keys(start, stop))

    def __iter__(self) -> Iterator[Any]:
        keys = self._keys(0, None)
        for start in range(0, len(keys), CHUNK):
            yield from self._rows(keys[start : start + CHUNK])

    def find(self, resource_id: str) -> Any | None:
        """The row a resource id names, or None: read in the tables whose ids it can be."""
        named = [
            (branch, part.filter(pk=pk))
            for branch, part in zip(self.branches, self.parts, strict=True)
            if (pk := branch.pk_of(resource_id)) is not None
        ]
        if not named:
            return None
        branches, parts = zip(*named, strict=True)
        found = replace(self, branches=tuple(branches), parts=tuple(parts))[0:1]
        return found[0] if found else None

    def _keys(self, start: int, stop: int | None) -> list[tuple[Any, ...]]:
        """(primary key, table, ordering columns…) of the rows `start` to `stop`, in order."""
        ordering = [name for name in self.ordering if name.lstrip("-") != "pk"]
        ordering += [name for name in self.ordering if name.lstrip("-") == "pk"][:1] or ["pk"]
        columns = [name.lstrip("-") for name in ordering if name.lstrip("-") != "pk"]
        parts = [part.order_by(*ordering).values_list("pk", TABLE, *columns) for part in self.parts]
        if len(parts) == 1:
            return list(parts[0][start:stop])
        if stop is not None:  # no table gives more than the page's last row
            parts = [part[:stop] for part in parts]
        union = parts[0].union(*parts[1:], all=True)
        return list(union.order_by(*ordering)[start:stop])

    def attribute_of(self, column: str) -> str | None:
        """The attribute every table's rows hold `column` in (a shared column, or a field all
        the tables have), or None."""
        if all(column in branch.columns for branch in self.branches) or all(
            column in part.query.annotations for part in self.parts
        ):
            return column
        try:
            names = {b.rows.model._meta.get_field(column).attname for b in self.branches}
        except FieldDoesNotExist:
            return None
        return names.pop() if len(names) == 1 else None

    def _rows(self, keys: list[tuple[Any, ...]]) -> list[Model]:
        wanted: dict[str, list[Any]] = {}
        for key, table, *_ in keys:
            wanted.setdefault(table, []).append(key)
        found: dict[Any, Model] = {}
        for branch in self.branches:
            if branch.name in wanted:
                found.update(
                    (row.pk, row) for row in branch.annotated().filter(pk__in=wanted[branch.name])
                )
        # A row removed between the two statements is left out, as a later page would.
        return [found[key] for key, *_ in keys if key in found]


def column(row: Model, name: str) -> Any:
    """A shared column's value (or another annotation's) on a row union rows read."""
    return getattr(row, name)


@dataclass(frozen=True)
class Table:
    """One table of a `UnionKind`: its rows for a caller (scoped, prefetched, annotated with
    the type's search columns), its rows' resource, the shared columns it computes and the
    prefix of its resource ids."""

    name: str
    rows: Callable[[User], QuerySet[Any]]
    resource: Callable[[Any], dict]
    columns: Mapping[str, Any] = field(default_factory=dict)
    id_prefix: str = ""


@dataclass(frozen=True)
class UnionKind:
    """A resource type's tables, in a `ResourceKind`'s terms: `rows`, and a row's `resource`
    and `id_of` by the table it is from."""

    tables: tuple[Table, ...]

    def rows(self, user: User) -> UnionRows:
        return UnionRows.of(
            *(
                Branch(t.name, t.rows(user), columns=t.columns, id_prefix=t.id_prefix)
                for t in self.tables
            )
        )

    def _table_of(self, row: Any) -> Table | None:
        name = getattr(row, TABLE, None)
        return next((table for table in self.tables if table.name == name), None)

    def resource(self, row: Any) -> dict:
        table = self._table_of(row)
        if table is None:
            raise TypeError(f"{type(row).__name__} rows are not of this type's tables.")
        return table.resource(row)

    def id_of(self, row: Any) -> str:
        """The resource id of a row of one of the tables; another type's row (included in a
        search's Bundle) keeps its primary key."""
        table = self._table_of(row)
        return f"{table.id_prefix if table else ''}{row.pk}"
