"""Encounter → a visit, written with its Procedures → the visit's performed items.

A Procedure is imported only as part of its Encounter (fhir_import.kinds.PartKind): the
Encounter's read finds the Procedures of the Bundle that name it as their `encounter`, reads
each into the visit's nested lists (an adjustment, soft-tissue work or an exercise, by the
code system of its code), and the visit is written at once by the REST API's serializer and
service, as a visit logged over the REST API is.

What is read is what this server's Encounter and Procedure reads write (fhir_api.resources):
- the status: `finished` is a signed visit (created, then signed by the importing
  chiropractor, who is the visit's: only the treating chiropractor signs); `in-progress` a
  draft; `entered-in-error` is refused, as a discarded visit keeps nothing clinical, and the
  other statuses (planned, cancelled, …) record no visit that took place;
- the plan, from our visit-plan extension (R4's Encounter.basedOn names ServiceRequests
  only), else from the plan the Procedures' ServiceRequests of the Bundle are based on;
- what each item carried out: `Procedure.basedOn`, a ServiceRequest (a planned item);
- an item's segment, muscles and region (bodySite), listing (reasonCode), side (the
  laterality extension of its bodySite), minutes, sets and repetitions (our performed-dose
  extension).
A Procedure coded only in CPT (another server's 98941) does not say which segments were
adjusted with which technique, and is reported not mappable rather than guessed; so is an
encounter neither typed as our visit nor with such procedures (a GP's check-up of a Synthea
patient is no chiropractic visit).
"""

from typing import Any

from django.db.models import Model

from api.permissions import VisitPermission
from api.shipped_rows import shipped_rows
from billing.selectors import coded_visit_list
from charts.serializers import VisitSerializer
from charts.services import visit_sign
from fhir_api.systems import (
    ACT_CODE,
    BODY_REGION,
    EXERCISE,
    LISTING,
    LOINC,
    MUSCLE,
    PERFORMED_DOSE,
    SEGMENT,
    SOFT_TISSUE_MODALITY,
    TECHNIQUE,
    VISIT_PLAN,
    VISIT_TYPE,
)
from fhir_import.error_codes import ImportCode
from fhir_import.kinds import STRUCTURAL, ImportKind, Lookup, PartKind
from fhir_import.observation import PAIN_SEVERITY, STANDING
from fhir_import.reading import (
    EntryRefused,
    Link,
    Mapped,
    Note,
    Part,
    child,
    codings,
    described,
    first_code,
    invalid,
    laterality_extension,
    not_mappable,
    objects,
    reference,
    text,
)
from reference.models import Muscle
from treatments.outcomes.models import Instrument, OutcomeMeasure
from treatments.visits.models import Visit
from treatments.visits.services import visit_create

# The visit's nested lists, by the code system of the technique, modality or exercise a
# Procedure is coded with (a clinic's own techniques and exercises: `<system>/<clinic id>`).
ITEM_SYSTEMS = {
    "adjustments": TECHNIQUE,
    "soft_tissue": SOFT_TISSUE_MODALITY,
    "exercises": EXERCISE,
}
ITEM_FIELDS = {"adjustments": "technique", "soft_tissue": "modality", "exercises": "exercise"}
# Encounter.status of a visit that took place: signed, or its note still being written.
SIGNED, DRAFT = "finished", "in-progress"
# Procedure.status of something done (a draft visit's items are done too).
DONE = frozenset({"completed", "in-progress"})
REEXAMINATION = (VISIT_TYPE, "reexamination")
AMBULATORY = (ACT_CODE, "AMB")


def _side(sites: list[tuple[int, dict]], where: str) -> str | None:
    """The side, from the laterality extension of the first bodySite that says one."""
    for index, site in sites:
        found = laterality_extension(site, f"{where}.bodySite[{index}]")
        if found is not None:
            return found[1]
    return None


def _site_codes(sites: list[tuple[int, dict]], where: str, system: str) -> list[tuple[str, str]]:
    """The (path, code) of the bodySites' codings in `system`, in order."""
    return [
        (f"{at}.code", code)
        for index, site in sites
        for at, found, code, _ in codings(site, f"{where}.bodySite[{index}]")
        if found == system
    ]


def _dose(resource: dict, where: str, mapped: Mapped) -> dict[str, tuple[str, Any]]:
    """Our performed-dose extension's parts: (path, value) by name; other extensions are
    said not to be kept."""
    found: dict[str, tuple[str, Any]] = {}
    for index, extension in objects(resource, "extension", where):
        at = f"{where}.extension[{index}]"
        if extension.get("url") != PERFORMED_DOSE:
            mapped.notes.append(Note("This extension is not kept.", at))
            continue
        for number, part in objects(extension, "extension", at):
            name, path = part.get("url"), f"{at}.extension[{number}]"
            if name == "minutes":
                duration = child(part, "valueDuration", path)
                if duration.get("code", "min") != "min":
                    raise not_mappable("Minutes are given in UCUM `min`.", f"{path}.valueDuration")
                found["minutes"] = (f"{path}.valueDuration.value", duration.get("value"))
            elif name in ("sets", "repetitions"):
                found[name] = (f"{path}.valuePositiveInt", part.get("valuePositiveInt"))
            else:
                mapped.notes.append(Note("This part of the dose is not kept.", path))
    return found


def _adjustment(
    resource: dict, where: str, sites: list[tuple[int, dict]], item: dict, paths: dict
) -> int:
    """The segment (bodySite) and listing (reasonCode); how many reasons were read."""
    segments = _site_codes(sites, where, SEGMENT)
    paths["segment"] = segments[0][0] if segments else f"{where}.bodySite"
    if segments:
        item["segment"] = segments[0][1]
    listing = [
        found
        for index, reason in objects(resource, "reasonCode", where)
        if (found := first_code(reason, f"{where}.reasonCode[{index}]", {LISTING}))
    ]
    if listing:
        paths["listing"], item["listing"] = listing[0]
    return len(listing[:1])


def _soft_tissue(
    where: str, sites: list[tuple[int, dict]], item: dict, paths: dict, mapped: Mapped
) -> None:
    """The muscles (bodySite), and a region said beside the muscles' own: one recorded on the
    work itself (as the Procedure read writes it)."""
    muscles = _site_codes(sites, where, MUSCLE)
    item["muscles"] = [code for _, code in muscles]
    paths["muscles"] = f"{where}.bodySite"
    known = shipped_rows(Muscle)
    own = sorted({known[code].body_region for _, code in muscles if code in known})
    regions = _site_codes(sites, where, BODY_REGION)
    if not regions or sorted(code for _, code in regions) == own:
        return
    if len(regions) == 1:
        paths["body_region"], item["body_region"] = regions[0]
    else:
        mapped.notes.append(Note("Regions besides the muscles' are not kept.", f"{where}.bodySite"))


def _item(
    kind: str, resource: dict, where: str, mapped: Mapped, code: tuple[str, str]
) -> dict[str, Any]:
    """The performed item's own fields (besides what it carries out), with their paths."""
    at = f"{kind}.{len(mapped.fields[kind])}"
    item: dict[str, Any] = {ITEM_FIELDS[kind]: code[1]}
    paths = {ITEM_FIELDS[kind]: code[0], "laterality": f"{where}.bodySite"}
    sites = objects(resource, "bodySite", where)
    side = _side(sites, where)
    if side is not None:
        item["laterality"] = side
    reasons = 0
    if kind == "adjustments":
        reasons = _adjustment(resource, where, sites, item, paths)
    elif kind == "soft_tissue":
        _soft_tissue(where, sites, item, paths, mapped)
    elif regions := _site_codes(sites, where, BODY_REGION):
        # Kept where it is not the exercise's own (create_visit).
        paths["body_region"], item["body_region"] = regions[0]
    if reasons < len(objects(resource, "reasonCode", where)):
        mapped.notes.append(
            Note("Only an adjustment's listing is kept of the reasons.", f"{where}.reasonCode")
        )
    for name, (path, value) in _dose(resource, where, mapped).items():
        if (name == "minutes" and kind == "adjustments") or (
            name != "minutes" and kind != "exercises"
        ):
            mapped.notes.append(Note(f"The {name} of this kind of item are not kept.", path))
            continue
        item[name], paths[name] = value, path
    for name in ("minutes", "sets", "repetitions"):
        paths.setdefault(name, f"{where}.extension")
    mapped.paths.update({f"{at}.{name}": path for name, path in paths.items()})
    mapped.paths[at] = where
    return item


def _kind(resource: dict, where: str) -> tuple[str, tuple[str, str], str]:
    """What kind of item a Procedure is, by its code: (list, (path, code), code system)."""
    concept = child(resource, "code", where)
    for at, system, code, _ in codings(concept, f"{where}.code"):
        for kind, base in ITEM_SYSTEMS.items():
            if system == base or system.startswith(f"{base}/"):
                return kind, (f"{at}.code", code), system
    raise not_mappable(
        "A procedure is recorded here as an adjustment, soft-tissue work or an exercise, coded "
        f"in {TECHNIQUE}, {SOFT_TISSUE_MODALITY} or {EXERCISE} (what was done, where, how): "
        f"this one is {described(concept, f'{where}.code')}.",
        f"{where}.code",
    )


def _same(lookup: Lookup, one: str, other: str) -> bool:
    """Whether two references name the same resource (an entry of the Bundle, or by id)."""
    found, other_found = lookup(one, {}), lookup(other, {})
    if found is not None and other_found is not None:
        return found is other_found
    return one == other


def _procedure(
    part: tuple[str, dict], lookup: Lookup, mapped: Mapped, subject: str
) -> tuple[str, str] | None:
    """Read one Procedure into the visit's fields; the (path, reference) of the plan its
    ServiceRequest is based on, when that request is an entry of the Bundle."""
    reference_to, resource = part
    where = f"{lookup.path_of(reference_to)}.resource"
    status = text(resource, "status", where)
    if status not in DONE:
        raise not_mappable(
            f"A visit's items are what was done (`completed`); this one is `{status}`.",
            f"{where}.status",
        )
    patient = reference(resource, "subject", where)
    if patient is not None and not _same(lookup, patient[1], subject):
        raise EntryRefused(
            422,
            ImportCode.UNRESOLVED_REFERENCE,
            "The procedure is another patient's than its encounter's.",
            patient[0],
        )
    kind, code, system = _kind(resource, where)
    if system != ITEM_SYSTEMS[kind]:
        mapped.options["clinic_systems"].append((code[0], system.rsplit("/", 1)[1]))
    index = len(mapped.fields[kind])
    item = _item(kind, resource, where, mapped, code)
    mapped.fields[kind].append(item)
    mapped.parts.append(Part(reference_to, (kind, index)))
    requests = [
        (f"{where}.basedOn[{number}].reference", found)
        for number, request in objects(resource, "basedOn", where)
        if (found := text(request, "reference", f"{where}.basedOn[{number}]"))
    ]
    if not requests:
        return None
    path, planned = requests[0]
    if len(requests) > 1:
        mapped.notes.append(Note("Only the first planned item is kept.", f"{where}.basedOn"))
    mapped.links.append(Link((kind, index, "planned_item"), path, planned, "ServiceRequest"))
    mapped.paths[f"{kind}.{index}.planned_item"] = path
    request = lookup(planned, {}) or {}
    plans = [
        found
        for number, plan in objects(request, "basedOn", path)
        if isinstance(found := plan.get("reference"), str)
    ]
    return (path, plans[0]) if plans else None


def _visit_plan(resource: dict, mapped: Mapped) -> bool:
    """The plan of our visit-plan extension; other extensions are said not to be kept."""
    named = False
    for index, extension in objects(resource, "extension", "resource"):
        at = f"resource.extension[{index}]"
        if extension.get("url") != VISIT_PLAN:
            mapped.notes.append(Note("This extension is not kept.", at))
            continue
        found = reference(extension, "valueReference", at)
        if found is None:
            raise invalid("The visit-plan extension names its CarePlan.", f"{at}.valueReference")
        mapped.links.append(Link(("plan",), found[0], found[1], "CarePlan"))
        mapped.paths["plan"] = found[0]
        named = True
    return named


def _visit(resource: dict, mapped: Mapped) -> None:
    status = text(resource, "status", "resource")
    if status == "entered-in-error":
        raise not_mappable(
            "An encounter entered in error is a discarded visit: it keeps nothing clinical.",
            "resource.status",
        )
    if status not in (SIGNED, DRAFT):
        raise not_mappable(
            f"Only visits that took place are imported: `{SIGNED}` (signed) or `{DRAFT}` (a "
            f"draft); this one is `{status}`.",
            "resource.status",
        )
    mapped.options["sign"] = status == SIGNED
    period = child(resource, "period", "resource")
    start = text(period, "start", "resource.period")
    mapped.paths["visit_at"] = "resource.period.start"
    if start is None:
        raise invalid("A visit says when it took place (`period.start`).", "resource.period")
    mapped.fields["visit_at"] = start
    if period.get("end") is not None:
        mapped.notes.append(Note("A visit keeps when it began only.", "resource.period.end"))
    kinds = [
        (system, code)
        for index, concept in objects(resource, "type", "resource")
        for _, system, code, _ in codings(concept, f"resource.type[{index}]")
    ]
    mapped.fields["is_reexamination"] = REEXAMINATION in kinds
    mapped.paths["is_reexamination"] = "resource.type"
    if any(system != VISIT_TYPE for system, _ in kinds):
        mapped.notes.append(Note("Types other than ours are not kept.", "resource.type"))
    kind = child(resource, "class", "resource")  # a Coding in R4
    if kind and (kind.get("system"), kind.get("code")) != AMBULATORY:
        mapped.notes.append(Note("Kept as an ambulatory visit.", "resource.class"))
    if resource.get("participant") is not None:
        mapped.notes.append(
            Note(
                "The visit is the importing chiropractor's, who signs it when it is finished; "
                "its participants are not kept.",
                "resource.participant",
            )
        )
    for element in ("reasonCode", "reasonReference"):
        if resource.get(element) is not None:
            mapped.notes.append(
                Note(
                    "A visit's diagnoses are its plan's conditions (or the patient's ongoing "
                    "ones), as billing codes them: not kept from the encounter.",
                    f"resource.{element}",
                )
            )


def read_encounter(resource: dict, lookup: Lookup) -> Mapped:
    mapped = Mapped(
        fields={kind: [] for kind in ITEM_SYSTEMS},
        paths={kind: "resource" for kind in ITEM_SYSTEMS},
        options={"clinic_systems": []},
    )
    subject = reference(resource, "subject", "resource")
    if subject is None:
        raise invalid("An encounter names its patient (`subject`).", "resource.subject")
    mapped.subject = subject
    mapped.paths["patient"] = subject[0]
    _visit(resource, mapped)
    named = _visit_plan(resource, mapped)
    plans = [
        found
        for part in lookup.referring("Procedure", "encounter")
        if (found := _procedure(part, lookup, mapped, subject[1])) is not None
    ]
    typed = [
        system
        for index, concept in objects(resource, "type", "resource")
        for _, system, _, _ in codings(concept, f"resource.type[{index}]")
    ]
    if VISIT_TYPE not in typed and not mapped.parts:
        # Another server's encounter may be any visit anywhere (a GP's check-up): only one
        # typed as ours, or one that adjusted, treated or taught, is a chiropractic visit.
        raise not_mappable(
            "Not recognisable as a chiropractic visit: neither typed as one "
            f"({VISIT_TYPE}) nor with procedures done at it (adjustments, soft-tissue work, "
            "exercises).",
            "resource.type",
        )
    _pain_before(lookup, mapped)
    if not named and len({plan for _, plan in plans}) == 1:
        # The plan the visit's planned items belong to (their ServiceRequests' basedOn).
        path, plan = plans[0]
        mapped.links.append(Link(("plan",), path, plan, "CarePlan"))
        mapped.paths["plan"] = path
    return mapped


def _check_clinic_systems(systems: list[tuple[str, str]], clinic_id: object) -> None:
    """A code of a clinic's own technique or exercise list means what that clinic says: it is
    kept only in that clinic."""
    for path, clinic in systems:
        if clinic != str(clinic_id):
            raise not_mappable(
                "The code is another clinic's own; add the technique or exercise to this "
                "clinic's list and code it in this clinic's system.",
                path,
            )


def create_visit(
    *,
    fields: dict[str, Any],
    patient,
    user,
    sign: bool = False,
    clinic_systems: list[tuple[str, str]] | None = None,
    **options: Any,
) -> Visit:
    _check_clinic_systems(clinic_systems or [], user.clinic_id)
    for item in fields.get("exercises", []):
        # Recorded on the exercise only where it departs from the exercise's own (as logged).
        if item.get("body_region") == item["exercise"].body_region:
            del item["body_region"]
    visit = visit_create(clinic=user.staff_clinic, by=user, **fields)
    if sign:
        # Read as its coding reads it (charts.services.visit_sign).
        visit = visit_sign(visit=coded_visit_list(user=user).get(pk=visit.pk), by=user)
    return visit


def performed_ids(visit: Model) -> dict[str, list[Any]]:
    """The visit's performed items by list, in the order they were given, and the pain score
    its pain before treatment was recorded as."""
    assert isinstance(visit, Visit)
    found = {kind: [item.pk for item in getattr(visit, kind).all()] for kind in ITEM_SYSTEMS}
    readings = OutcomeMeasure.objects.filter(visit=visit, instrument=Instrument.NRS)
    found["pain_before"] = list(readings.values_list("pk", flat=True))
    return found


def _pain_before(lookup: Lookup, mapped: Mapped) -> None:
    """The pain score taken at the visit (an Observation naming it as its `encounter`, as the
    export writes a visit's pain before treatment): written with the visit, as its own."""
    for target, observation in lookup.referring("Observation", "encounter"):
        concept = child(observation, "code", "resource")
        loinc = {
            code for _, system, code, _ in codings(concept, "resource.code") if system == LOINC
        }
        if PAIN_SEVERITY not in loinc or observation.get("status") not in STANDING:
            continue
        quantity = child(observation, "valueQuantity", "resource")
        mapped.fields["pain_before"] = quantity.get("value", observation.get("valueInteger"))
        mapped.paths["pain_before"] = "resource"
        mapped.parts.append(Part(target, ("pain_before", 0)))
        return


def plan_named(resource: dict) -> str | None:
    """The CarePlan the visit-plan extension names (the entry a visit is written after)."""
    extensions = resource.get("extension")
    for extension in extensions if isinstance(extensions, list) else []:
        if isinstance(extension, dict) and extension.get("url") == VISIT_PLAN:
            target = extension.get("valueReference")
            found = target.get("reference") if isinstance(target, dict) else None
            return found if isinstance(found, str) else None
    return None


ENCOUNTER_IMPORT = ImportKind(
    name="Encounter",
    serializer=VisitSerializer,
    read=read_encounter,
    create=create_visit,
    subject="subject",
    patient_field="patient",
    writers=VisitPermission.write_roles,
    writers_reason="visits are logged and signed by chiropractors",
    rank=3,
    part_ids=performed_ids,
    follows=plan_named,
    elements=STRUCTURAL
    | {
        "identifier",
        "extension",
        "status",
        "class",
        "type",
        "subject",
        "participant",
        "period",
        "reasonCode",
        "reasonReference",
        # The clinic's own: every visit imported is at the importing clinic.
        "location",
        "serviceProvider",
    },
)

PROCEDURE_PART = PartKind(
    name="Procedure",
    part_of="Encounter",
    how="it names as its `encounter`",
    path="resource.encounter",
    elements=STRUCTURAL
    | {
        "identifier",
        "extension",
        "basedOn",
        "status",
        "code",
        "subject",
        "encounter",
        # The visit's time and chiropractor: an item is done at its visit, by its chiropractor.
        "performedDateTime",
        "performedPeriod",
        "performer",
        "bodySite",
        "reasonCode",
    },
)
