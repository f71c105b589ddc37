"""Every FHIR resource type this server serves, in the CapabilityStatement's order."""

from fhir_api.kinds import Kind
from fhir_api.resources.condition import CONDITION
from fhir_api.resources.observation import OBSERVATION
from fhir_api.resources.patient import PATIENT
from fhir_api.resources.questionnaire import QUESTIONNAIRE_KIND
from fhir_api.resources.questionnaire_response import QUESTIONNAIRE_RESPONSE

KINDS: list[Kind] = [PATIENT, CONDITION, OBSERVATION, QUESTIONNAIRE_RESPONSE, QUESTIONNAIRE_KIND]

KINDS_BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
