"""Practitioner (US Core Practitioner): the clinic's staff who treat, by their staff id.

Who appears is `clinics.selectors.practitioner_list`: chiropractors, and anyone holding an
individual NPI, deactivated or not (their signed visits and plans still name them). The front
desk and clinic admins without an NPI do not treat and are no practitioners; where a record
names them (an audit event's agent) it does so by their staff identifier.
"""

import uuid

from django.db.models import QuerySet

from api.permissions import ALL_ROLES
from clinics.models import User
from clinics.selectors import practitioner_list
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import absent, compact, identifier, meta
from fhir_api.search import IdentifiersParameter, IdParameter, StringParameter
from fhir_api.systems import NPI, STAFF_ID


def practitioner_rows(user: User) -> QuerySet[User]:
    return practitioner_list(user=user)


def staff_identifier(user_id: object) -> dict:
    """A staff member's identifier: their id, as the REST API names them."""
    return {"use": "secondary", "system": STAFF_ID, "value": str(user_id)}


def practitioner_identifiers(user: User) -> list[dict]:
    found = []
    if user.npi:
        found.append({"use": "official", **identifier(NPI, user.npi)})
    found.append(staff_identifier(user.id))
    return found


def practitioner_name(user: User) -> dict:
    name: dict = {"use": "official"}
    if user.last_name:
        name["family"] = user.last_name
    else:
        # US Core requires a family name; the account has none (not its login name).
        name["_family"] = absent()
    if user.first_name:
        name["given"] = [user.first_name]
    return name


def practitioner_telecom(user: User) -> list[dict]:
    return [{"system": "email", "value": user.email, "use": "work"}] if user.email else []


def practitioner_resource(user: User) -> dict:
    return compact(
        {
            "resourceType": "Practitioner",
            "id": str(user.id),
            # No lastUpdated: a staff account keeps no time of its last change.
            "meta": meta(None, "us-core-practitioner"),
            "identifier": practitioner_identifiers(user),
            "active": user.is_active,
            "name": [practitioner_name(user)],
            "telecom": practitioner_telecom(user),
        }
    )


PRACTITIONER = ResourceKind(
    # Staff and clinic rows keep no change time: an export writes them whatever `_since`.
    last_updated=None,
    name="Practitioner",
    summary="The clinic's chiropractors (and anyone else holding an individual NPI), "
    "deactivated ones too: NPI, staff id, name, work email (US Core Practitioner).",
    rows=practitioner_rows,
    resource=practitioner_resource,
    readers=ALL_ROLES,
    audit_resource="staff",
    patient_attr=None,
    ordering="username",
    profiles=("us-core-practitioner",),
    search={
        "_id": IdParameter("The practitioner's id (their staff id)."),
        "identifier": IdentifiersParameter(
            "The individual NPI or the staff id (`value`, or `system|value`).",
            columns={NPI: "npi", STAFF_ID: "id"},
            read={"id": uuid.UUID},
        ),
        "name": StringParameter(
            "Start of the family or given name (case ignored).",
            columns=("last_name", "first_name"),
            exact_columns=("last_name", "first_name"),
            as_written=True,
        ),
    },
    not_held={
        "Practitioner.address": "The clinic keeps no staff addresses; the PractitionerRole "
        "names the clinic's Location.",
        "Practitioner.address.line": "No staff addresses are kept.",
        "Practitioner.address.city": "No staff addresses are kept.",
        "Practitioner.address.state": "No staff addresses are kept.",
        "Practitioner.address.postalCode": "No staff addresses are kept.",
        "Practitioner.address.country": "No staff addresses are kept.",
    },
)
