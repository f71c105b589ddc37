"""Ordering shared by every list: public names that may map to other columns or expressions."""

from datetime import UTC

import django_filters
import django_filters.fields
from django import forms
from django.db.models import Q
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.settings import api_settings

from api.error_codes import ApiCode
from api.mixin_bases import ViewSetBase
from api.serializers import (
    DATETIME_MESSAGES,
    offset_datetime_problem,
    refuse_unknown_or_blank_parameters,
)


class AliasOrderingFilter(OrderingFilter):
    error_codes = (ApiCode.INVALID_ORDERING,)
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
        for term in ordering or ():
            descending = term.startswith("-")
            name = aliases.get(term.lstrip("-"), term.lstrip("-"))
            translated.append(f"-{name}" if descending else name)
        return translated

    def remove_invalid_fields(self, queryset, fields, view, request):
        """Unknown fields are refused (400) rather than silently ignored; so is more than one
        (each offered ordering has its index, a combination would not)."""
        valid = [name for name, _ in self.get_valid_fields(queryset, view, {"request": request})]
        unknown = [term for term in fields if term.lstrip("-") not in valid]
        if unknown or len(fields) > 1:
            raise ValidationError(
                {
                    self.ordering_param: [
                        ErrorDetail(
                            f"Order by one of {', '.join(valid)} (prefix - for descending)"
                            + (f"; not {', '.join(unknown)}." if unknown else ", one at a time."),
                            code=ApiCode.INVALID_ORDERING,
                        )
                    ]
                }
            )
        return fields

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        names = [name for name, _ in self.get_valid_fields(None, view)]
        for parameter in parameters:
            parameter["schema"] = {
                "type": "string",
                "enum": [value for name in names for value in (name, f"-{name}")],
            }
            parameter["description"] = "One field to sort by; prefix - for descending."
        return parameters

    def filter_queryset(self, request, queryset, view):
        annotations = getattr(view, "ordering_annotations", {})
        if annotations:
            queryset = queryset.annotate(**annotations)
        return super().filter_queryset(request, queryset, view)


class FilterListsOnlyMixin(ViewSetBase):
    """Filters narrow lists; a record asked for by id is found whatever its status.

    Lists leave archived patients and erroneous conditions out by default, but their detail
    URLs must keep answering so that they can be read and restored.
    """

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


class OffsetDateTimeFormField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time with its UTC offset; one without is refused (it would be read as UTC
    whatever the clinic's time zone)."""

    default_error_messages = {**DATETIME_MESSAGES}

    def to_python(self, value):
        problem = offset_datetime_problem(value)
        if problem is not None:
            raise forms.ValidationError(self.error_messages[problem], code=problem)
        return super().to_python(value)


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 time with its offset, compared in UTC (PostgreSQL refuses offsets past
    ±15:59 that Python accepts)."""

    field_class = OffsetDateTimeFormField

    def filter(self, qs, value):
        return super().filter(qs, value.astimezone(UTC) if value is not None else value)


class StrictBooleanField(forms.Field):
    """`true` or `false`, as the contract's boolean parameters are written; anything else is
    refused instead of read as "no filter" (django-filter's default)."""

    default_error_messages = {"invalid": "Use true or false."}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError(self.error_messages["invalid"], code=ApiCode.INVALID)


class StrictBooleanFilter(django_filters.BooleanFilter):
    # The stubs ask for a NullBooleanField, whose widget would read `yes` or `2` as true.
    field_class = StrictBooleanField  # type: ignore[assignment]


class IntegerFilter(django_filters.NumberFilter):
    """A whole number: `0.5` is refused, not rounded (django-filter's NumberFilter takes
    decimals)."""

    # The stubs ask for NumberFilter's DecimalField; the filter reads any number field's value.
    field_class = forms.IntegerField  # type: ignore[assignment]


class KnownQueryParametersFilter(BaseFilterBackend):
    """Refuses a query parameter the list does not know (400 `unknown_parameter`), or one
    given empty or as white space only (400 `blank`), instead of ignoring it: `?updated_after=…` on a list without
    that filter would otherwise answer every row, and the client would believe it filtered."""

    PAGING = frozenset({"cursor", "page_size"})
    error_codes = (ApiCode.UNKNOWN_PARAMETER, ApiCode.BLANK)

    def known_parameters(self, view) -> set[str]:
        known = set(getattr(view, "extra_query_parameters", ()))
        if getattr(view, "paginator", None) is not None:
            known |= self.PAGING
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        if getattr(view, "ordering_fields", None) or getattr(view, "ordering_aliases", None):
            known.add(api_settings.ORDERING_PARAM)
        return known

    def filter_queryset(self, request, queryset, view):
        refuse_unknown_or_blank_parameters(request.query_params, self.known_parameters(view))
        return queryset


class PagingParametersOnly(KnownQueryParametersFilter):
    """For pages that take no filter nor ordering (a record's history)."""

    def known_parameters(self, view) -> set[str]:
        return set(self.PAGING)


def key_starts_with(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, as a range its index can serve under row-level security.

    PostgreSQL keeps a condition that is not leakproof (LIKE) until after the clinic's policy,
    so `LIKE 'kal%'` reads every patient of the clinic; comparisons are leakproof, and
    `'kal' <= field < 'kam'` is read from the index. For "C"-collated keys only (byte order is
    code point order), such as the name and phone search keys.
    """
    following = ord(prefix[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates are no characters: skip to the next one
        following = 0xE000
    if following > 0x10FFFF:
        return Q(**{f"{field}__startswith": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + chr(following)})
