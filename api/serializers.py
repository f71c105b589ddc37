"""Serializer behaviour shared by every endpoint."""

from rest_framework import serializers


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


class StrictSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    pass


class StrictModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    pass
