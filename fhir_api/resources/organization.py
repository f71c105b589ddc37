"""Organization (US Core Organization): the caller's clinic, the only organization it sees."""

from django.db.models import QuerySet

from api.permissions import ALL_ROLES
from clinics.models import Clinic, User
from clinics.selectors import own_clinic
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import compact, concept, identifier, meta
from fhir_api.search import IdentifiersParameter, IdParameter, StringParameter
from fhir_api.systems import NPI, ORGANIZATION_TYPE, TAX_ID

# What a clinic's one address text cannot say part by part.
ADDRESS_PARTS_NOT_HELD = "The clinic keeps its address as one text (`address.text`), not in parts."


def address_not_held(resource_type: str, *parts: str) -> dict[str, str]:
    """The address parts a clinic's one address text does not hold, as `not_held` says them."""
    return {f"{resource_type}.address.{part}": ADDRESS_PARTS_NOT_HELD for part in parts}


# The clinic's name and address, searched alike as an Organization and as a Location.
CLINIC_NAME = StringParameter(
    "Start of the clinic's name (case ignored).",
    columns=("name",),
    exact_columns=("name",),
    as_written=True,
)
CLINIC_ADDRESS = StringParameter(
    "Text anywhere in the clinic's address (kept as one text; case ignored).",
    columns=("address",),
    exact_columns=("address",),
    as_written=True,
    anywhere=True,
)
ADDRESS_PARTS = ("line", "city", "state", "postalCode")


def clinic_rows(user: User) -> QuerySet[Clinic]:
    return own_clinic(user=user)


def clinic_telecom(clinic: Clinic) -> list[dict]:
    return [{"system": "phone", "value": clinic.phone, "use": "work"}] if clinic.phone else []


def clinic_address(clinic: Clinic) -> list[dict]:
    # The text as the clinic wrote it: splitting it into line, city and state would be a guess.
    return [{"use": "work", "type": "physical", "text": clinic.address}] if clinic.address else []


def _identifiers(clinic: Clinic) -> list[dict]:
    found = []
    if clinic.npi:
        found.append(identifier(NPI, clinic.npi, "NPI", "National provider identifier"))
    if clinic.tax_id:
        found.append(identifier(TAX_ID, clinic.tax_id, "TAX", "Tax ID number"))
    return found


def organization_resource(clinic: Clinic) -> dict:
    return compact(
        {
            "resourceType": "Organization",
            "id": str(clinic.id),
            # No lastUpdated: a clinic keeps no time of its last change.
            "meta": meta(None, "us-core-organization"),
            "identifier": _identifiers(clinic),
            "active": clinic.is_active,
            "type": [concept(ORGANIZATION_TYPE, "prov", "Healthcare Provider")],
            "name": clinic.name,
            "telecom": clinic_telecom(clinic),
            "address": clinic_address(clinic),
        }
    )


ORGANIZATION = ResourceKind(
    # Staff and clinic rows keep no change time: an export writes them whatever `_since`.
    last_updated=None,
    name="Organization",
    summary="The caller's clinic: its NPI and tax id, name, phone and address (US Core "
    "Organization). No other clinic is visible.",
    rows=clinic_rows,
    resource=organization_resource,
    readers=ALL_ROLES,
    audit_resource="clinic",
    patient_attr=None,
    profiles=("us-core-organization",),
    search={
        "_id": IdParameter("The clinic's id."),
        "identifier": IdentifiersParameter(
            "The clinic's group NPI or tax id (`value`, or `system|value`).",
            columns={NPI: "npi", TAX_ID: "tax_id"},
        ),
        "name": CLINIC_NAME,
        "address": CLINIC_ADDRESS,
    },
    not_held=address_not_held("Organization", *ADDRESS_PARTS, "country"),
)
