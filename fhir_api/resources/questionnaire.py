"""Questionnaire: the Oswestry (ODI) and Neck Disability (NDI) indexes as we record them, served
from code (`Questionnaire/odi`, `Questionnaire/ndi`).

Ten sections each, answered 0–5 (treatments.outcomes.scoring). Each item is named by its
section; the statements a patient chooses between are the instrument authors' text, which we
neither keep nor ship: an answer is its score. Definitions shared by every clinic, holding no
PHI: every role reads them, and reading them leaves no audit event.
"""

from functools import cache

from api.permissions import ALL_ROLES
from fhir_api.kinds import CatalogueKind
from fhir_api.resources.elements import coding
from fhir_api.search import ElementStringParameter, IdParameter, UriParameter
from fhir_api.systems import LOINC, MAX_VALUE, MIN_VALUE, QUESTIONNAIRE
from treatments.outcomes.models import Instrument
from treatments.outcomes.scoring import ITEM_MAX, ITEMS, MAX_UNANSWERED

# The version of our definitions (Questionnaire.version): a changed definition is a new one.
VERSION = "1"
# The day these definitions last changed (Questionnaire.date).
CHANGED_ON = "2026-12-04"

# The sections of each instrument, in the order the API takes their answers: ODI version 2.1a
# (Fairbank & Pynsent 2000), NDI (Vernon & Mior 1991).
SECTIONS = {
    Instrument.ODI: (
        "Pain intensity",
        "Personal care",
        "Lifting",
        "Walking",
        "Sitting",
        "Standing",
        "Sleeping",
        "Sex life",
        "Social life",
        "Travelling",
    ),
    Instrument.NDI: (
        "Pain intensity",
        "Personal care (washing, dressing, etc.)",
        "Lifting",
        "Reading",
        "Headaches",
        "Concentration",
        "Work",
        "Driving",
        "Sleeping",
        "Recreation",
    ),
}
# LOINC panels of the instruments.
PANELS = {
    Instrument.ODI: ("97908-8", "Oswestry Disability Index"),
    Instrument.NDI: ("82226-2", "Neck Disability Index [NDI]"),
}
NAMES = {Instrument.ODI: "OswestryDisabilityIndex", Instrument.NDI: "NeckDisabilityIndex"}


def questionnaire_url(instrument: str) -> str:
    """The canonical URL of an instrument's Questionnaire (the same in every deployment)."""
    return f"{QUESTIONNAIRE}/{instrument}"


def link_id(position: int) -> str:
    """The linkId of the section at `position` (0 for the first): its number."""
    return str(position + 1)


def _item(position: int, section: str) -> dict:
    return {
        "extension": [
            {"url": MIN_VALUE, "valueInteger": 0},
            {"url": MAX_VALUE, "valueInteger": ITEM_MAX},
        ],
        "linkId": link_id(position),
        "prefix": f"Section {position + 1}",
        "text": section,
        "type": "integer",
        "required": False,
    }


def questionnaire_resource(instrument: Instrument) -> dict:
    return {
        "resourceType": "Questionnaire",
        "id": instrument.value,
        "url": questionnaire_url(instrument.value),
        "version": VERSION,
        "name": NAMES[instrument],
        "title": f"{instrument.label} ({instrument.value.upper()})",
        "status": "active",
        "subjectType": ["Patient"],
        "date": CHANGED_ON,
        "publisher": "Chiropractic Practice API",
        "description": f"The {instrument.label} as this server records it: {ITEMS} sections, "
        f"each answered with its score, 0 to {ITEM_MAX}; at most {MAX_UNANSWERED} may be left "
        f"unanswered. Score: the sum of the answered sections; percent: that sum ÷ "
        f"({ITEM_MAX} × sections answered) × 100. The statements offered in each section are "
        "the instrument's own and are not reproduced here.",
        "code": [coding(LOINC, *PANELS[instrument])],
        "item": [_item(position, section) for position, section in enumerate(SECTIONS[instrument])],
    }


@cache
def questionnaires() -> tuple[dict, ...]:
    return tuple(questionnaire_resource(instrument) for instrument in SECTIONS)


QUESTIONNAIRE_KIND = CatalogueKind(
    name="Questionnaire",
    summary="Questionnaires of the instruments scored here: the Oswestry and Neck Disability "
    "indexes (`Questionnaire/odi`, `Questionnaire/ndi`). Not PHI: not audited.",
    resources=questionnaires,
    readers=ALL_ROLES,
    search={
        "_id": IdParameter("`odi` or `ndi`."),
        "url": UriParameter("The canonical URL (`url` or `url|version`).", element="url"),
        "name": ElementStringParameter(
            "Start of the computable name (`NeckDisabilityIndex`).", element="name"
        ),
        "title": ElementStringParameter("Start of the title.", element="title"),
    },
)
