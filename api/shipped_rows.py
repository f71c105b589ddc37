"""Rows of tables that change only by migration, read once per process.

Segments, listings, soft-tissue modalities and muscles ship with the product: a migration
loads them, nothing else writes them, and a migration comes with a deploy, which restarts the
workers. A model says so with `changes_only_by_migration = True`; requests then find its rows
here (api.nested_reads, reference-code fields, billing) instead of joining or reading the
table each time. Tables that take a clinic's own entries (techniques, exercises) are read from
the database as usual.
"""

from collections.abc import Mapping
from functools import cache
from typing import TypeVar, cast

from django.db import models

_M = TypeVar("_M", bound=models.Model)

_rows: dict[type[models.Model], Mapping[object, models.Model]] = {}


def is_shipped(model: type[models.Model]) -> bool:
    return bool(getattr(model, "changes_only_by_migration", False))


def shipped_rows(model: type[_M]) -> Mapping[object, _M]:
    """Every row of `model` by primary key, read at its first use in this process."""
    found = _rows.get(model)
    if found is None:
        read = {row.pk: row for row in model._default_manager.all()}
        if read:  # an empty table is a database still being set up: read again next time
            _rows[model] = read
        return read
    # What _rows holds under a model is that model's rows.
    return cast("Mapping[object, _M]", found)


def attach_shipped(instances: list[models.Model]) -> None:
    """Set each instance's foreign keys to shipped rows from the process, as select_related
    would from the database."""
    if not instances:
        return
    for field in _shipped_foreign_keys(type(instances[0])):
        rows = shipped_rows(field.related_model)
        for instance in instances:
            value = getattr(instance, field.attname)
            if value is not None and value in rows:
                field.set_cached_value(instance, rows[value])


@cache
def _shipped_foreign_keys(model: type[models.Model]) -> tuple[models.ForeignKey, ...]:
    return tuple(
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey)
        and field.many_to_one
        and is_shipped(field.related_model)
    )
