"""Every FHIR resource type this server serves, in the CapabilityStatement's order."""

from fhir_api.kinds import ResourceKind
from fhir_api.resources.encounter import ENCOUNTER
from fhir_api.resources.patient import PATIENT
from fhir_api.resources.procedure import PROCEDURE
from fhir_api.resources.provenance import PROVENANCE

KINDS: list[ResourceKind] = [PATIENT, ENCOUNTER, PROCEDURE, PROVENANCE]
