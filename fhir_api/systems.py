"""The code systems, identifier systems and profiles the FHIR face writes, each named once."""

# This project's own namespace: its local code systems and identifier systems. The same in
# every deployment, so that what one exports another reads as the same codes.
LOCAL = "http://chiro-practice-api.org/fhir"

ICD_10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
NPI = "http://hl7.org/fhir/sid/us-npi"
TAX_ID = "urn:oid:2.16.840.1.113883.4.4"  # US employer identification numbers (IRS)
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
OBSERVATION_STATUS = "http://hl7.org/fhir/observation-status"
QUESTIONNAIRE_RESPONSE_STATUS = "http://hl7.org/fhir/questionnaire-answers-status"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
DATA_ABSENT_REASON_EXTENSION = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
UCUM = "http://unitsofmeasure.org"
ADMINISTRATIVE_GENDER = "http://hl7.org/fhir/administrative-gender"
# Core FHIR extensions (http://hl7.org/fhir/R4/extensibility-registry.html).
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
# The NUCC Health Care Provider Taxonomy (111N00000X Chiropractor).
NUCC_TAXONOMY = "http://nucc.org/provider-taxonomy"
ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
# The PHDSC Source of Payment Typology (US Core's Coverage.type value set, "Payer").
SOURCE_OF_PAYMENT = "https://nahdo.org/sopt"
SUBSCRIBER_RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
AUDIT_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
AUDIT_EVENT_ACTION = "http://hl7.org/fhir/audit-event-action"
RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction"
AUDIT_ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
SECURITY_SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type"
SERVICE_CATEGORY = "http://terminology.hl7.org/CodeSystem/service-category"
SERVICE_TYPE = "http://terminology.hl7.org/CodeSystem/service-type"
APPOINTMENT_STATUS = "http://hl7.org/fhir/appointmentstatus"
APPOINTMENT_CANCELLATION_REASON = (
    "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"
)
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
SLOT_STATUS = "http://hl7.org/fhir/slotstatus"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PROCESS_PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
CLAIM_CARE_TEAM_ROLE = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"  # level II: GP, GY, AT, XS…
PLACE_OF_SERVICE = (
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
)
ENCOUNTER_STATUS = "http://hl7.org/fhir/encounter-status"
EVENT_STATUS = "http://hl7.org/fhir/event-status"
PROVENANCE_PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
DOCUMENT_COMPLETION = "http://terminology.hl7.org/CodeSystem/v3-DocumentCompletion"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
SIGNATURE_TYPE = "urn:iso-astm:E1762-95:2013"  # ASTM E1762-95 signature purposes
REQUEST_STATUS = "http://hl7.org/fhir/request-status"
GOAL_STATUS = "http://hl7.org/fhir/goal-status"
CAREPLAN_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"

# Our codes where no standard one is certain (each is listed in the CapabilityStatement).
ERROR_CODE = f"{LOCAL}/CodeSystem/api-error-code"
BODY_REGION = f"{LOCAL}/CodeSystem/body-region"
# The chiropractic vocabulary (reference app). Techniques and exercises a clinic adds are coded
# in the clinic's own system, `<system>/<clinic id>`: two clinics may give one code two meanings.
SEGMENT = f"{LOCAL}/CodeSystem/segment"
LISTING = f"{LOCAL}/CodeSystem/listing"
TECHNIQUE = f"{LOCAL}/CodeSystem/technique"
SOFT_TISSUE_MODALITY = f"{LOCAL}/CodeSystem/soft-tissue-modality"
MUSCLE = f"{LOCAL}/CodeSystem/muscle"
EXERCISE = f"{LOCAL}/CodeSystem/exercise"
PLAN_PHASE = f"{LOCAL}/CodeSystem/plan-phase"
GOAL_MEASURE = f"{LOCAL}/CodeSystem/goal-measure"
PLANNED_INTERVENTION = f"{LOCAL}/CodeSystem/planned-intervention"
EXERCISE_DOSE = f"{LOCAL}/CodeSystem/exercise-dose"
CHART_NUMBER = f"{LOCAL}/sid/chart-number"  # + "/<clinic id>": chart numbers are per clinic
STAFF_ID = f"{LOCAL}/sid/staff"  # a staff member's id, as the REST API names them
RECORD_ID = f"{LOCAL}/sid/record"  # any other record's id, as the REST API names it
PAYER_ID = f"{LOCAL}/sid/payer-id"  # a payer's electronic id, as the clinic bills it
STAFF_ROLE = f"{LOCAL}/CodeSystem/staff-role"
PAYER_TYPE = f"{LOCAL}/CodeSystem/payer-type"
AUDIT_ACTION = f"{LOCAL}/CodeSystem/audit-action"
AUDIT_RESOURCE = f"{LOCAL}/CodeSystem/audit-resource"
OUTCOME_SCORE = f"{LOCAL}/CodeSystem/outcome-score"
# An extension on a bodySite: the side (SNOMED CT laterality qualifier values).
LATERALITY = f"{LOCAL}/StructureDefinition/laterality"
QUESTIONNAIRE = f"{LOCAL}/Questionnaire"  # + "/<instrument>": our instruments' canonical URLs
APPOINTMENT_TYPE = f"{LOCAL}/CodeSystem/appointment-type"  # code: the type's id
CANCELLATION_REASON = f"{LOCAL}/CodeSystem/cancellation-reason"
VISIT_ID = f"{LOCAL}/sid/visit"
VISIT_TYPE = f"{LOCAL}/CodeSystem/visit-type"
# Extensions where a resource has no element for what the records keep (each one's
# sub-extensions are named in the CapabilityStatement).
VISIT_FREQUENCY = f"{LOCAL}/StructureDefinition/visit-frequency"  # on CarePlan, per stage
REEXAMINATION_INTERVAL = f"{LOCAL}/StructureDefinition/reexamination-interval"  # on CarePlan
EXERCISE_DOSE_EXTENSION = f"{LOCAL}/StructureDefinition/exercise-dose"  # on ServiceRequest
# An extension on an Encounter: the treatment plan (a CarePlan) the visit was logged against
# (R4's Encounter.basedOn names ServiceRequests only).
VISIT_PLAN = f"{LOCAL}/StructureDefinition/visit-plan"
# An extension on a Procedure: what was done, counted (sub-extensions `minutes`, a Duration;
# `sets` and `repetitions`, positiveInts), which R4's Procedure has no element for.
PERFORMED_DOSE = f"{LOCAL}/StructureDefinition/performed-dose"

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition"
US_CORE_VERSION = "6.1.0"


def us_core(profile: str) -> str:
    """The canonical URL of a US Core 6.1.0 profile, as `meta.profile` names it."""
    return f"{US_CORE}/{profile}|{US_CORE_VERSION}"


def chart_number_system(clinic_id: object) -> str:
    return f"{CHART_NUMBER}/{clinic_id}"


def vocabulary_system(system: str, clinic_id: object | None) -> str:
    """The system of a technique or exercise: shipped (no clinic), or a clinic's own."""
    return system if clinic_id is None else f"{system}/{clinic_id}"
