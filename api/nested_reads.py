"""One-to-many relations read in their parent's own statement, attached as if prefetched.

`prefetch_related` costs a round trip per relation and a queryset clone per parent row. A list
of visits with its findings, adjustments, soft-tissue work, exercises and amendments took
eight statements; `nested(...)` reads each relation as a JSON array in a subquery of the
parent's SELECT (`ARRAY(SELECT jsonb_build_object(…) …)`, row-level security applying to it
as to any query), and turns each array into model instances placed where Django's prefetch
would put them: the relation's prefetch cache, or `to_attr`. Serializers and services read
them unchanged, and a page costs one statement whatever its size.

A relation may start from a foreign key of the parent (`plan__plan_conditions`: the
conditions of each visit's plan, which the parent's query joins). `related` names the
child's own foreign keys to read with each child, as `select_related` would (rows of tables
that change only by migration come from the process instead: api.shipped_rows).
"""

import inspect
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

import orjson
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import F, OuterRef, QuerySet, signals, sql
from django.db.models.base import ModelState
from django.db.models.expressions import Combinable, RawSQL
from django.db.models.functions import Cast, JSONObject
from django.db.models.query import ModelIterable

from api.shipped_rows import is_shipped, shipped_rows

# jsonb_build_object takes at most 100 arguments: 50 fields.
MAX_FIELDS = 50


class _FastJSONField(models.JSONField):
    """The nested rows' documents, parsed by orjson (what PostgreSQL's jsonb output is, json
    would parse the same; a page of visits parses hundreds of them)."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else orjson.loads(value)


JSON_ARRAY = ArrayField(_FastJSONField())


def _uuid(text: str) -> uuid.UUID:
    """A UUID from PostgreSQL's own text form (lowercase, hyphenated), without uuid.UUID's
    parsing of every form a person might write."""
    value = object.__new__(uuid.UUID)
    object.__setattr__(value, "int", int(text.replace("-", ""), 16))
    object.__setattr__(value, "is_safe", _UNKNOWN_SAFETY)
    return value


_UNKNOWN_SAFETY = uuid.SafeUUID.unknown


@dataclass(frozen=True)
class Nested:
    """A one-to-many relation of the parent (`goals`, or `plan__plan_conditions` through the
    parent's foreign key `plan`) read inside the parent's statement."""

    relation: str
    queryset: QuerySet | None = None
    related: tuple[str, ...] = ()
    to_attr: str | None = None
    # Through a foreign key, attach the rows to the parent itself (`to_attr` on the visit for
    # `patient__coverages`), so that the row the key points to need not be read at all.
    on_parent: bool = False

    @property
    def through(self) -> str | None:
        head, _, _ = self.relation.rpartition("__")
        return head or None

    @property
    def name(self) -> str:
        return self.relation.rpartition("__")[2]


def _identity(value: object) -> object:
    return value


def _converter(field: models.Field) -> Callable[[Any], object]:
    """From the JSON value of a column to what the database adapter would have given."""
    if isinstance(field, models.ForeignKey):  # the concrete relations: one-to-one fields too
        return _converter(field.target_field)
    if isinstance(field, ArrayField):
        inner = _converter(field.base_field)
        return lambda value: None if value is None else [inner(item) for item in value]
    if isinstance(field, models.UUIDField):
        return lambda value: None if value is None else _uuid(value)
    if isinstance(field, models.DateTimeField):
        return lambda value: None if value is None else datetime.fromisoformat(value)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else date.fromisoformat(value)
    if isinstance(field, models.DecimalField):  # read as text: exact
        return lambda value: None if value is None else Decimal(value)
    return _identity


@dataclass(frozen=True)
class _Columns:
    names: list[str]
    converters: tuple[Callable[[Any], object], ...]
    pk_index: int
    # Made without Model.__init__: it sets each foreign key's id through a descriptor and
    # sends signals, the bulk of the cost of a page's hundreds of children. Only where
    # nothing would notice: the model keeps Django's __init__ and from_db, and nobody
    # listens for its init signals. A seam: tests/api/test_nested_reads.py checks each such
    # row against what Django's `from_db` makes.
    plain: bool


@cache
def _columns(model: type[models.Model]) -> _Columns:
    fields = model._meta.concrete_fields
    if len(fields) + 1 > MAX_FIELDS:
        raise ValueError(f"{model.__name__} has too many fields to be read nested.")
    names = [field.attname for field in fields]
    plain = (
        model.__init__ is models.Model.__init__
        and inspect.getattr_static(model, "from_db")
        is inspect.getattr_static(models.Model, "from_db")
        and not signals.pre_init.has_listeners(model)
        and not signals.post_init.has_listeners(model)
    )
    return _Columns(
        names,
        tuple(_converter(field) for field in fields),
        names.index(model._meta.pk.attname),
        plain,
    )


def _json_of(model: type[models.Model], prefix: str = "") -> dict[str, Combinable]:
    expressions: dict[str, Combinable] = {}
    for field in model._meta.concrete_fields:
        value: Combinable = F(f"{prefix}{field.attname}")
        if isinstance(field, models.DecimalField):
            value = Cast(value, models.TextField())
        expressions[field.attname] = value
    return expressions


def _instance(model: type[models.Model], db: str, row: dict) -> models.Model | None:
    columns = _columns(model)
    values = [
        convert(row[name]) for name, convert in zip(columns.names, columns.converters, strict=True)
    ]
    if values[columns.pk_index] is None:
        return None  # an absent row of a left join
    if not columns.plain:
        return model.from_db(db, columns.names, values)
    instance = model.__new__(model)
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = db
    instance.__dict__.update(zip(columns.names, values, strict=True))
    return instance


def _relation_field(model: type[models.Model], name: str) -> models.ForeignKey:
    """The child's foreign key behind the reverse relation `name` of `model`."""
    key: models.ForeignKey = getattr(model, name).field
    return key


def _foreign_key(model: type[models.Model], name: str) -> models.ForeignKey:
    """The foreign key `name` of `model` (one-to-one fields too)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.ForeignKey):
        raise ValueError(f"{model.__name__}.{name} is not a foreign key.")
    return field


def _subquery(parent: type[models.Model], spec: Nested) -> ArraySubquery:
    holder = parent if spec.through is None else _foreign_key(parent, spec.through).related_model
    key = _relation_field(holder, spec.name)
    children = spec.queryset if spec.queryset is not None else key.model._default_manager.all()
    outer = "pk" if spec.through is None else _foreign_key(parent, spec.through).attname
    children = children.filter(**{key.name: OuterRef(outer)})
    if not children.query.order_by:
        children = children.order_by(*(key.model._meta.ordering or ["pk"]))
    document = _json_of(key.model)
    for name in spec.related:
        target = _foreign_key(key.model, name).related_model
        if not is_shipped(target):  # shipped rows come from the process (api.shipped_rows)
            document[f"_related_{name}"] = JSONObject(**_json_of(target, prefix=f"{name}__"))
    return ArraySubquery(children.values(_document=JSONObject(**document)))


@cache
def _annotation(parent: type[models.Model], spec: Nested) -> tuple[str, tuple]:
    """The subquery's SQL and parameters, compiled once: building and compiling a JSON object
    of every column costs more than the rest of a request. The parent's table is referred to
    by its name, as it is in every query on it."""
    probe = parent._default_manager.annotate(_nested=_subquery(parent, spec)).values("_nested")
    sql, params = probe.query.sql_with_params()
    table = connection.ops.quote_name(parent._meta.db_table)
    prefix, suffix = "SELECT ", f' AS "_nested" FROM {table}'
    if not sql.startswith(prefix) or not sql.endswith(suffix):
        raise ValueError(f"Unexpected SQL for {spec.relation} of {parent.__name__}: {sql}")
    return sql[len(prefix) : -len(suffix)], tuple(params)


@cache
def _related_fields(
    model: type[models.Model], names: tuple[str, ...]
) -> tuple[tuple[str, models.ForeignKey, bool], ...]:
    """Each of the child's foreign keys read with it, and whether its rows are shipped."""
    fields = (_foreign_key(model, name) for name in names)
    return tuple((field.name, field, is_shipped(field.related_model)) for field in fields)


def _children(model: type[models.Model], spec: Nested, rows: list[dict], db: str) -> list:
    related = _related_fields(model, spec.related)
    children = []
    for row in rows or ():
        child = _instance(model, db, row)
        if child is None:  # no row: a child's own key is never null
            continue
        for name, field, shipped in related:
            if shipped:
                value = getattr(child, field.attname)
                target = None if value is None else shipped_rows(field.related_model)[value]
            else:
                target = _instance(field.related_model, db, row[f"_related_{name}"])
            child._state.fields_cache[name] = target
        children.append(child)
    return children


def _attach(obj: models.Model, spec: Nested, rows: list[dict], db: str) -> None:
    if spec.on_parent:
        if spec.through is None or spec.to_attr is None:
            raise ValueError(f"{spec.relation}: on_parent needs a foreign key and to_attr.")
        holder_model = _foreign_key(type(obj), spec.through).related_model
        key = _relation_field(holder_model, spec.name)
        setattr(obj, spec.to_attr, _children(key.model, spec, rows, db))
        return
    holder = obj if spec.through is None else getattr(obj, spec.through)
    if holder is None:
        return
    key = _relation_field(type(holder), spec.name)
    children = _children(key.model, spec, rows, db)
    for child in children:
        # The child's own foreign key back to its parent is the parent itself.
        child._state.fields_cache[key.name] = holder
    if spec.to_attr:
        setattr(holder, spec.to_attr, children)
        return
    # The marker, not a query: _AttachedRows makes the query only if something asks for it.
    found: _AttachedRows = _AttachedRows(model=key.model, query=_NO_QUERY_YET, using=db)  # type: ignore[arg-type]
    # As Django's prefetch does: a query built on these rows (`.filter()`, `.aggregate()`)
    # reads the database, scoped to this parent; the filter is built only if it ever is.
    found._deferred_filter = (False, (), {key.name: holder.pk})
    found._result_cache = children
    found._prefetch_done = True
    cache_name = getattr(type(holder), spec.name).rel.cache_name
    holder.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = found


_NO_QUERY_YET = object()


class _AttachedRows(QuerySet):
    """Rows already read, as a queryset whose SQL query is made only if something asks for
    it (a page of 25 visits attaches 150 of them; most are only iterated)."""

    # What Django's prefetch sets on the querysets it attaches (django-stubs leaves them out).
    _deferred_filter: tuple[bool, tuple[Any, ...], dict[str, Any]] | None
    _prefetch_done: bool

    @property
    def _query(self):
        query = self.__dict__.get("_made_query")
        if query is None:
            query = self.__dict__["_made_query"] = sql.Query(self.model)
        return query

    @_query.setter
    def _query(self, value) -> None:
        self.__dict__["_made_query"] = None if value is _NO_QUERY_YET else value


class _NestedIterable(ModelIterable):
    relations: tuple[Nested, ...] = ()

    def __iter__(self) -> Iterator[models.Model]:
        db = self.queryset.db
        for obj in super().__iter__():
            for index, spec in enumerate(self.relations):
                _attach(obj, spec, obj.__dict__.pop(f"_nested_{index}", None), db)
            yield obj


_Rows = TypeVar("_Rows", bound=QuerySet[Any, Any])


def nested(queryset: _Rows, *relations: Nested) -> _Rows:
    """`queryset` with each relation read in its statement and attached as if prefetched.
    Relations are best module constants: each is compiled once."""
    annotations = {}
    model: type[models.Model] = queryset.model
    for index, spec in enumerate(relations):
        sql, params = _annotation(model, spec)
        annotations[f"_nested_{index}"] = RawSQL(sql, params, output_field=JSON_ARRAY)
    queryset = queryset.annotate(**annotations)
    # The iterable class survives the clones that filtering, ordering and paging make.
    queryset._iterable_class = _iterable_for(relations)
    return queryset


@cache
def _iterable_for(relations: tuple[Nested, ...]) -> type[_NestedIterable]:
    return type("NestedIterable", (_NestedIterable,), {"relations": relations})
