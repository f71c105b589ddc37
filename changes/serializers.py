"""Change events as the feed and the webhooks show them: ids, never content."""

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from api.serializers import CachedModelSerializer
from changes.models import ChangeEvent
from changes.tracking import event_types, resource_types

CHANGE_EVENT_EXAMPLE = {
    "id": "evt_48213",
    "seq": 977,
    "type": "visit.signed",
    "resource_type": "visit",
    "resource_id": "6c859174-0a03-4b09-aed4-c669688ac8a2",
    "action": "signed",
    "version": 4,
    "patient_id": "393079ba-e54a-4166-a7e2-10e27ee89b43",
    "occurred_at": "2026-11-24T15:02:11.482Z",
    "actor_id": "0b7c4d8e-51f1-4ad3-9b51-2c3cf0a2e6b1",
}


def event_id(event: ChangeEvent) -> str:
    """The event's id across the feed and every webhook delivery of it (`webhook-id`)."""
    return f"evt_{event.pk}"


@extend_schema_serializer(
    examples=[OpenApiExample("A chiropractor signs a visit", value=CHANGE_EVENT_EXAMPLE)]
)
class ChangeEventSerializer(CachedModelSerializer):
    id = serializers.SerializerMethodField(
        help_text="The event's id: the same in the feed and in every webhook delivery of it "
        "(`webhook-id`), so that a receiver can drop a duplicate."
    )
    seq = serializers.IntegerField(
        help_text="The event's place in the clinic's feed: contiguous, in commit order. Keep "
        "the last one read and pass it as `after`."
    )
    type = serializers.ChoiceField(
        choices=event_types(), help_text="`resource_type.action`: what happened to what."
    )
    resource_type = serializers.ChoiceField(
        choices=resource_types(), help_text="The kind of record that changed."
    )
    resource_id = serializers.UUIDField(
        help_text="The record that changed: read it at its endpoint, with your own token."
    )
    action = serializers.CharField(
        help_text="How it changed: `created`, `updated`, or a named change (`signed`, "
        "`archived`, `cancelled`, …)."
    )
    version = serializers.IntegerField(
        allow_null=True,
        help_text="The record's version after the change (its ETag); null for a change to "
        "a part of the record (an amendment) and for records without versions.",
    )
    patient_id = serializers.UUIDField(
        allow_null=True, help_text="The patient whose record it is (null: none)."
    )
    occurred_at = serializers.DateTimeField(help_text="When the change's transaction began.")
    actor_id = serializers.UUIDField(
        allow_null=True,
        help_text="The staff member who made the change; null for the system (a job, an import "
        "run by an operator).",
    )

    class Meta:
        model = ChangeEvent
        fields = [
            "id",
            "seq",
            "type",
            "resource_type",
            "resource_id",
            "action",
            "version",
            "patient_id",
            "occurred_at",
            "actor_id",
        ]
        read_only_fields = fields

    def get_id(self, event: ChangeEvent) -> str:
        return event_id(event)
