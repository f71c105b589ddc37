"""Resource types made from several tables (a Procedure of each kind of performed item), read
as one list that a search filters, orders and pages.

Each table is a `Source`: its rows scoped to the caller and prefetched for its mapping, and
annotated with the columns the type's search parameters name, under the same names in every
table (`patient_id`, `fhir_cpt`, …), so that one filter fits them all. `UnionRows` is the part
of a queryset that a search, its cursor paging and a read use (`filter`, `order_by`, a slice,
iteration, `find`): a slice reads the page's keys in one statement (a UNION ALL of each table's
tag, id and ordering column, ordered and limited) and then the page's rows of each table in
one statement per table. A page costs at most 1 + (tables) statements, whatever its size.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import IntegerField, Model, Q, QuerySet, Value

from clinics.models import User

# The column of a page's keys that says which table a key is from.
SOURCE_COLUMN = "fhir_source"
# Rows of one table read per statement when the whole list is iterated (an export).
CHUNK = 500
# Every table's primary key is `id` (a UUID): the keys' column.
PK = {"pk": "id", "-pk": "-id"}


@dataclass(frozen=True)
class Source:
    """One table of a resource type made from several.

    `rows(user)` are the caller's rows, prefetched for `resource` and annotated with the
    type's search columns; a row's resource id is `id_prefix` and its primary key, so that
    the ids of two tables never meet (a visit's signature and an amendment are both
    Provenances: `signature-<visit id>` and `<amendment id>`).
    """

    model: type[Model]
    rows: Callable[[User], QuerySet[Any]]
    resource: Callable[[Any], dict]
    id_prefix: str = ""

    def id_of(self, row: Any) -> str:
        return f"{self.id_prefix}{row.pk}"

    def pk_of(self, resource_id: str) -> uuid.UUID | None:
        """The primary key a resource id names in this table; None when it names none."""
        if not resource_id.startswith(self.id_prefix):
            return None
        try:
            return uuid.UUID(resource_id.removeprefix(self.id_prefix))
        except ValueError:
            return None


@dataclass(frozen=True)
class UnionKind:
    """The tables of one resource type, in a `ResourceKind`'s terms: `rows`, `resource` and
    `id_of` dispatch to the table a row is from."""

    sources: tuple[Source, ...]

    def rows(self, user: User) -> UnionRows:
        return UnionRows(tuple((source, source.rows(user)) for source in self.sources))

    def source_of(self, row: Any) -> Source | None:
        return next((source for source in self.sources if isinstance(row, source.model)), None)

    def resource(self, row: Any) -> dict:
        source = self.source_of(row)
        if source is None:
            raise TypeError(f"No table of this type holds {type(row).__name__} rows.")
        return source.resource(row)

    def id_of(self, row: Any) -> str:
        """The resource id of a row of one of the tables; another type's row (included in a
        search's Bundle) keeps its primary key."""
        source = self.source_of(row)
        return str(row.pk) if source is None else source.id_of(row)


class UnionRows:
    """The rows of several tables as one ordered list (see the module's docstring)."""

    def __init__(
        self, parts: tuple[tuple[Source, QuerySet[Any]], ...], ordering: tuple[str, ...] = ("id",)
    ) -> None:
        self.parts = parts
        self.ordering = ordering

    def filter(self, *args: Q, **kwargs: Any) -> UnionRows:
        """Every table filtered alike: the names are the columns each table annotates."""
        return UnionRows(
            tuple((source, rows.filter(*args, **kwargs)) for source, rows in self.parts),
            self.ordering,
        )

    @property
    def model(self) -> type[Any]:
        """What a column name is resolved against (an inclusion's reference): the first
        table's model, since every table names its search columns alike."""
        return self.parts[0][0].model

    def order_by(self, *fields: str) -> UnionRows:
        """By columns every table has (its id, or an annotated one), as a page's keys carry;
        `pk` is each table's `id`."""
        return UnionRows(self.parts, tuple(PK.get(field, field) for field in fields))

    def _keys(self) -> QuerySet[Any]:
        columns = sorted({"id", *(field.lstrip("-") for field in self.ordering)})
        selects = [
            rows.annotate(**{SOURCE_COLUMN: Value(index, output_field=IntegerField())})
            .order_by()
            .values(SOURCE_COLUMN, *columns)
            for index, (_, rows) in enumerate(self.parts)
        ]
        first, *rest = selects
        keys: QuerySet[Any] = first.union(*rest, all=True)
        return keys.order_by(*self.ordering)

    def _rows_of(self, keys: list[dict]) -> list[Any]:
        """The rows the keys name, in the keys' order: one statement per table named."""
        wanted: dict[int, list[object]] = {}
        for key in keys:
            wanted.setdefault(key[SOURCE_COLUMN], []).append(key["id"])
        found: dict[tuple[int, object], Any] = {}
        for index, ids in wanted.items():
            _, rows = self.parts[index]
            found.update(((index, row.pk), row) for row in rows.filter(pk__in=ids))
        return [
            found[(key[SOURCE_COLUMN], key["id"])]
            for key in keys
            if (key[SOURCE_COLUMN], key["id"]) in found
        ]

    def __getitem__(self, page: slice) -> list[Any]:
        if not isinstance(page, slice):
            raise TypeError("Read a union's rows by slices (a page).")
        return self._rows_of(list(self._keys()[page]))

    def __iter__(self) -> Iterator[Any]:
        keys = list(self._keys())
        for start in range(0, len(keys), CHUNK):
            yield from self._rows_of(keys[start : start + CHUNK])

    def find(self, resource_id: str) -> Any | None:
        """The row a resource id names, or None: only the tables whose ids it can be."""
        parts = tuple(
            (source, rows.filter(pk=pk))
            for source, rows in self.parts
            if (pk := source.pk_of(resource_id)) is not None
        )
        if not parts:
            return None
        found = UnionRows(parts, self.ordering)[:1]
        return found[0] if found else None
