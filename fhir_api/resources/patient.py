"""Patient (US Core Patient): demographics, the chart number as the record's identifier."""

from django.db.models import QuerySet

from api.permissions import ALL_ROLES
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import compact, day, meta
from fhir_api.search import (
    DateParameter,
    IdentifierParameter,
    IdParameter,
    StringParameter,
    TokenParameter,
)
from fhir_api.systems import IDENTIFIER_TYPE, LOCAL, chart_number_system
from patients.models import Patient, PatientStatus, SexAtBirth, search_key

# Administrative gender (http://hl7.org/fhir/administrative-gender) of each recorded sex at
# birth, the one sex the record keeps; gender identity goes in its own extension.
GENDER = {
    SexAtBirth.FEMALE: "female",
    SexAtBirth.MALE: "male",
    SexAtBirth.INTERSEX: "other",
    SexAtBirth.UNKNOWN: "unknown",
}
# US Core birth sex (ValueSet birthsex: F, M, UNK).
BIRTH_SEX = {SexAtBirth.FEMALE: "F", SexAtBirth.MALE: "M", SexAtBirth.UNKNOWN: "UNK"}
GENDER_IDENTITY_SYSTEM = f"{LOCAL}/CodeSystem/gender-identity"
US_CORE_EXTENSION = "http://hl7.org/fhir/us/core/StructureDefinition"


def patient_rows(user: User) -> QuerySet[Patient]:
    return Patient.objects.for_clinic(user.clinic_id)


def _telecom(patient: Patient) -> list[dict]:
    found: list[dict] = []
    if patient.phone:
        found.append({"system": "phone", "value": patient.phone})
    if patient.email:
        found.append({"system": "email", "value": patient.email})
    return found


def _address(patient: Patient) -> list[dict]:
    address = compact(
        {
            "line": [line for line in (patient.address_line1, patient.address_line2) if line],
            "city": patient.city,
            "state": patient.region,
            "postalCode": patient.postal_code,
            "country": patient.country,
        }
    )
    return [address] if address else []


def _names(patient: Patient) -> list[dict]:
    names = [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}]
    if patient.preferred_name:
        names.append(
            {"use": "usual", "family": patient.family_name, "given": [patient.preferred_name]}
        )
    return names


def _contacts(patient: Patient) -> list[dict]:
    if not patient.emergency_contact_name:
        return []
    contact = compact(
        {
            "relationship": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v2-0131",
                            "code": "C",
                            "display": "Emergency Contact",
                        }
                    ],
                    "text": patient.emergency_contact_relationship or "Emergency contact",
                }
            ],
            "name": {"text": patient.emergency_contact_name},
            "telecom": [{"system": "phone", "value": patient.emergency_contact_phone}]
            if patient.emergency_contact_phone
            else [],
        }
    )
    return [contact]


def _extensions(patient: Patient) -> list[dict]:
    found: list[dict] = []
    if patient.sex_at_birth in BIRTH_SEX:
        found.append(
            {
                "url": f"{US_CORE_EXTENSION}/us-core-birthsex",
                "valueCode": BIRTH_SEX[SexAtBirth(patient.sex_at_birth)],
            }
        )
    if patient.gender_identity:
        found.append(
            {
                "url": f"{US_CORE_EXTENSION}/us-core-genderIdentity",
                "valueCodeableConcept": {
                    "coding": [
                        {
                            "system": GENDER_IDENTITY_SYSTEM,
                            "code": patient.gender_identity,
                            "display": patient.get_gender_identity_display(),
                        }
                    ],
                    "text": patient.get_gender_identity_display(),
                },
            }
        )
    return found


def patient_resource(patient: Patient) -> dict:
    return compact(
        {
            "resourceType": "Patient",
            "id": str(patient.id),
            "meta": meta(patient, "us-core-patient"),
            "extension": _extensions(patient),
            "identifier": [
                {
                    "use": "usual",
                    "type": {
                        "coding": [
                            {
                                "system": IDENTIFIER_TYPE,
                                "code": "MR",
                                "display": "Medical record number",
                            }
                        ],
                        "text": "Chart number",
                    },
                    "system": chart_number_system(patient.clinic_id),
                    "value": patient.chart_number,
                }
            ],
            # An archived record is kept but no longer in use; a discharged patient's is.
            "active": patient.status != PatientStatus.ARCHIVED,
            "name": _names(patient),
            "telecom": _telecom(patient),
            "gender": GENDER[SexAtBirth(patient.sex_at_birth)],
            "birthDate": day(patient.date_of_birth),
            "address": _address(patient),
            "contact": _contacts(patient),
        }
    )


PATIENT = ResourceKind(
    name="Patient",
    summary="Patients: demographics, the chart number as identifier (US Core Patient).",
    rows=patient_rows,
    resource=patient_resource,
    readers=ALL_ROLES,
    audit_resource="patient",
    patient_attr="pk",
    profiles=("us-core-patient",),
    search={
        "_id": IdParameter("The patient's id."),
        "identifier": IdentifierParameter(
            "The chart number (`value`, or `system|value`).",
            column="chart_number",
            system_of=chart_number_system,
        ),
        "name": StringParameter(
            "Start of the family, given or preferred name (case and accents ignored).",
            columns=("family_name_key", "given_name_key"),
            exact_columns=("family_name", "given_name", "preferred_name"),
            fold=search_key,
        ),
        "family": StringParameter(
            "Start of the family name.",
            columns=("family_name_key",),
            exact_columns=("family_name",),
            fold=search_key,
        ),
        "given": StringParameter(
            "Start of the given name.",
            columns=("given_name_key",),
            exact_columns=("given_name",),
            fold=search_key,
        ),
        "birthdate": DateParameter("The date of birth.", column="date_of_birth", is_date=True),
        "gender": TokenParameter(
            "Administrative gender: female, male, other, unknown.",
            column="sex_at_birth",
            system="http://hl7.org/fhir/administrative-gender",
            codes={fhir: (stored,) for stored, fhir in GENDER.items()},
        ),
        "active": TokenParameter(
            "true: records in use; false: archived ones.",
            column="status",
            codes={
                "true": (PatientStatus.ACTIVE, PatientStatus.INACTIVE),
                "false": (PatientStatus.ARCHIVED,),
            },
        ),
        "_lastUpdated": DateParameter("When the record last changed.", column="updated_at"),
    },
    not_held={
        "Patient.communication.language": "The record keeps no preferred language.",
        "Patient.telecom.use": "The record keeps a phone number without saying whose it is.",
    },
)
