"""QuestionnaireResponse → an NDI or ODI outcome measure: its ten section answers, which the
server scores (treatments.outcomes.services), as this server's QuestionnaireResponse read
writes them (fhir_api.resources.questionnaire_response).

A response is read when it answers one of our Questionnaires (fhir_api.resources.questionnaire),
named by its canonical URL or by the LOINC panel it carries as its code, and it is completed
(or amended). Each section is an item named by its number (linkId `1` to `10`) answered with
its score (`valueInteger`, 0–5); a section without an answer is unanswered, as many as the
scoring allows. The visit a response names is not kept: measures are recorded apart from
visits (only a visit's own pain scores belong to it).
"""

from api.permissions import OutcomePermission
from fhir_api.resources.questionnaire import PANELS, SECTIONS, VERSION, link_id, questionnaire_url
from fhir_api.resources.questionnaire_response import response_rows
from fhir_api.systems import LOINC
from fhir_import.error_codes import ImportCode
from fhir_import.kinds import STRUCTURAL, ImportKind, Lookup
from fhir_import.observation import create_observation
from fhir_import.reading import (
    EntryRefused,
    Mapped,
    Note,
    invalid,
    not_mappable,
    objects,
    reference,
    text,
)
from treatments.outcomes.models import Instrument
from treatments.outcomes.scoring import ITEMS
from treatments.outcomes.serializers import OutcomeMeasureSerializer

# LOINC's own Questionnaires are at `http://loinc.org/q/<panel code>`.
LOINC_QUESTIONNAIRE = f"{LOINC}/q"
# The canonical URLs a response may answer, with the versions of each that are ours (None:
# any version, or none said).
QUESTIONNAIRES: dict[str, tuple[Instrument, frozenset[str] | None]] = {
    **{questionnaire_url(i.value): (i, frozenset({VERSION})) for i in SECTIONS},
    **{f"{LOINC_QUESTIONNAIRE}/{PANELS[i][0]}": (i, None) for i in SECTIONS},
}
# Answers that stand: a response still being filled in, stopped or erroneous is no measure.
STANDING = frozenset({"completed", "amended"})
SECTION_OF = {link_id(position): position for position in range(ITEMS)}


def _instrument(resource: dict) -> Instrument:
    canonical = text(resource, "questionnaire", "resource")
    url, _, version = (canonical or "").partition("|")
    found = QUESTIONNAIRES.get(url)
    if found is None:
        raise not_mappable(
            f"`{canonical}` is not a questionnaire recorded here; only the answers to the "
            f"Neck and Oswestry Disability Indexes ({', '.join(QUESTIONNAIRES)}) are imported.",
            "resource.questionnaire",
        )
    instrument, versions = found
    if version and versions is not None and version not in versions:
        raise not_mappable(
            f"Version {version} of {url} is not ours; its sections may differ (ours: "
            f"{', '.join(sorted(versions))}).",
            "resource.questionnaire",
        )
    return instrument


def _answers(resource: dict, instrument: Instrument, mapped: Mapped) -> None:
    """The ten answers in section order, None for a section not answered."""
    answers: list[int | None] = [None] * ITEMS
    seen: set[int] = set()
    mapped.paths["answers"] = "resource.item"
    for index, item in objects(resource, "item", "resource"):
        where = f"resource.item[{index}]"
        section = text(item, "linkId", where)
        position = SECTION_OF.get(section or "")
        if position is None:
            raise not_mappable(
                f"`{section}` is no section of the {instrument.label}: its sections are items "
                f"`1` to `{ITEMS}`.",
                f"{where}.linkId",
            )
        if position in seen:
            raise invalid(f"Section {section} is answered twice.", f"{where}.linkId")
        seen.add(position)
        if "item" in item:
            raise not_mappable("A section has no sub-items.", f"{where}.item")
        given = objects(item, "answer", where)
        if len(given) > 1:
            raise invalid("A section has one answer, its score.", f"{where}.answer[1]")
        if not given:
            continue
        answer, at = given[0][1], f"{where}.answer[0]"
        value = answer.get("valueInteger")
        if not isinstance(value, int) or isinstance(value, bool):
            element = next((name for name in answer if name.startswith("value")), None)
            raise not_mappable(
                "A section is answered with its score (`valueInteger`, 0–5)"
                + (f", not `{element}`." if element else "."),
                f"{at}.{element}" if element else at,
            )
        answers[position] = value
        mapped.paths[f"answers.{position}"] = f"{at}.valueInteger"
    mapped.fields["answers"] = answers


def read_questionnaire_response(resource: dict, lookup: Lookup) -> Mapped:
    instrument = _instrument(resource)
    mapped = Mapped(
        fields={"instrument": instrument}, paths={"instrument": "resource.questionnaire"}
    )
    status = text(resource, "status", "resource")
    if status not in STANDING:
        raise not_mappable(
            f"Only completed (or amended) answers are imported; these are `{status}`.",
            "resource.status",
        )
    mapped.subject = reference(resource, "subject", "resource")
    if mapped.subject is None:
        raise invalid("A response names its patient (`subject`).", "resource.subject")
    authored = text(resource, "authored", "resource")
    if authored is None:
        raise EntryRefused(
            400,
            ImportCode.INVALID_ENTRY,
            "An outcome measure says when it was taken (`authored`).",
            "resource.authored",
        )
    mapped.fields["measured_at"], mapped.paths["measured_at"] = authored, "resource.authored"
    _answers(resource, instrument, mapped)
    if "encounter" in resource:
        mapped.notes.append(
            Note(
                "The visit is not kept: a questionnaire is recorded apart from visits.",
                "resource.encounter",
            )
        )
    return mapped


QUESTIONNAIRE_RESPONSE_IMPORT = ImportKind(
    name="QuestionnaireResponse",
    serializer=OutcomeMeasureSerializer,
    read=read_questionnaire_response,
    create=create_observation,
    subject="subject",
    writers=OutcomePermission.write_roles,
    writers_reason="outcome measures are recorded by chiropractors",
    # After the visits it may name (though not kept), before the totals that restate it.
    rank=4,
    records=response_rows,
    elements=STRUCTURAL
    | {"identifier", "questionnaire", "status", "subject", "authored", "item", "encounter"},
)
