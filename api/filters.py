"""Ordering shared by every list: public names that may map to other columns or expressions."""

from datetime import UTC

import django_filters
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.filters import OrderingFilter


class AliasOrderingFilter(OrderingFilter):
    """`?ordering=family_name` may sort by a search column or an expression.

    Views declare `ordering_aliases = {"public_name": "column_or_annotation"}` and, for
    expressions, `ordering_annotations = {"annotation": expression}`. Cursor pagination reads
    the translated ordering, so its cursors work on the real columns.
    """

    def get_valid_fields(self, queryset, view, context=None):
        aliases = getattr(view, "ordering_aliases", {})
        return [(name, name) for name in getattr(view, "ordering_fields", [])] or [
            (name, name) for name in aliases
        ]

    def get_ordering(self, request, queryset, view):
        aliases = getattr(view, "ordering_aliases", {})
        ordering = super().get_ordering(request, queryset, view)
        translated = []
        for term in ordering:
            descending = term.startswith("-")
            name = aliases.get(term.lstrip("-"), term.lstrip("-"))
            translated.append(f"-{name}" if descending else name)
        return translated

    def remove_invalid_fields(self, queryset, fields, view, request):
        """Unknown fields are refused (400) rather than silently ignored."""
        valid = [name for name, _ in self.get_valid_fields(queryset, view, {"request": request})]
        unknown = [term for term in fields if term.lstrip("-") not in valid]
        if unknown:
            raise ValidationError(
                {
                    self.ordering_param: [
                        ErrorDetail(
                            f"Cannot order by {', '.join(unknown)}; choose from {', '.join(valid)} "
                            "(prefix - for descending).",
                            code="invalid_ordering",
                        )
                    ]
                }
            )
        return fields

    def filter_queryset(self, request, queryset, view):
        annotations = getattr(view, "ordering_annotations", {})
        if annotations:
            queryset = queryset.annotate(**annotations)
        return super().filter_queryset(request, queryset, view)


class FilterListsOnlyMixin:
    """Filters narrow lists; a record asked for by id is found whatever its status.

    Lists leave archived patients and erroneous conditions out by default, but their detail
    URLs must keep answering so that they can be read and restored.
    """

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 time in any offset, compared in UTC (PostgreSQL refuses offsets past ±15:59
    that Python accepts)."""

    def filter(self, qs, value):
        return super().filter(qs, value.astimezone(UTC) if value is not None else value)
