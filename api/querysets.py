"""The queryset a view or a related field declares, read as what it is.

DRF's stubs declare `queryset` as a `QuerySet`, a `Manager` or None on the class; mypy reads a
`Manager` declared on a class as a model's manager descriptor and refuses to read it from an
instance. Read through here, it is the declared value: a queryset, a manager or None.
"""

from typing import Any

from django.db.models import Manager, QuerySet


def declared_queryset(holder: object) -> QuerySet[Any] | Manager[Any] | None:
    """`holder.queryset` (a view's or a related field's), not yet copied with `.all()`."""
    queryset: QuerySet[Any] | Manager[Any] | None = getattr(holder, "queryset", None)
    return queryset
