"""Every FHIR resource type this server serves, in the CapabilityStatement's order."""

from fhir_api.kinds import Kind
from fhir_api.resources.appointment import APPOINTMENT
from fhir_api.resources.audit_event import AUDIT_EVENT
from fhir_api.resources.careplan import CAREPLAN
from fhir_api.resources.claim import CLAIM
from fhir_api.resources.condition import CONDITION
from fhir_api.resources.coverage import COVERAGE
from fhir_api.resources.encounter import ENCOUNTER
from fhir_api.resources.goal import GOAL
from fhir_api.resources.location import LOCATION
from fhir_api.resources.observation import OBSERVATION
from fhir_api.resources.organization import ORGANIZATION
from fhir_api.resources.patient import PATIENT
from fhir_api.resources.practitioner import PRACTITIONER
from fhir_api.resources.practitioner_role import PRACTITIONER_ROLE
from fhir_api.resources.procedure import PROCEDURE
from fhir_api.resources.provenance import PROVENANCE
from fhir_api.resources.questionnaire import QUESTIONNAIRE_KIND
from fhir_api.resources.questionnaire_response import QUESTIONNAIRE_RESPONSE
from fhir_api.resources.schedule import SCHEDULE
from fhir_api.resources.servicerequest import SERVICE_REQUEST
from fhir_api.resources.slot import SLOT

KINDS: list[Kind] = [
    PATIENT,
    PRACTITIONER,
    PRACTITIONER_ROLE,
    ORGANIZATION,
    LOCATION,
    CONDITION,
    OBSERVATION,
    QUESTIONNAIRE_RESPONSE,
    QUESTIONNAIRE_KIND,
    CAREPLAN,
    GOAL,
    SERVICE_REQUEST,
    ENCOUNTER,
    PROCEDURE,
    APPOINTMENT,
    SCHEDULE,
    SLOT,
    COVERAGE,
    CLAIM,
    AUDIT_EVENT,
    PROVENANCE,
]

KINDS_BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
