"""Every FHIR resource type this server serves, in the CapabilityStatement's order."""

from fhir_api.kinds import ResourceKind
from fhir_api.resources.patient import PATIENT

KINDS: list[ResourceKind] = [PATIENT]

KINDS_BY_NAME: dict[str, ResourceKind] = {kind.name: kind for kind in KINDS}
