"""What a delivery sends: the thin payload of Standard Webhooks' recommended shape (ids, never
content) and its signed headers."""

import base64
import secrets
from datetime import UTC, datetime

import orjson
from standardwebhooks import Webhook

from changes.models import ChangeEvent
from changes.serializers import event_id

SECRET_PREFIX = "whsec_"
TEST_EVENT_TYPE = "webhook.test"
USER_AGENT = "chiropractic-practice-api-webhooks/1"


def new_secret() -> str:
    """A signing key of 32 random bytes, as Standard Webhooks writes one: `whsec_` + base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_payload(event: ChangeEvent) -> str:
    """The body of every delivery of `event`: the receiver reads the record with its own
    token, so that each read of PHI is audited where it happens."""
    return orjson.dumps(
        {
            "type": event.type,
            "timestamp": _stamp(event.occurred_at),
            "data": {
                "id": event_id(event),
                "seq": event.seq,
                "resource_type": event.resource_type,
                "resource_id": str(event.resource_id),
                "action": event.action,
                "version": event.version,
            },
        }
    ).decode()


def test_payload(message_id: str, at: datetime) -> str:
    return orjson.dumps(
        {"type": TEST_EVENT_TYPE, "timestamp": _stamp(at), "data": {"id": message_id}}
    ).decode()


def signed_headers(
    *, message_id: str, payload: str, secrets_in_use: list[str], at: datetime
) -> dict[str, str]:
    """The Standard Webhooks headers: one signature per secret in use (both during a
    rotation's overlap, space-separated as the specification allows)."""
    signatures = " ".join(
        Webhook(secret).sign(msg_id=message_id, timestamp=at, data=payload)
        for secret in secrets_in_use
    )
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
