"""QuestionnaireResponse (US Core QuestionnaireResponse): the answers of an ODI or NDI, one per
outcome measure that has answers.

A response is the same row as its score's Observation, so it has the same id (ids are unique
per resource type only): `Observation/<id>` is derived from `QuestionnaireResponse/<id>`.
Each answered section is one item answered with its score; a section left unanswered has no
item (an item holds answers, and it has none).
"""

from django.db.models import QuerySet

from api.permissions import OutcomePermission
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import compact, instant, reference
from fhir_api.resources.observation import QUESTIONNAIRES
from fhir_api.resources.questionnaire import SECTIONS, VERSION, link_id, questionnaire_url
from fhir_api.search import PATIENT_PARAMETER, DateParameter, IdParameter
from fhir_api.systems import us_core
from treatments.outcomes.models import Instrument, OutcomeMeasure, OutcomeStatus
from treatments.outcomes.selectors import outcome_list

PROFILE = "us-core-questionnaireresponse"

STATUS = {OutcomeStatus.FINAL: "completed", OutcomeStatus.ENTERED_IN_ERROR: "entered-in-error"}


def response_rows(user: User) -> QuerySet[OutcomeMeasure]:
    return outcome_list(user=user).filter(instrument__in=QUESTIONNAIRES, answers__isnull=False)


def _items(instrument: Instrument, answers: list[int | None]) -> list[dict]:
    return [
        {
            "linkId": link_id(position),
            "text": SECTIONS[instrument][position],
            "answer": [{"valueInteger": answer}],
        }
        for position, answer in enumerate(answers)
        if answer is not None
    ]


def questionnaire_response_resource(outcome: OutcomeMeasure) -> dict:
    instrument = Instrument(outcome.instrument)
    return compact(
        {
            "resourceType": "QuestionnaireResponse",
            "id": str(outcome.id),
            "meta": {"profile": [us_core(PROFILE)]},
            "questionnaire": f"{questionnaire_url(instrument.value)}|{VERSION}",
            "status": STATUS[OutcomeStatus(outcome.status)],
            "subject": reference("Patient", outcome.patient_id),
            "encounter": reference("Encounter", outcome.visit_id) if outcome.visit_id else None,
            "authored": instant(outcome.measured_at),
            # Who received the answers and recorded them (R4's `author`).
            "author": reference("Practitioner", outcome.recorded_by_id),
            "item": _items(instrument, outcome.answers or []),
        }
    )


QUESTIONNAIRE_RESPONSE = ResourceKind(
    name="QuestionnaireResponse",
    summary="The answers of each Oswestry and Neck Disability Index recorded, one item per "
    "section answered (US Core QuestionnaireResponse).",
    rows=response_rows,
    resource=questionnaire_response_resource,
    readers=OutcomePermission.read_roles,
    audit_resource="outcome_measure",
    profiles=(PROFILE,),
    search={
        "_id": IdParameter("The response's id (its score's Observation has the same)."),
        "patient": PATIENT_PARAMETER,
        "authored": DateParameter("When the answers were given.", column="measured_at"),
    },
    not_held={
        "QuestionnaireResponse.questionnaire.extension:url": "Our questionnaires are FHIR "
        "Questionnaires with canonical URLs (`Questionnaire/odi`, `Questionnaire/ndi`); the "
        "extension is for those that are not.",
    },
)
