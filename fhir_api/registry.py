"""Every FHIR resource type this server serves, in the CapabilityStatement's order."""

from fhir_api.kinds import Kind
from fhir_api.resources.condition import CONDITION
from fhir_api.resources.patient import PATIENT

KINDS: list[Kind] = [PATIENT, CONDITION]
