"""Location (US Core Location): the clinic's premises, one per clinic, under the clinic's id."""

from api.permissions import ALL_ROLES
from clinics.models import Clinic
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import compact, meta, reference
from fhir_api.resources.organization import (
    ADDRESS_PARTS,
    CLINIC_ADDRESS,
    CLINIC_NAME,
    address_not_held,
    clinic_address,
    clinic_rows,
    clinic_telecom,
)
from fhir_api.search import IdParameter, ReferenceParameter


def location_resource(clinic: Clinic) -> dict:
    address = clinic_address(clinic)
    return compact(
        {
            "resourceType": "Location",
            "id": str(clinic.id),
            # No lastUpdated: a clinic keeps no time of its last change.
            "meta": meta(None, "us-core-location"),
            "status": "active" if clinic.is_active else "inactive",
            "name": clinic.name,
            "mode": "instance",
            "telecom": clinic_telecom(clinic),
            "address": address[0] if address else None,
            "managingOrganization": reference("Organization", clinic.id, clinic.name),
        }
    )


LOCATION = ResourceKind(
    # Staff and clinic rows keep no change time: an export writes them whatever `_since`.
    last_updated=None,
    name="Location",
    summary="The clinic's premises (one per clinic, with the clinic's id): name, phone, "
    "address, the clinic as managing organization (US Core Location).",
    rows=clinic_rows,
    resource=location_resource,
    readers=ALL_ROLES,
    audit_resource="clinic",
    patient_attr=None,
    profiles=("us-core-location",),
    search={
        "_id": IdParameter("The location's id (its clinic's)."),
        "name": CLINIC_NAME,
        "address": CLINIC_ADDRESS,
        "organization": ReferenceParameter(
            "The managing organization: `Organization/<clinic id>`.",
            column="pk",
            target="Organization",
        ),
    },
    not_held=address_not_held("Location", *ADDRESS_PARTS),
)
