"""Writing the items of a plan or a visit: many rows of one kind at once."""

from typing import TypeVar

from django.db.models import Model

_Item = TypeVar("_Item", bound=Model)


def insert_items(model: type[_Item], items: list[_Item]) -> list[_Item]:
    """Validate every item, then insert them in one statement. References (the plan or
    visit, the clinic, segments, techniques, planned items…) were resolved by the serializer
    and a new id cannot clash: only the items' own values and constraints are checked."""
    resolved = [field.name for field in model._meta.concrete_fields if field.is_relation]
    for item in items:
        item.full_clean(exclude=resolved, validate_unique=False)
    return model._default_manager.bulk_create(items)
