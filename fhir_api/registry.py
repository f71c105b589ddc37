"""Every FHIR resource type this server serves, in the CapabilityStatement's order."""

from fhir_api.kinds import ResourceKind
from fhir_api.resources.careplan import CAREPLAN
from fhir_api.resources.goal import GOAL
from fhir_api.resources.patient import PATIENT
from fhir_api.resources.servicerequest import SERVICE_REQUEST

KINDS: list[ResourceKind] = [PATIENT, CAREPLAN, GOAL, SERVICE_REQUEST]

KINDS_BY_NAME: dict[str, ResourceKind] = {kind.name: kind for kind in KINDS}
