"""Audit events and record history as the API shows them."""

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from audit.models import AuditAction, AuditEvent

AUDIT_EVENT_EXAMPLE = {
    "id": 4182,
    "seq": 977,
    "occurred_at": "2026-11-24T15:02:11.482Z",
    "user": "0b7c4d8e-51f1-4ad3-9b51-2c3cf0a2e6b1",
    "username": "dr.palmer",
    "role": "chiropractor",
    "client_ip": "203.0.113.24",
    "user_agent": "ChiroTablet/2.3 (iPadOS 18)",
    "request_id": "9d1f0c3e-7a5b-4d7e-8a53-2f7c0b6e9d11",
    "method": "PATCH",
    "path": "/api/v1/patients/5b0c2f0a-1d5e-4a8e-9f0e-3c2b1a0d9e8f/",
    "action": "update",
    "resource_type": "patient",
    "object_ids": ["5b0c2f0a-1d5e-4a8e-9f0e-3c2b1a0d9e8f"],
    "patient_ids": ["5b0c2f0a-1d5e-4a8e-9f0e-3c2b1a0d9e8f"],
    "status_code": 200,
    "changed_fields": ["occupation", "phone"],
}


@extend_schema_serializer(
    examples=[OpenApiExample("A chiropractor changes a phone number", value=AUDIT_EVENT_EXAMPLE)]
)
class AuditEventSerializer(serializers.ModelSerializer):
    user = serializers.UUIDField(
        source="user_id", allow_null=True, help_text="Who: the staff member (null if unknown)."
    )
    action = serializers.ChoiceField(choices=AuditAction.choices, help_text="What was done.")
    patient_ids = serializers.ListField(
        child=serializers.UUIDField(),
        help_text="The patients whose records were touched (at most 100).",
    )
    object_ids = serializers.ListField(
        child=serializers.CharField(),
        help_text="The records read or written (a list's page: at most 100).",
    )
    changed_fields = serializers.ListField(
        child=serializers.CharField(),
        help_text="For writes, the names of the fields that changed (never their values).",
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "seq",
            "occurred_at",
            "user",
            "username",
            "role",
            "client_ip",
            "user_agent",
            "request_id",
            "method",
            "path",
            "action",
            "resource_type",
            "object_ids",
            "patient_ids",
            "status_code",
            "changed_fields",
        ]
        extra_kwargs = {
            "id": {"help_text": "The event's identifier."},
            "seq": {
                "help_text": "Position in the clinic's sealed trail (1, 2, 3, …), given by the "
                "sealer within a second or so of the event; null until then. "
                "`GET /api/v1/audit-events/{id}/proof/` proves it."
            },
            "occurred_at": {"help_text": "When (UTC), set by the database."},
            "username": {
                "help_text": "The staff member's username; for a failed login, the name tried."
            },
            "role": {"help_text": "The staff member's role at the time."},
            "client_ip": {"help_text": "The client's address (past the configured proxies)."},
            "user_agent": {"help_text": "The client's User-Agent, cut at 300 characters."},
            "request_id": {
                "help_text": "The request's id (`X-Request-ID`), shared with the record history."
            },
            "method": {"help_text": "The HTTP method."},
            "path": {"help_text": "The path requested."},
            "resource_type": {
                "help_text": "The kind of record: patient, condition, treatment_plan, visit, …"
            },
            "status_code": {"help_text": "The outcome: the HTTP status answered."},
        }
