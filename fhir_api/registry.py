"""Every FHIR resource type this server serves, in the CapabilityStatement's order."""

from fhir_api.kinds import AnyKind
from fhir_api.resources.appointment import APPOINTMENT
from fhir_api.resources.claim import CLAIM
from fhir_api.resources.patient import PATIENT
from fhir_api.resources.schedule import SCHEDULE
from fhir_api.resources.slot import SLOT

KINDS: list[AnyKind] = [PATIENT, APPOINTMENT, SCHEDULE, SLOT, CLAIM]
