"""PractitionerRole (US Core PractitionerRole): each practitioner's role at the clinic, one per
practitioner, under the practitioner's id (ids are unique per resource type)."""

from api.permissions import ALL_ROLES
from api.roles import Role
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import compact, concept, meta, reference
from fhir_api.resources.organization import clinic_telecom
from fhir_api.resources.practitioner import practitioner_rows, practitioner_telecom
from fhir_api.search import FixedTokenParameter, IdParameter, ReferenceParameter
from fhir_api.systems import NUCC_TAXONOMY

# NUCC Health Care Provider Taxonomy 111N00000X "Chiropractor": a code of US Core's
# PractitionerRole.code ("Care Team Member Function", which includes the NUCC taxonomy) and
# .specialty ("Healthcare Provider Taxonomy") value sets. Every practitioner served is one
# (clinics.selectors.practitioner_list); no sub-specialty (111N…) is recorded.
CHIROPRACTOR = ("111N00000X", "Chiropractor")


def practitioner_role_resource(user: User) -> dict:
    clinic = user.staff_clinic
    return compact(
        {
            "resourceType": "PractitionerRole",
            "id": str(user.id),
            # No lastUpdated: a staff account keeps no time of its last change.
            "meta": meta(None, "us-core-practitionerrole"),
            # Treating here now: an active account in the chiropractor role (one who holds an
            # NPI but has since become clinic admin no longer treats).
            "active": user.is_active and user.role == Role.CHIROPRACTOR,
            "practitioner": reference("Practitioner", user.id, user.get_full_name()),
            "organization": reference("Organization", clinic.id, clinic.name),
            "location": [reference("Location", clinic.id, clinic.name)],
            "code": [concept(NUCC_TAXONOMY, *CHIROPRACTOR)],
            "specialty": [concept(NUCC_TAXONOMY, *CHIROPRACTOR)],
            # pd-1: contact details or an endpoint. Their work email, and the clinic's phone.
            "telecom": practitioner_telecom(user) + clinic_telecom(clinic),
        }
    )


PRACTITIONER_ROLE = ResourceKind(
    # Staff and clinic rows keep no change time: an export writes them whatever `_since`.
    last_updated=None,
    name="PractitionerRole",
    summary="Each practitioner's role at the clinic (one per practitioner, with their id): "
    "chiropractor (NUCC 111N00000X), the clinic and its location, contact details (US Core "
    "PractitionerRole).",
    rows=practitioner_rows,
    resource=practitioner_role_resource,
    readers=ALL_ROLES,
    audit_resource="staff",
    patient_attr=None,
    ordering="username",
    profiles=("us-core-practitionerrole",),
    search={
        "_id": IdParameter("The role's id (its practitioner's)."),
        "practitioner": ReferenceParameter(
            "The practitioner: `Practitioner/<id>` or `<id>`.", column="pk", target="Practitioner"
        ),
        "specialty": FixedTokenParameter(
            "The specialty: every role here is `http://nucc.org/provider-taxonomy|111N00000X`.",
            system=NUCC_TAXONOMY,
            code=CHIROPRACTOR[0],
        ),
    },
    not_held={
        "PractitionerRole.endpoint": "No electronic endpoints (Direct addresses) are kept.",
    },
)
