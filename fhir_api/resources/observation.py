"""Observation (US Core Observation Screening Assessment): outcome scores, NRS pain and the
Oswestry (ODI) and Neck Disability (NDI) indexes, each derived from the QuestionnaireResponse
of its answers where it has some.

Each value is what its LOINC code defines: the NRS score (0–10) and the NDI total (the sum of
the sections answered) in `{score}`, the ODI score as a percent (LOINC 97909-6 says "reported
as a percent"). The NDI also carries its percent, in our own code, since the 10-point change
read as meaningful is in percentage points.
"""

from django.db.models import Q, QuerySet

from api.permissions import OutcomePermission
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import coding, compact, concept, instant, reference
from fhir_api.search import (
    EVERYTHING,
    PATIENT_PARAMETER,
    DateParameter,
    IdParameter,
    MappedTokenParameter,
    TokenParameter,
)
from fhir_api.systems import (
    LOINC,
    OBSERVATION_CATEGORY,
    OBSERVATION_STATUS,
    OUTCOME_SCORE,
    UCUM,
    US_CORE_CATEGORY,
    us_core,
)
from treatments.outcomes.models import Instrument, OutcomeMeasure, OutcomeStatus
from treatments.outcomes.selectors import outcome_list

PROFILE = "us-core-observation-screening-assessment"

# The LOINC code of each instrument's score (LOINC long common names).
CODES = {
    Instrument.NRS: ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
    Instrument.NDI: ("82237-9", "Total score [NDI]"),
    Instrument.ODI: ("97909-6", "Oswestry disability index score ODI"),
}
QUESTIONNAIRES = frozenset({Instrument.NDI, Instrument.ODI})

SURVEY = concept(OBSERVATION_CATEGORY, "survey", "Survey")
# The disability indexes measure function in daily activities (US Core's screening and
# assessment categories); a pain score is none of them.
FUNCTIONAL_STATUS = concept(US_CORE_CATEGORY, "functional-status", "Functional Status")

PERCENT = "percent"  # OUTCOME_SCORE: the score as a percent of the sections answered


def outcome_rows(user: User) -> QuerySet[OutcomeMeasure]:
    return outcome_list(user=user)


def _quantity(value: float | int, unit: str) -> dict:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _value(outcome: OutcomeMeasure) -> dict:
    if outcome.instrument == Instrument.ODI and outcome.percent is not None:
        return _quantity(float(outcome.percent), "%")
    return _quantity(outcome.score, "{score}")


def _components(outcome: OutcomeMeasure) -> list[dict]:
    if outcome.instrument != Instrument.NDI or outcome.percent is None:
        return []
    return [
        {
            "code": concept(
                OUTCOME_SCORE,
                PERCENT,
                "Score as a percent of the maximum of the sections answered",
            ),
            "valueQuantity": _quantity(float(outcome.percent), "%"),
        }
    ]


def observation_resource(outcome: OutcomeMeasure) -> dict:
    instrument = Instrument(outcome.instrument)
    derived = instrument in QUESTIONNAIRES and outcome.answers is not None
    return compact(
        {
            "resourceType": "Observation",
            "id": str(outcome.id),
            # No lastUpdated: a measure keeps when it was recorded, not when it was discarded.
            "meta": {"profile": [us_core(PROFILE)]},
            "status": OutcomeStatus(outcome.status).value,
            "category": [SURVEY, FUNCTIONAL_STATUS] if instrument in QUESTIONNAIRES else [SURVEY],
            "code": {"coding": [coding(LOINC, *CODES[instrument])], "text": instrument.label},
            "subject": reference("Patient", outcome.patient_id),
            "encounter": reference("Encounter", outcome.visit_id) if outcome.visit_id else None,
            "effectiveDateTime": instant(outcome.measured_at),
            "issued": instant(outcome.created_at),
            "performer": [reference("Practitioner", outcome.recorded_by_id)],
            "valueQuantity": _value(outcome),
            "derivedFrom": [reference("QuestionnaireResponse", outcome.id)] if derived else [],
            "component": _components(outcome),
        }
    )


OBSERVATION = ResourceKind(
    name="Observation",
    summary="Outcome scores: NRS pain (LOINC 72514-3), Neck Disability Index total (82237-9), "
    "Oswestry Disability Index percent (97909-6), derived from their answers "
    "(US Core Observation Screening Assessment).",
    rows=outcome_rows,
    resource=observation_resource,
    readers=OutcomePermission.read_roles,
    audit_resource="outcome_measure",
    profiles=(PROFILE,),
    search={
        "_id": IdParameter("The score's id."),
        "patient": PATIENT_PARAMETER,
        "category": MappedTokenParameter(
            "`survey` (every score), `functional-status` (the ODI and NDI).",
            codes={
                (OBSERVATION_CATEGORY, "survey"): EVERYTHING,
                (US_CORE_CATEGORY, "functional-status"): Q(instrument__in=QUESTIONNAIRES),
            },
        ),
        "code": MappedTokenParameter(
            "The LOINC code: 72514-3 (NRS pain), 82237-9 (NDI), 97909-6 (ODI).",
            codes={
                (LOINC, code): Q(instrument=instrument) for instrument, (code, _) in CODES.items()
            },
        ),
        "date": DateParameter("When it was measured.", column="measured_at"),
        "status": TokenParameter(
            "final, entered-in-error.",
            column="status",
            system=OBSERVATION_STATUS,
        ),
    },
    not_held={
        "Observation.hasMember": "A score has no member observations: its answers are in the "
        "QuestionnaireResponse it is derived from.",
        "Observation.dataAbsentReason": "Every score is recorded with its value.",
    },
)
