"""Serializer behaviour shared by every endpoint."""

import copy
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar, cast

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from api.error_codes import ApiCode
from api.mixin_bases import ModelSerializerBase, RelatedFieldBase, SerializerBase
from api.permissions import may_read_clinical
from api.querysets import declared_queryset
from api.shipped_rows import attach_shipped, is_shipped, shipped_rows

EARLIEST_DATE = date(1800, 1, 1)
LATEST_DATE = date(2999, 12, 31)

# The longest list a request body may carry in any field.
MAX_ITEMS = 100
LIST_FIELDS = (serializers.ListSerializer, serializers.ListField, serializers.ManyRelatedField)

# Component name -> fields left out for roles without clinical access (read by api.schema).
CLINICAL_FIELDS_BY_COMPONENT: dict[str, tuple[str, ...]] = {}


def merged(serializer: serializers.Serializer, attrs: dict, field: str):
    """The value a field will have after this write: sent, else current, else None."""
    if field in attrs:
        return attrs[field]
    return getattr(serializer.instance, field, None) if serializer.instance else None


# Answers 400 for body fields the endpoint does not know, instead of dropping them: a typo
# such as `date_of_brith` would otherwise be ignored and the client would believe it saved.
# A number sent for a text field is refused too (DRF would store `42` as "42"): the contract
# says string, and a client sending a number has a bug worth hearing about.
# (Comments, not docstrings: drf-spectacular would show a docstring as every schema's text.)
#
# Every list a body may carry has a maximum (MAX_ITEMS unless the field sets a lower
# `max_length`), checked before any item is read: a body of 50,000 goals is refused at once
# instead of holding a worker while each is validated. The schema shows it as `maxItems`.
class RejectUnknownFieldsMixin(SerializerBase):
    error_codes = (ApiCode.UNKNOWN_FIELD,)

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if not field.read_only and isinstance(field, LIST_FIELDS):
                limit = _list_limit(field)
                # ListSerializer reads it too (its stub leaves it out); on a ManyRelatedField
                # it is ours, for the schema's maxItems and _refuse_long_lists.
                field.max_length = limit  # type: ignore[union-attr]
                if not any(isinstance(v, MaxLengthValidator) for v in field.validators):
                    field.validators.append(MaxLengthValidator(limit))
        return fields

    def _refuse_long_lists(self, data: dict) -> None:
        # A read-only list is not read from the body, however long.
        too_long = {
            name: limit
            for name, field in self.fields.items()
            if isinstance(field, LIST_FIELDS)
            and not field.read_only
            and isinstance(data.get(name), list)
            and len(data[name]) > (limit := _list_limit(field))
        }
        if too_long:
            raise serializers.ValidationError(
                {
                    name: [
                        serializers.ErrorDetail(
                            f"Ensure this field has no more than {limit} elements.",
                            code=ApiCode.MAX_LENGTH,
                        )
                    ]
                    for name, limit in too_long.items()
                }
            )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [
                            serializers.ErrorDetail("Unknown field.", code=ApiCode.UNKNOWN_FIELD)
                        ]
                        for name in unknown
                    }
                )
            self._refuse_long_lists(data)
            # An optional choice left empty may be sent as null, as clients naturally do; it is
            # stored and answered as "" (the schema says so: requests allow null).
            data = {
                name: "" if value is None and _blank_for_null(self.fields[name]) else value
                for name, value in data.items()
            }
            not_text = sorted(
                name
                for name, value in data.items()
                if value is not None
                and not isinstance(value, str)
                and isinstance(self.fields[name], serializers.CharField)
                and not self.fields[name].read_only
            )
            if not_text:
                raise serializers.ValidationError(
                    {
                        name: [serializers.ErrorDetail("Not a valid string.", code=ApiCode.INVALID)]
                        for name in not_text
                    }
                )
        return super().to_internal_value(data)


def _blank_for_null(field: serializers.Field) -> bool:
    return isinstance(field, serializers.ChoiceField) and field.allow_blank and not field.allow_null


def _list_limit(field: serializers.Field) -> int:
    """The longest list `field` takes: its own `max_length` when lower than MAX_ITEMS."""
    return min(getattr(field, "max_length", None) or MAX_ITEMS, MAX_ITEMS)


# `Meta.clinical_fields` are left out of the representation for the front desk.
class ClinicalFieldsMixin(ModelSerializerBase):
    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        clinical = getattr(getattr(cls, "Meta", None), "clinical_fields", ())
        if clinical:
            CLINICAL_FIELDS_BY_COMPONENT[cls.__name__.removesuffix("Serializer")] = tuple(clinical)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        # Schema generation runs without a user: it must see every field.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not may_read_clinical(user):
            for name in getattr(self.Meta, "clinical_fields", ()):
                fields.pop(name, None)
        return fields


# A date-time must carry its UTC offset, as RFC 3339 (the contract's `date-time`) says: a
# browser's `datetime-local` value ("2026-11-25T09:30") would otherwise be read as UTC and
# save a New York visit five hours off.
#
# Dates and times in requests lie within EARLIEST_DATE..LATEST_DATE (400 `out_of_range`):
# year 1 or 9999 with an offset cannot even be converted to UTC. Within the range, the
# domain's own rules give the precise reason (a birth over 120 years ago is `too_old`).
DATETIME_MESSAGES = {
    "naive": "Include the UTC offset, e.g. 2026-11-25T09:30:00-05:00 (or Z for UTC).",
    "out_of_range": f"Must lie between {EARLIEST_DATE} and {LATEST_DATE}.",
}


def offset_datetime_problem(value: object) -> str | None:
    """Why a date-time given as text is refused (a key of DATETIME_MESSAGES), if it parses;
    the field's own parsing says what is wrong with one that does not."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return "naive"
    if not EARLIEST_DATE <= parsed.date() <= LATEST_DATE:
        return "out_of_range"
    return None


class OffsetDateTimeField(serializers.DateTimeField):
    default_error_messages = {
        **serializers.DateTimeField.default_error_messages,
        **DATETIME_MESSAGES,
    }

    def to_internal_value(self, value):
        problem = offset_datetime_problem(value)
        if problem is not None:
            self.fail(problem)
        return super().to_internal_value(value)


class BoundedDateField(serializers.DateField):
    default_error_messages = {
        **serializers.DateField.default_error_messages,
        "out_of_range": DATETIME_MESSAGES["out_of_range"],
    }

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not EARLIEST_DATE <= parsed <= LATEST_DATE:
            self.fail("out_of_range")
        return parsed


class StrictSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    pass


def refuse_unknown_or_blank_parameters(parameters, known: set[str]) -> None:
    """A query parameter the operation does not know (400 `unknown_parameter`), or one given
    empty or as white space only (400 `blank`), is refused instead of ignored: `?updated_after=…` on a list without
    that filter would otherwise answer every row, and the client would believe it filtered."""
    unknown = sorted(set(parameters) - known)
    if unknown:
        raise serializers.ValidationError(
            {
                name: [
                    serializers.ErrorDetail(
                        "Unknown query parameter.", code=ApiCode.UNKNOWN_PARAMETER
                    )
                ]
                for name in unknown
            }
        )
    # `?chiropractor=` or `?patient=%20` would otherwise mean "no filter" (form fields strip
    # white space): leave the parameter out instead.
    empty = sorted(
        name for name, values in parameters.lists() if any(not v.strip() for v in values)
    )
    if empty:
        raise serializers.ValidationError(
            {
                name: [
                    serializers.ErrorDetail(
                        "Give a value, or leave the parameter out.", code=ApiCode.BLANK
                    )
                ]
                for name in empty
            }
        )


class QueryParametersSerializer(serializers.Serializer):
    """Query parameters read through a serializer, held to the rules of every list's."""

    def to_internal_value(self, data):
        if hasattr(data, "lists"):
            refuse_unknown_or_blank_parameters(data, set(self.fields))
        return super().to_internal_value(data)


# DRF builds a model serializer's fields on every instance (every request, every nested
# serializer): it reads the model's fields, works out each one's arguments and builds it.
# What a class builds is the same each time: it is built once per class here, and each
# instance gets copies. A field with parts bound to it (a nested serializer, a list's child)
# is made anew from its arguments, as DRF does for declared fields; any other field is a
# shallow copy, which binding and the mixins above (roles, list limits) only set attributes
# on, with its own list of validators.
class FieldsBuiltOnceMixin(SerializerBase):
    _built_fields: ClassVar[list[tuple[str, serializers.Field, bool]]]

    def get_fields(self):
        cls = type(self)
        template = cls.__dict__.get("_built_fields")
        if template is None:
            template = [
                (name, field, _has_bound_parts(field))
                for name, field in super().get_fields().items()
            ]
            cls._built_fields = template
        return {
            name: copy.deepcopy(field) if has_parts else _shallow_copy(field)
            for name, field, has_parts in template
        }


def _has_bound_parts(field: serializers.Field) -> bool:
    return isinstance(field, serializers.BaseSerializer) or any(
        isinstance(value, serializers.Field) for value in vars(field).values()
    )


def _shallow_copy(field: serializers.Field) -> serializers.Field:
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    validators = field.__dict__.get("_validators")
    if validators is not None:
        clone.validators = list(validators)
    return clone


# DRF reads each field's value through a generic path (a list of attributes or keys, a check
# for callables, a catch of missing attributes) and walks the fields through a generator, for
# every row: most of the cost of a page of a hundred nested rows. A field that reads one
# attribute of the object the generic way is read here with getattr, and a primary-key
# relation to a foreign key of the model is its column's value, which is what DRF answers for
# it; anything else (another relation, a method field, a callable value, a missing
# attribute, a dict) takes DRF's path.
_MISSING = object()


def _plain_attribute(field: serializers.Field) -> str | None:
    if (
        type(field).get_attribute is serializers.Field.get_attribute
        and len(field.source_attrs) == 1
    ):
        return field.source_attrs[0]
    return None


def _shows_key(field: serializers.Field) -> bool:
    """`field` answers the related row's primary key, through DRF's own methods."""
    kind = type(field)
    if kind.get_attribute is not serializers.RelatedField.get_attribute:
        return False
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        return (
            field.pk_field is None
            and kind.to_representation is serializers.PrimaryKeyRelatedField.to_representation
            and field.use_pk_only_optimization()
        )
    if isinstance(field, serializers.SlugRelatedField):  # by code, where the code is the key
        queryset = declared_queryset(field)
        return (
            kind.to_representation is serializers.SlugRelatedField.to_representation
            and queryset is not None
            and field.slug_field == queryset.model._meta.pk.attname
        )
    return False


def _foreign_key_column(field: serializers.Field, model: type[models.Model]) -> str | None:
    """The column of the model's foreign key whose value `field` answers."""
    if len(field.source_attrs) != 1 or not _shows_key(field):
        return None
    try:
        model_field = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None
    if (
        isinstance(model_field, models.ForeignKey)  # one-to-one fields too
        and model_field.concrete
        and model_field.target_field.primary_key
    ):
        return model_field.attname
    return None


class PlainReadsMixin(SerializerBase):
    def to_representation(self, instance):
        if isinstance(instance, Mapping):
            return super().to_representation(instance)
        plan = self.__dict__.get("_read_plan")
        if plan is None:
            plan = self._read_plan = [
                (
                    field.field_name,
                    field,
                    _plain_attribute(field),
                    _foreign_key_column(field, type(instance)),
                )
                for field in self._readable_fields
            ]
        answer = {}
        for name, field, attribute_name, column in plan:
            if column is not None:
                value = getattr(instance, column, _MISSING)
                if value is not _MISSING:
                    answer[name] = value
                    continue
            attribute = _MISSING
            if attribute_name is not None:
                attribute = getattr(instance, attribute_name, _MISSING)
                if callable(attribute):
                    attribute = _MISSING
            if attribute is _MISSING:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                if isinstance(attribute, PKOnlyObject) and attribute.pk is None:
                    attribute = None
            answer[name] = None if attribute is None else field.to_representation(attribute)
        return answer


class CachedModelSerializer(PlainReadsMixin, FieldsBuiltOnceMixin, serializers.ModelSerializer):
    pass


class StrictModelSerializer(RejectUnknownFieldsMixin, CachedModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: OffsetDateTimeField,
        models.DateField: BoundedDateField,
    }


def _request_clinic_id(field: serializers.Field) -> object:
    request = field.context.get("request")
    user = getattr(request, "user", None)
    return getattr(user, "clinic_id", None)


def _values_in_list(field: serializers.Field) -> list:
    """What the body gives for `field` in every item of the list its item is one of (the
    field's own value among them); [] when the item is not one of a list of the body."""
    items = field.parent
    body_list = getattr(items, "parent", None)
    if not isinstance(body_list, serializers.ListSerializer):
        return []
    names = []
    node: serializers.Field = body_list
    while node.parent is not None:
        if isinstance(node.parent, serializers.ListSerializer) or not node.field_name:
            return []  # a list inside a list: looked up one by one
        names.append(node.field_name)
        node = node.parent
    found = getattr(node, "initial_data", None)
    for name in reversed(names):
        found = found.get(name) if isinstance(found, dict) else None
    if not isinstance(found, list):
        return []
    return [item.get(field.field_name) for item in found if isinstance(item, dict)]


class ListLookupMixin(RelatedFieldBase):
    """A related field inside the items of a body's list looks up the values of every item
    at the first one, in one query: ten performed items naming ten planned items cost one
    round trip, not ten. A value the query did not find (unknown, another clinic's,
    ambiguous, malformed) is looked up alone, and refused as it always was."""

    lookup_field_name = "pk"

    def looked_up_in_list(self, data: object) -> models.Model | None:
        batch = self.__dict__.get("_list_lookups")
        if batch is None:
            batch = self._list_lookups = self._look_up_list()
        return batch.get(str(data))

    def _look_up_list(self) -> dict[str, models.Model]:
        queryset = self.get_queryset()
        if queryset is None:
            return {}
        meta = queryset.model._meta
        key = meta.pk if self.lookup_field_name == "pk" else meta.get_field(self.lookup_field_name)
        values = set()
        for value in _values_in_list(self):
            try:
                values.add(key.to_python(value))
            except (TypeError, ValueError, DjangoValidationError):
                continue
        values.discard(None)
        if len(values) < 2:
            return {}
        found: dict[str, list] = {}
        for row in queryset.filter(**{f"{self.lookup_field_name}__in": values}):
            found.setdefault(str(getattr(row, self.lookup_field_name)), []).append(row)
        rows = {value: matches[0] for value, matches in found.items() if len(matches) == 1}
        attach_shipped(list(rows.values()))
        return rows


class ClinicScopedPrimaryKeyField(ListLookupMixin, serializers.PrimaryKeyRelatedField):
    """A reference by id to a record of the caller's clinic; any other id does not exist."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a queryset.")
        return queryset.filter(clinic_id=_request_clinic_id(self))

    def to_internal_value(self, data):
        if self.pk_field is None:
            found = self.looked_up_in_list(data)
            if found is not None:
                return found
        found = super().to_internal_value(data)
        attach_shipped([found])
        return found


class ReferenceCodeField(ListLookupMixin, serializers.SlugRelatedField):
    """A reference by code to reference data. A shipped code is found in the process
    (api.shipped_rows); any other is looked up once per request: a body of a hundred items
    names the same few segments and techniques, and the codes of a list's items are looked
    up together."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)
        self.lookup_field_name = self.slug_field

    def to_internal_value(self, data):
        queryset = declared_queryset(self)
        if not isinstance(queryset, models.QuerySet):
            raise ImproperlyConfigured(f"{type(self).__name__} needs a queryset.")
        model = queryset.model
        if is_shipped(model) and isinstance(data, str) and not queryset.query.where:
            found = (
                shipped_rows(model).get(data) if self.slug_field == model._meta.pk.name else None
            )
            if found is not None:
                return found
        # The context is the dict the serializer was given (typed as a Mapping).
        looked_up = cast(dict[str, Any], self.context).setdefault("reference_lookups", {})
        key = (type(self), model, _request_clinic_id(self), str(data))
        if key not in looked_up:
            found = self.looked_up_in_list(data)
            # An unknown code raises.
            looked_up[key] = found if found is not None else super().to_internal_value(data)
        return looked_up[key]


class ClinicReferenceCodeField(ReferenceCodeField):
    """A reference by code to shipped reference data or to the caller's clinic's own entries."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset is not None and hasattr(queryset, "available_to"):
            return queryset.available_to(_request_clinic_id(self))
        return queryset
