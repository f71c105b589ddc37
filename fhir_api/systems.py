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
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
UCUM = "http://unitsofmeasure.org"
ADMINISTRATIVE_GENDER = "http://hl7.org/fhir/administrative-gender"
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
STAFF_ID = f"{LOCAL}/sid/staff"

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition"
US_CORE_VERSION = "6.1.0"


def us_core(profile: str) -> str:
    """The canonical URL of a US Core 6.1.0 profile, as `meta.profile` names it."""
    return f"{US_CORE}/{profile}|{US_CORE_VERSION}"


def chart_number_system(clinic_id: object) -> str:
    return f"{CHART_NUMBER}/{clinic_id}"


def clinic_code_system(system: str, clinic_id: object | None) -> str:
    """The system of a reference entry: the shipped one's, or `<system>/<clinic id>` for an
    entry a clinic added."""
    return system if clinic_id is None else f"{system}/{clinic_id}"
