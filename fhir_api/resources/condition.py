"""Condition (US Core Condition Problems and Health Concerns): a patient's diagnoses and
complaints, coded in ICD-10-CM, on the problem list.

A condition is recorded for the patient, not at a visit: plans address it and every visit of
the plan is coded with it, so no one encounter is its encounter. It is served as a problem
list item only; a visit's Encounter names the conditions it treated.
"""

from django.db.models import Q, QuerySet

from api.permissions import CLINICAL_ROLES
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import body_site, compact, concept, day, instant, meta, reference
from fhir_api.search import (
    PATIENT_PARAMETER,
    DateParameter,
    FixedTokenParameter,
    IdParameter,
    TokenParameter,
)
from fhir_api.systems import (
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    ICD_10_CM,
)
from patients.models import ClinicalStatus, Condition, VerificationStatus
from patients.selectors import condition_list

PROFILE = "us-core-condition-problems-health-concerns"
CATEGORY = "problem-list-item"


def condition_rows(user: User) -> QuerySet[Condition]:
    # The mapping reads the patient's and recorder's ids only: no join.
    return condition_list(user=user).select_related(None)


def _clinical_status(condition: Condition) -> dict | None:
    # FHIR (con-5): a condition entered in error has no clinical status.
    if condition.verification_status == VerificationStatus.ENTERED_IN_ERROR:
        return None
    status = ClinicalStatus(condition.clinical_status)
    return concept(CONDITION_CLINICAL, status.value, status.label)


def condition_resource(condition: Condition) -> dict:
    verification = VerificationStatus(condition.verification_status)
    return compact(
        {
            "resourceType": "Condition",
            "id": str(condition.id),
            "meta": meta(condition, PROFILE),
            "clinicalStatus": _clinical_status(condition),
            "verificationStatus": concept(
                CONDITION_VERIFICATION, verification.value, verification.label
            ),
            "category": [concept(CONDITION_CATEGORY, CATEGORY, "Problem List Item")],
            "code": concept(ICD_10_CM, condition.code, condition.display, condition.display),
            "bodySite": [body_site(condition.body_region, condition.laterality)],
            "subject": reference("Patient", condition.patient_id),
            "onsetDateTime": day(condition.onset_date),
            "abatementDateTime": day(condition.resolved_on),
            "recordedDate": instant(condition.created_at),
            "recorder": reference("Practitioner", condition.recorded_by_id),
            "note": [{"text": condition.note}] if condition.note else [],
        }
    )


CONDITION = ResourceKind(
    name="Condition",
    summary="Conditions: a patient's diagnoses and complaints in ICD-10-CM, with body site and "
    "side (US Core Condition Problems and Health Concerns).",
    rows=condition_rows,
    resource=condition_resource,
    readers=CLINICAL_ROLES,
    audit_resource="condition",
    profiles=(PROFILE,),
    search={
        "_id": IdParameter("The condition's id."),
        "patient": PATIENT_PARAMETER,
        "category": FixedTokenParameter(
            "`problem-list-item`: every condition served.",
            system=CONDITION_CATEGORY,
            code=CATEGORY,
        ),
        "clinical-status": TokenParameter(
            "active, recurrence, relapse, inactive, remission, resolved (a condition entered "
            "in error has none).",
            column="clinical_status",
            system=CONDITION_CLINICAL,
            present=~Q(verification_status=VerificationStatus.ENTERED_IN_ERROR),
        ),
        "verification-status": TokenParameter(
            "provisional, differential, confirmed, refuted, entered-in-error.",
            column="verification_status",
            system=CONDITION_VERIFICATION,
        ),
        "code": TokenParameter(
            "The ICD-10-CM code, with its dot (`M54.2`).",
            column="code",
            system=ICD_10_CM,
            normalise=str.upper,
        ),
        "onset-date": DateParameter("The onset date.", column="onset_date", is_date=True),
        "_lastUpdated": DateParameter("When the record last changed.", column="updated_at"),
    },
    not_held={
        "Condition.extension:assertedDate": "The record keeps when a condition was recorded "
        "(recordedDate), not a separate date it was first asserted.",
        "Condition.category:screening-assessment": "A condition here is a diagnosis or "
        "complaint, not the finding of a screening or assessment.",
    },
)
