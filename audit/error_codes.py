"""Audit error codes, each with the one status it answers (api.error_codes)."""

from api.error_codes import ErrorCodes


class AuditCode(ErrorCodes):
    """What the audit trail's reads answer."""

    EXPORT_TOO_LARGE = "export_too_large", 400
    AUDIT_EVENT_UNSEALED = "audit_event_unsealed", 409
    AUDIT_SEAL_BROKEN = "audit_seal_broken", 409
