"""Serializer behaviour shared by every endpoint."""

from rest_framework import serializers

from api.permissions import may_read_clinical

# Component name -> fields left out for roles without clinical access (read by api.schema).
CLINICAL_FIELDS_BY_COMPONENT: dict[str, tuple[str, ...]] = {}


class RejectUnknownFieldsMixin:
    """Answer 400 for body fields the endpoint does not know, instead of dropping them.

    A typo such as `date_of_brith` would otherwise be ignored silently and the client would
    believe the value was saved.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [serializers.ErrorDetail("Unknown field.", code="unknown_field")]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class ClinicalFieldsMixin:
    """`Meta.clinical_fields` are left out of the representation for the front desk."""

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


class StrictSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    pass


class StrictModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    pass
