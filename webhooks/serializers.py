"""Webhook endpoints and their delivery log as the API shows them. The secret is answered only
by the create and the rotation, never by a read."""

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from api.concurrency import VERSION_HELP
from api.serializers import StrictModelSerializer
from changes.tracking import event_types
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

ENDPOINT_EXAMPLE = {
    "id": "5b0b7a0e-6a8c-4f57-9a0e-8d1c6a3f2b11",
    "url": "https://integrations.example.com/chiro/webhooks",
    "description": "Practice analytics",
    "event_types": ["visit.signed", "appointment.cancelled"],
    "is_active": True,
    "status": "enabled",
    "status_reason": "",
    "status_changed_at": None,
    "previous_secret_expires_at": None,
    "created_at": "2026-11-24T15:02:11.482Z",
    "updated_at": "2026-11-24T15:02:11.482Z",
    "version": 1,
}
# Named once for the schema (ENUM_NAME_OVERRIDES): the same set as the change feed's `type`.
EVENT_TYPE_CHOICES = event_types()

SECRET_EXAMPLE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw8Qs0cM5XbOo="

DELIVERY_EXAMPLE = {
    "id": "0e9c7c55-3f3f-4c1e-8a43-7f1a1fbb2d90",
    "event_id": "evt_48213",
    "event_seq": 977,
    "event_type": "visit.signed",
    "resource_type": "visit",
    "resource_id": "6c859174-0a03-4b09-aed4-c669688ac8a2",
    "status": "succeeded",
    "attempts": 2,
    "next_attempt_at": None,
    "last_status_code": 200,
    "last_error": "",
    "created_at": "2026-11-24T15:02:12.004Z",
    "delivered_at": "2026-11-24T15:02:17.310Z",
    "attempt_log": [
        {
            "number": 1,
            "started_at": "2026-11-24T15:02:12.120Z",
            "status_code": 500,
            "latency_ms": 84,
            "response_excerpt": "Internal Server Error",
            "error": "",
        },
        {
            "number": 2,
            "started_at": "2026-11-24T15:02:17.250Z",
            "status_code": 200,
            "latency_ms": 60,
            "response_excerpt": "ok",
            "error": "",
        },
    ],
}


@extend_schema_serializer(
    examples=[OpenApiExample("An endpoint for signed visits", value=ENDPOINT_EXAMPLE)]
)
class WebhookEndpointSerializer(StrictModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES),
        required=False,
        max_length=len(EVENT_TYPE_CHOICES),
        help_text="The event types sent (the change feed's `type`s); empty: every type.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "is_active",
            "status",
            "status_reason",
            "status_changed_at",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [
            "id",
            "status",
            "status_reason",
            "status_changed_at",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
            "version",
        ]
        extra_kwargs = {
            "id": {"help_text": "The endpoint's identifier."},
            "url": {
                "help_text": "Where events are POSTed: https in production, and a host that "
                "resolves only to public addresses (private, loopback and link-local ones are "
                "refused, at registration and at every delivery)."
            },
            "description": {"help_text": "What the endpoint is for, for the clinic's admins."},
            "is_active": {
                "help_text": "Events are sent while true. DELETE sets it to false; setting it "
                "to true again also enables an endpoint disabled by a 410 or marked failing."
            },
            "status": {
                "help_text": "`enabled`: receiving; `failing`: an event's every retry failed "
                "(see `status_reason`; new events are still sent, a success clears it); "
                "`disabled`: the receiver answered 410 Gone, nothing is sent until enabled."
            },
            "status_reason": {"help_text": "Why the endpoint is failing or disabled."},
            "status_changed_at": {"help_text": "When `status` last changed."},
            "previous_secret_expires_at": {
                "help_text": "After a rotation, until when the previous secret still signs "
                "(each delivery carries both signatures); null when none does."
            },
            "created_at": {"help_text": "When the endpoint was registered."},
            "updated_at": {"help_text": "When it was last changed."},
            "version": VERSION_HELP,
        }


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A new endpoint, with its secret",
            value={**ENDPOINT_EXAMPLE, "secret": SECRET_EXAMPLE},
            response_only=True,
        )
    ]
)
class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """The endpoint with its signing secret: answered once, by the create."""

    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (`whsec_…`, Standard Webhooks): verify each delivery "
        "with it. Shown only now; rotate it if it is lost.",
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookEndpointSerializer.Meta.read_only_fields, "secret"]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A rotated secret",
            value={
                "secret": SECRET_EXAMPLE,
                "previous_secret_expires_at": "2026-11-25T15:02:11.482Z",
            },
        )
    ]
)
class RotatedSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(
        help_text="The new signing secret: shown only now. Deliveries carry its signature "
        "from now on."
    )
    previous_secret_expires_at = serializers.DateTimeField(
        help_text="Until then, deliveries also carry the previous secret's signature."
    )


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "started_at", "status_code", "latency_ms", "response_excerpt", "error"]
        read_only_fields = fields
        extra_kwargs = {
            "number": {"help_text": "The attempt's number: 1 for the first, on."},
            "started_at": {"help_text": "When the POST started."},
            "status_code": {"help_text": "The receiver's HTTP status; null: no answer."},
            "latency_ms": {"help_text": "Milliseconds until the answer (or the failure)."},
            "response_excerpt": {"help_text": "The first 500 characters of the receiver's answer."},
            "error": {
                "help_text": "Why no answer was read (timeout, connection refused, an address "
                "refused, the worker stopped mid-attempt); empty when one was."
            },
        }


@extend_schema_serializer(
    examples=[OpenApiExample("Delivered on the second attempt", value=DELIVERY_EXAMPLE)]
)
class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(
        many=True, read_only=True, help_text="Every attempt, oldest first."
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_seq",
            "event_type",
            "resource_type",
            "resource_id",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "delivered_at",
            "attempt_log",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The delivery's identifier (redeliver it by this id)."},
            "event_id": {
                "help_text": "The event's id, sent as `webhook-id` on every attempt and "
                "redelivery: a receiver drops a duplicate by it."
            },
            "event_seq": {"help_text": "The event's place in the clinic's feed; null: a test."},
            "event_type": {"help_text": "The event's type (`webhook.test` for a test event)."},
            "resource_type": {"help_text": "The kind of record that changed; empty: a test."},
            "resource_id": {"help_text": "The record that changed; null: a test."},
            "status": {
                "help_text": "`pending`: waiting for its next attempt; `succeeded`: answered "
                "2xx; `failed`: every attempt of the retry schedule failed."
            },
            "attempts": {"help_text": "Attempts made so far, redeliveries included."},
            "next_attempt_at": {"help_text": "When the next attempt goes; null: none is due."},
            "last_status_code": {"help_text": "The last attempt's HTTP status, if answered."},
            "last_error": {"help_text": "The last attempt's failure, if it had no answer."},
            "created_at": {"help_text": "When the event was handed to this endpoint."},
            "delivered_at": {"help_text": "When a 2xx was received."},
        }
