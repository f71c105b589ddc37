"""AuditEvent (base FHIR R4; US Core has no profile): the clinic's audit trail, for its admins.

One AuditEvent per event of `audit.models.AuditEvent`, under the event's own id (a number, not
a UUID): who (the staff member, their role, their address), what (the action, as FHIR's
C/R/U/D/E and as the trail's own action), which records and patients, and how it ended.
"""

import re

from django.db.models import QuerySet

from api.permissions import IsClinicAdmin
from api.roles import Role
from audit.models import AuditAction, AuditEvent
from audit.selectors import audit_event_list
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import coding, compact, instant, reference
from fhir_api.resources.practitioner import staff_identifier
from fhir_api.search import DateParameter, IdParameter, ReferenceParameter, TokenParameter
from fhir_api.systems import (
    AUDIT_ACTION,
    AUDIT_ENTITY_TYPE,
    AUDIT_EVENT_ACTION,
    AUDIT_EVENT_TYPE,
    AUDIT_RESOURCE,
    OBJECT_ROLE,
    RECORD_ID,
    RESTFUL_INTERACTION,
    SECURITY_SOURCE_TYPE,
    STAFF_ID,
    STAFF_ROLE,
)

# FHIR's action (http://hl7.org/fhir/audit-event-action) of each of the trail's actions. An
# archive or a discard is the user's delete (the record is kept, as every record is); logging
# in and out and second-factor challenges are system functions (E), changes to an account's
# security are updates.
FHIR_ACTIONS: dict[str, tuple[AuditAction, ...]] = {
    "C": (AuditAction.CREATE, AuditAction.BREAK_GLASS),
    "R": (
        AuditAction.LIST,
        AuditAction.SEARCH,
        AuditAction.READ,
        AuditAction.EXPORT,
        AuditAction.BREAK_GLASS_READ,
    ),
    "U": (
        AuditAction.UPDATE,
        AuditAction.RESTORE,
        AuditAction.SIGN,
        AuditAction.AMEND,
        AuditAction.UNLOCK,
        AuditAction.ROLE_CHANGE,
        AuditAction.DEACTIVATE,
        AuditAction.REACTIVATE,
        AuditAction.MFA_ENROL,
        AuditAction.MFA_ENABLE,
        AuditAction.MFA_DISABLE,
        AuditAction.RECOVERY_CODES,
        AuditAction.BREAK_GLASS_END,
    ),
    "D": (AuditAction.ARCHIVE, AuditAction.DISCARD),
    "E": (
        AuditAction.LOGIN,
        AuditAction.LOGIN_FAILED,
        AuditAction.LOGOUT,
        AuditAction.LOCKOUT,
        AuditAction.MFA_CHALLENGE,
    ),
}
FHIR_ACTION = {action: code for code, actions in FHIR_ACTIONS.items() for action in actions}

# FHIR's RESTful interaction (http://hl7.org/fhir/restful-interaction) of an action made with
# a method, where one is the same thing; the others (sign, amend, a status move) have none.
INTERACTIONS = {
    (AuditAction.READ, "GET"): "read",
    (AuditAction.LIST, "GET"): "search-type",
    (AuditAction.SEARCH, "GET"): "search-type",
    (AuditAction.CREATE, "POST"): "create",
    (AuditAction.UPDATE, "PUT"): "update",
    (AuditAction.UPDATE, "PATCH"): "patch",
}

MAX_ID_DIGITS = 18  # an event's id is a bigint


def audit_event_id(text: str) -> int:
    if not re.fullmatch(rf"[0-9]{{1,{MAX_ID_DIGITS}}}", text):
        raise ValueError("An audit event's id is a whole number.")
    return int(text)


def audit_event_rows(user: User) -> QuerySet[AuditEvent]:
    return audit_event_list(user=user)


def _outcome(status_code: int) -> str:
    # 0 success, 4 minor failure (a refusal, "often an HTTP 400"), 8 serious failure (an error).
    if status_code < 400:
        return "0"
    return "4" if status_code < 500 else "8"


def _subtype(event: AuditEvent) -> list[dict]:
    found = [coding(AUDIT_ACTION, event.action, event.get_action_display())]
    interaction = INTERACTIONS.get((AuditAction(event.action), event.method))
    if interaction:
        found.insert(0, coding(RESTFUL_INTERACTION, interaction))
    return found


def _agent(event: AuditEvent) -> dict:
    role = (
        [{"coding": [coding(STAFF_ROLE, event.role, Role(event.role).label)]}]
        if event.role in Role.values
        else []
    )
    who = (
        {"identifier": staff_identifier(event.user_id), "display": event.username}
        if event.user_id
        else None
    )
    return compact(
        {
            "role": role,
            "who": who,
            # The name a failed login tried, where no staff member was found.
            "name": event.username if not event.user_id else None,
            "requestor": True,
            "network": {"address": event.client_ip, "type": "2"} if event.client_ip else None,
        }
    )


def _entities(event: AuditEvent) -> list[dict]:
    patients = [str(patient_id) for patient_id in event.patient_ids]
    found: list[dict] = [
        {
            "what": reference("Patient", patient_id),
            "type": coding(AUDIT_ENTITY_TYPE, "1", "Person"),
            "role": coding(OBJECT_ROLE, "1", "Patient"),
        }
        for patient_id in patients
    ]
    kind = coding(AUDIT_RESOURCE, event.resource_type) if event.resource_type else None
    system = STAFF_ID if event.resource_type == "staff" else RECORD_ID
    # Ids are UUIDs, unique across records: an object that is a patient is listed as one.
    records = [
        compact({"what": {"identifier": {"system": system, "value": key}}, "type": kind})
        for key in event.object_ids
        if key not in patients
    ]
    if not event.object_ids and kind is not None:
        # No record read (an empty search, a refusal): the request still names what it asked.
        records.append({"type": kind, "description": f"{event.method} {event.path}"})
    return found + records


def audit_event_resource(event: AuditEvent) -> dict:
    return compact(
        {
            "resourceType": "AuditEvent",
            "id": str(event.id),
            "meta": {"lastUpdated": instant(event.occurred_at)},
            "type": coding(AUDIT_EVENT_TYPE, "rest", "RESTful Operation"),
            "subtype": _subtype(event),
            "action": FHIR_ACTION[AuditAction(event.action)],
            "recorded": instant(event.occurred_at),
            "outcome": _outcome(event.status_code),
            "outcomeDesc": f"HTTP {event.status_code}",
            "agent": [_agent(event)],
            "source": {
                "observer": {"display": "Chiropractic Practice API"},
                "type": [coding(SECURITY_SOURCE_TYPE, "4", "Application Server")],
            },
            "entity": _entities(event),
        }
    )


AUDIT_EVENT = ResourceKind(
    # Staff and clinic rows keep no change time: an export writes them whatever `_since`.
    last_updated=None,
    # The trail is exported by the REST API's audit export, not with a clinic's records.
    exported=False,
    name="AuditEvent",
    summary="The clinic's audit trail, newest first: who read or changed which records and "
    "patients, when, from where, and how it ended (base FHIR R4 AuditEvent). Reading it is "
    "itself recorded.",
    rows=audit_event_rows,
    resource=audit_event_resource,
    readers=IsClinicAdmin.roles,
    audit_resource="audit_event",
    # Ids grow with time: newest first is by id, which every index of the trail ends with.
    ordering="-id",
    patient_attr=None,
    parse_id=audit_event_id,
    search={
        "_id": IdParameter("The event's id (a whole number).", read=audit_event_id),
        "date": DateParameter("When it happened.", column="occurred_at"),
        "agent": ReferenceParameter(
            "The staff member who acted: their staff id (`<id>` or `Practitioner/<id>`).",
            column="user_id",
            target="Practitioner",
        ),
        "patient": ReferenceParameter(
            "A patient whose record it touched: `Patient/<id>` or `<id>`.",
            column="patient_ids",
            target="Patient",
            many=True,
        ),
        "action": TokenParameter(
            "What was done: C(reate), R(ead, search, export), U(pdate), D(elete: archive, "
            "discard), E(xecute: log in and out).",
            column="action",
            system=AUDIT_EVENT_ACTION,
            codes={code: tuple(actions) for code, actions in FHIR_ACTIONS.items()},
        ),
    },
)
