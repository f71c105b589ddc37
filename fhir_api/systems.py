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
ENCOUNTER_STATUS = "http://hl7.org/fhir/encounter-status"
EVENT_STATUS = "http://hl7.org/fhir/event-status"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
PROVENANCE_PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
DOCUMENT_COMPLETION = "http://terminology.hl7.org/CodeSystem/v3-DocumentCompletion"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
SIGNATURE_TYPE = "urn:iso-astm:E1762-95:2013"  # ASTM E1762-95 signature purposes

# Our codes where no standard one is certain (each is listed in the CapabilityStatement).
ERROR_CODE = f"{LOCAL}/CodeSystem/api-error-code"
BODY_REGION = f"{LOCAL}/CodeSystem/body-region"
CHART_NUMBER = f"{LOCAL}/sid/chart-number"  # + "/<clinic id>": chart numbers are per clinic
STAFF_ID = f"{LOCAL}/sid/staff"
VISIT_ID = f"{LOCAL}/sid/visit"
VISIT_TYPE = f"{LOCAL}/CodeSystem/visit-type"
SEGMENT = f"{LOCAL}/CodeSystem/segment"
LISTING = f"{LOCAL}/CodeSystem/listing"
SOFT_TISSUE_MODALITY = f"{LOCAL}/CodeSystem/soft-tissue-modality"
MUSCLE = f"{LOCAL}/CodeSystem/muscle"
# A clinic adds techniques and exercises of its own: theirs are `<system>/<clinic id>`.
TECHNIQUE = f"{LOCAL}/CodeSystem/technique"
EXERCISE = f"{LOCAL}/CodeSystem/exercise"

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
