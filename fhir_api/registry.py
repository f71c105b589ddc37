"""Every FHIR resource type this server serves, in the CapabilityStatement's order."""

from fhir_api.kinds import ResourceKind
from fhir_api.resources.audit_event import AUDIT_EVENT
from fhir_api.resources.coverage import COVERAGE
from fhir_api.resources.location import LOCATION
from fhir_api.resources.organization import ORGANIZATION
from fhir_api.resources.patient import PATIENT
from fhir_api.resources.practitioner import PRACTITIONER
from fhir_api.resources.practitioner_role import PRACTITIONER_ROLE

KINDS: list[ResourceKind] = [
    PATIENT,
    PRACTITIONER,
    PRACTITIONER_ROLE,
    ORGANIZATION,
    LOCATION,
    COVERAGE,
    AUDIT_EVENT,
]
