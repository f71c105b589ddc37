"""The import: a Bundle's entries written through the domain's own services, once each.

Each entry is read (fhir_import.<type>), validated by the REST API's serializer for its
records, written by the domain service the REST API calls, and its source keys recorded in
`ImportedResource` (fhir_import.models), in a savepoint of its own. An entry whose key is
already recorded is answered with the record it became, and nothing is written. An entry
that restates another's record (fhir_import.reading.SameAs: an NDI total, its
QuestionnaireResponse's measure) is answered with that record and writes only its keys.

A `transaction` stops at the first entry it cannot import and writes nothing; a `batch`
imports what it can. Patients are imported first, so that the entries that refer to them
find them whatever their order in the Bundle.

Statements: two for the whole Bundle (the keys already recorded, the patients referred to
that already exist), then a constant number for each entry written, whatever the Bundle's
size; an entry already imported costs none.
"""

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.types import ExceptionHandlerContext
from rest_framework.exceptions import APIException, PermissionDenied

from api.errors import ApiExceptionHandler, DomainError
from clinics.models import User
from fhir_api.outcomes import issue
from fhir_import.bundle import URI_SYSTEM, Bundle, Entry, EntryLookup, read_bundle
from fhir_import.careplan import CAREPLAN_IMPORT, GOAL_PART, SERVICE_REQUEST_PART
from fhir_import.condition import CONDITION_IMPORT
from fhir_import.coverage import COVERAGE_IMPORT
from fhir_import.encounter import ENCOUNTER_IMPORT, PROCEDURE_PART
from fhir_import.error_codes import ImportCode
from fhir_import.kinds import ImportKind, PartKind
from fhir_import.models import ImportedResource
from fhir_import.observation import OBSERVATION_IMPORT
from fhir_import.patient import PATIENT_IMPORT
from fhir_import.questionnaire_response import QUESTIONNAIRE_RESPONSE_IMPORT
from fhir_import.reading import EntryRefused, Link, Mapped, Note, SameAs
from patients.models import Patient

IMPORT_KINDS: dict[str, ImportKind] = {
    kind.name: kind
    for kind in (
        PATIENT_IMPORT,
        CONDITION_IMPORT,
        COVERAGE_IMPORT,
        CAREPLAN_IMPORT,
        ENCOUNTER_IMPORT,
        QUESTIONNAIRE_RESPONSE_IMPORT,
        OBSERVATION_IMPORT,
    )
}
# Resources imported only as part of another's record (fhir_import.kinds.PartKind).
PART_KINDS: dict[str, PartKind] = {
    part.name: part for part in (GOAL_PART, SERVICE_REQUEST_PART, PROCEDURE_PART)
}
UUID = r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
PATIENT_REFERENCE = re.compile(rf"^Patient/{UUID}$")
LITERAL_REFERENCE = re.compile(rf"^([A-Z][A-Za-z]+)/{UUID}$")
# What an entry's refusal may be made of: the domain's refusals, as the REST API answers them.
ENTRY_ERRORS = (DjangoValidationError, DomainError, APIException, IntegrityError, DataError)

Key = tuple[str, str, str]  # (resource type, source system, source value)


@dataclass
class Answer:
    """What became of one entry."""

    status: int  # 201 created, 200 imported before, 4xx refused
    resource_type: str = ""
    record_id: Any = None
    patient_id: Any = None
    record: Model | None = None  # the record written by this request
    issues: list[dict] = field(default_factory=list)


@dataclass
class ImportResult:
    type: str  # transaction or batch
    answers: list[Answer]  # one per entry, in the Bundle's order
    refused: Answer | None = None  # a transaction's entry that stopped it (nothing written)


class _ImportedMeanwhile(Exception):
    """Another request recorded one of the entry's keys first (or an earlier entry did)."""


class _Stop(Exception):
    def __init__(self, answer: Answer) -> None:
        self.answer = answer


def _expression(index: int, path: str) -> str:
    """An element of entry `index` (`resource.code`), or of another entry the entry read as
    part of its own (a whole's part: `Bundle.entry[5].resource.code`)."""
    return path if path.startswith("Bundle.") else f"Bundle.entry[{index}].{path}"


def _field_path(paths: dict[str, str], attr: str) -> str:
    """The element a refused field came from: its own, else its nearest enclosing field's
    (`adjustments.0.segment`, `adjustments.0`, `adjustments`)."""
    parts = attr.split(".")
    for end in range(len(parts), 0, -1):
        found = paths.get(".".join(parts[:end]))
        if found:
            return found
    return "resource"


def _warning(note: Note, index: int) -> dict:
    return {
        "severity": "warning",
        "code": "informational",
        "details": {"text": note.text},
        "expression": [_expression(index, note.path)],
    }


class _Import:
    def __init__(self, bundle: Bundle, user: User, context: Mapping[str, Any]) -> None:
        self.bundle, self.user, self.context = bundle, user, dict(context)
        self.handler_context = ExceptionHandlerContext(
            view=context["view"], args=(), kwargs={}, request=context["request"]
        )
        self.answers: dict[int, Answer] = {}
        self.patients: dict[uuid.UUID, Patient] = {}
        # Records written whose kind finishes them later, with their read's options.
        self.finishing: dict[int, tuple[Model, dict[str, Any]]] = {}

    # The whole Bundle's statements --------------------------------------------------------

    def _recorded(self, keys: list[Key]) -> dict[Key, tuple[Any, Any]]:
        """The records the keys were imported as: (record id, patient id) by key."""
        if not keys:
            return {}
        rows = (
            ImportedResource.objects.for_clinic(self.user.clinic_id)
            .filter(source_value__in={value for _, _, value in keys})
            .values_list(
                "resource_type", "source_system", "source_value", "record_id", "patient_id"
            )
        )
        wanted = set(keys)
        return {
            (kind, system, value): (record, patient)
            for kind, system, value, record, patient in rows
            if (kind, system, value) in wanted
        }

    def _match_imported(self) -> None:
        """Entries whose source key was imported before are answered with their record."""
        entries = [
            (entry, entry.kind.name)
            for entry in self.bundle.entries
            if entry.refused is None and entry.kind is not None
        ]
        recorded = self._recorded([(name, *key) for entry, name in entries for key in entry.keys])
        for entry, name in entries:
            for system, value in entry.keys:
                found = recorded.get((name, system, value))
                if found is not None:
                    self.answers[entry.index] = self._imported_before(
                        entry, (system, value), *found
                    )
                    break

    def _load_patients(self) -> None:
        """The existing patients the entries still to write refer to, in one statement."""
        wanted: set[str] = set()
        for entry in self.bundle.entries:
            if entry.refused or entry.index in self.answers or entry.kind is None:
                continue
            target = entry.resource.get(entry.kind.subject or "")
            reference = target.get("reference") if isinstance(target, dict) else None
            if not isinstance(reference, str):
                continue
            found = self.bundle.entry_named(reference, entry)
            if found is not None and found.index in self.answers:
                wanted.add(str(self.answers[found.index].record_id))
            elif (literal := PATIENT_REFERENCE.match(reference)) is not None:
                wanted.add(literal.group(1))
        if wanted:
            found_patients = (
                Patient.objects.for_clinic(self.user.clinic_id)
                .select_related("clinic")
                .filter(pk__in=wanted)
            )
            self.patients.update({patient.pk: patient for patient in found_patients})

    # One entry ---------------------------------------------------------------------------

    def _imported_before(
        self, entry: Entry, key: tuple[str, str], record: Any, patient: Any
    ) -> Answer:
        assert entry.kind is not None
        return Answer(
            status=200,
            resource_type=entry.kind.name,
            record_id=record,
            patient_id=patient,
            issues=[
                {
                    "severity": "information",
                    "code": "informational",
                    "details": {
                        "text": f"Imported before as {entry.kind.name}/{record} (known by "
                        f"{key[0]}|{key[1]}): nothing was written."
                    },
                }
            ],
        )

    def _refusal(
        self, entry: Entry, status: int, errors: list[dict], paths: dict[str, str]
    ) -> Answer:
        """The REST API's error items for the entry, each naming the element it came from."""
        issues = []
        for error in errors:
            path = _field_path(paths, str(error.get("attr") or ""))
            issues.append(
                issue(
                    status=status,
                    code=str(error.get("code")),
                    text=str(error.get("detail")),
                    expression=_expression(entry.index, path),
                )
            )
        return Answer(
            status=status, resource_type=entry.kind.name if entry.kind else "", issues=issues
        )

    def _refused(self, entry: Entry, refused: EntryRefused) -> Answer:
        error = {"code": refused.code, "detail": refused.text, "attr": refused.path}
        return self._refusal(entry, refused.status, [error], {refused.path: refused.path})

    def _written_by(self, entry: Entry, reference: str, target: str, path: str) -> Answer | None:
        """The answer of the Bundle's entry `reference` names, which must be a `target` that
        was imported (here or before); None when it names no entry."""
        found = self.bundle.entry_named(reference, entry)
        if found is None:
            return None
        if found.kind is None or found.kind.name != target:
            raise EntryRefused(
                422,
                ImportCode.UNRESOLVED_REFERENCE,
                f"`{reference}` is entry [{found.index}], which is not a {target}.",
                path,
            )
        answer = self.answers.get(found.index)
        if answer is None or answer.status >= 400:
            raise EntryRefused(
                422,
                ImportCode.UNRESOLVED_REFERENCE,
                f"The {target} of entry [{found.index}] was not imported.",
                path,
            )
        return answer

    def _patient_of(self, subject: tuple[str, str], entry: Entry) -> Patient:
        path, reference = subject
        answer = self._written_by(entry, reference, "Patient", path)
        if answer is not None:
            if isinstance(answer.record, Patient):
                return answer.record
            return self._existing_patient(answer.record_id, reference, path)
        literal = PATIENT_REFERENCE.match(reference)
        if literal is None:
            raise EntryRefused(
                422,
                ImportCode.UNRESOLVED_REFERENCE,
                f"`{reference}` names no entry of this Bundle and is not `Patient/<id>`.",
                path,
            )
        return self._existing_patient(literal.group(1), reference, path)

    def _linked(self, link: Link, entry: Entry) -> Any:
        """The id a link stands for: the record its entry became, or the existing record it
        names (the REST serializer then checks it is one of this clinic's)."""
        answer = self._written_by(entry, link.reference, link.target, link.path)
        if answer is not None:
            return str(answer.record_id)
        literal = LITERAL_REFERENCE.match(link.reference)
        if literal is None or literal.group(1) != link.target:
            raise EntryRefused(
                422,
                ImportCode.UNRESOLVED_REFERENCE,
                f"`{link.reference}` names no entry of this Bundle and is not "
                f"`{link.target}/<id>`.",
                link.path,
            )
        return literal.group(2)

    def _existing_patient(self, patient_id: Any, reference: str, path: str) -> Patient:
        found = self.patients.get(uuid.UUID(str(patient_id)))
        if found is None:
            # A patient imported by another request while this one ran (rare): read it now.
            found = (
                Patient.objects.for_clinic(self.user.clinic_id)
                .select_related("clinic")
                .filter(pk=patient_id)
                .first()
            )
        if found is None:  # another clinic's id reads as one that does not exist
            raise EntryRefused(
                422,
                ImportCode.UNRESOLVED_REFERENCE,
                f"No patient of this clinic is `{reference}`.",
                path,
            )
        self.patients[found.pk] = found
        return found

    def _record_keys(self, entry: Entry, record_id: Any, patient_id: Any) -> None:
        """Record the entry's keys; another request (or entry) holding one of them first means
        the entry was imported there: `_ImportedMeanwhile`, and this entry's writes roll back.
        A key held by a request still running is waited for (its transaction ends first)."""
        assert entry.kind is not None
        table = ImportedResource._meta.db_table
        now = timezone.now()
        rows = [
            [
                self.user.clinic_id,
                entry.kind.name,
                system,
                value,
                record_id,
                patient_id,
                self.user.pk,
                now,
            ]
            for system, value in entry.keys
        ]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {table} (clinic_id, resource_type, source_system, source_value,
                                         record_id, patient_id, imported_by_id, created_at)
                    VALUES {values}
                    ON CONFLICT (clinic_id, source_value, source_system, resource_type) DO NOTHING
                    RETURNING id""",
                [value for row in rows for value in row],
            )
            if len(cursor.fetchall()) < len(rows):
                raise _ImportedMeanwhile()

    def _write(self, entry: Entry, mapped: Mapped) -> tuple[Model, list[tuple[int, Answer]]]:
        """The entry's record, and the answers of the part entries written with it."""
        kind = entry.kind
        assert isinstance(kind, ImportKind)
        patient = self._patient_of(mapped.subject, entry) if mapped.subject is not None else None
        fields = dict(mapped.fields)
        if kind.patient_field is not None and patient is not None:
            fields[kind.patient_field] = str(patient.pk)
        for link in mapped.links:
            _place(fields, link.at, self._linked(link, entry))
        parts = [(part, self._claim(part.reference, entry)) for part in mapped.parts]
        serializer = kind.serializer(data=fields, context=self.context)
        serializer.is_valid(raise_exception=True)
        record = kind.create(
            fields=serializer.validated_data, patient=patient, user=self.user, **mapped.options
        )
        patient_id = kind.patient_id(record)
        self._record_keys(entry, record.pk, patient_id)
        ids = kind.part_ids(record) if kind.part_ids is not None and parts else {}
        answers = []
        for part, part_entry in parts:
            part_id = ids[part.at[0]][part.at[1]]
            self._record_keys(part_entry, part_id, patient_id)
            whole = f"{kind.name}/{record.pk}"
            answers.append(
                (part_entry.index, self._part_answer(part_entry, part_id, patient_id, whole))
            )
        return record, answers

    def _claim(self, reference: str, by: Entry) -> Entry:
        """The part entry a whole refers to, which must be one of its parts not yet imported."""
        assert by.kind is not None
        found = self.bundle.entry_named(reference, by)
        part = found.kind if found is not None else None
        claimable = (isinstance(part, PartKind) and part.part_of == by.kind.name) or (
            isinstance(part, ImportKind) and by.kind.name in part.claimed_by
        )
        if found is None or part is None or not claimable:
            raise EntryRefused(
                422,
                ImportCode.UNRESOLVED_REFERENCE,
                f"`{reference}` names no entry of this Bundle that a {by.kind.name} is made of.",
                "resource",
            )
        if found.refused is not None or found.index in self.answers:
            raise EntryRefused(
                422,
                ImportCode.UNRESOLVED_REFERENCE,
                f"Entry [{found.index}] ({part.name}) was "
                + ("refused" if found.refused is not None else "imported before")
                + f"; a {by.kind.name} is imported with its parts.",
                "resource",
            )
        return found

    def _part_answer(self, entry: Entry, record_id: Any, patient_id: Any, whole: str) -> Answer:
        assert entry.kind is not None
        notes = [*entry.notes, Note(f"Written as part of {whole}.", "resource")]
        notes += [
            Note(f"`{name}` is not kept.", f"resource.{name}")
            for name in entry.resource
            if name not in entry.kind.elements
        ]
        return Answer(
            status=201,
            resource_type=entry.kind.name,
            record_id=record_id,
            patient_id=patient_id,
            issues=[_warning(note, entry.index) for note in notes],
        )

    def _errors(self, error: Exception) -> tuple[int, list[dict]]:
        """The status and error items the REST API would answer for `error`."""
        converted = ApiExceptionHandler(error, self.handler_context).convert_known_exceptions(error)
        if not isinstance(converted, APIException):
            raise error
        body = ExceptionFormatter(converted, self.handler_context, error).run()
        return converted.status_code, body["errors"]

    def entry(self, entry: Entry) -> Answer:
        if entry.refused is not None:
            return self._refused(entry, entry.refused)
        if entry.index in self.answers:
            return self.answers[entry.index]
        kind = entry.kind
        if isinstance(kind, PartKind) and kind.taken_off and kind.taken_off(entry.resource):
            note = Note(
                f"Not kept: taken off its {kind.part_of}, which no longer names it.", "resource"
            )
            return Answer(status=200, resource_type=kind.name, issues=[_warning(note, entry.index)])
        if isinstance(kind, PartKind):
            return self._refused(
                entry,
                EntryRefused(
                    422,
                    ImportCode.UNRESOLVED_REFERENCE,
                    f"A {kind.name} is imported as part of the {kind.part_of} that {kind.how}; "
                    f"no {kind.part_of} imported from this Bundle does.",
                    kind.path,
                ),
            )
        assert kind is not None
        mapped = Mapped(fields={}, paths={})
        try:
            if self.user.role not in kind.writers:
                reason = f" ({kind.writers_reason})" if kind.writers_reason else ""
                raise PermissionDenied(
                    f"Importing a {kind.name} needs one of the roles: "
                    f"{', '.join(sorted(kind.writers))}{reason}."
                )
            mapped = kind.read(entry.resource, EntryLookup(self.bundle, entry))
            if mapped.subject is not None:
                # A refusal naming no field is about the patient (archived: patient_archived).
                mapped.paths.setdefault("", mapped.subject[0])
            with transaction.atomic():
                if mapped.same_as is not None:
                    return self._restate(entry, mapped, mapped.same_as)
                record, parts = self._write(entry, mapped)
        except _ImportedMeanwhile:
            return self._found_meanwhile(entry)
        except EntryRefused as refused:
            return self._refused(entry, refused)
        except ENTRY_ERRORS as error:
            status, errors = self._errors(error)
            return self._refusal(entry, status, errors, mapped.paths)
        for index, part_answer in parts:
            self.answers[index] = part_answer
        if kind.finish is not None:
            self.finishing[entry.index] = (record, mapped.options)
        notes = [*entry.notes, *mapped.notes]
        notes += [
            Note(f"`{name}` is not kept.", f"resource.{name}")
            for name in entry.resource
            if name not in kind.elements
        ]
        return Answer(
            status=201,
            resource_type=kind.name,
            record_id=record.pk,
            patient_id=kind.patient_id(record),
            record=record,
            issues=[_warning(note, entry.index) for note in notes],
        )

    def _restate(self, entry: Entry, mapped: Mapped, same_as: SameAs) -> Answer:
        """An entry restating another's record: answered with it once it agrees, and its keys
        recorded; nothing else is written. `201` when this request wrote the record (the
        resource it restates came to be here), else `200`."""
        assert isinstance(entry.kind, ImportKind)
        link = same_as.link
        found = self._written_by(entry, link.reference, link.target, link.path)
        record = found.record if found is not None else None
        if record is None:
            wanted = found.record_id if found is not None else self._imported_as(link, entry)
            records = IMPORT_KINDS[link.target].records
            record = records(self.user).filter(pk=wanted).first() if records else None
        if record is None:
            raise EntryRefused(
                422,
                ImportCode.UNRESOLVED_REFERENCE,
                f"No {link.target} of this clinic is `{link.reference}`.",
                link.path,
            )
        patient_id = entry.kind.patient_id(record)
        if mapped.subject is not None and self._patient_of(mapped.subject, entry).pk != patient_id:
            raise EntryRefused(
                422,
                ImportCode.UNRESOLVED_REFERENCE,
                f"`{link.reference}` is another patient's {link.target}.",
                link.path,
            )
        same_as.agrees(record)
        self._record_keys(entry, record.pk, patient_id)
        written = found is not None and found.record is record
        notes = [*entry.notes, *mapped.notes]
        notes += [
            Note(f"`{name}` is not kept.", f"resource.{name}")
            for name in entry.resource
            if name not in entry.kind.elements
        ]
        kept = f"Kept as {link.target}/{record.pk}'s {same_as.what}: nothing else was written."
        return Answer(
            status=201 if written else 200,
            resource_type=entry.kind.name,
            record_id=record.pk,
            patient_id=patient_id,
            record=record if written else None,
            issues=[
                {"severity": "information", "code": "informational", "details": {"text": kept}},
                *(_warning(note, entry.index) for note in notes),
            ],
        )

    def _imported_as(self, link: Link, entry: Entry) -> Any:
        """The record a link names that is no entry of this Bundle: the one an entry of an
        earlier Bundle became (known by the URL it stands for), else an existing record."""
        url = self.bundle.absolute(link.reference, entry)
        recorded = self._recorded([(link.target, URI_SYSTEM, url)]) if url else {}
        return next(iter(recorded.values()))[0] if recorded else self._linked(link, entry)

    def _found_meanwhile(self, entry: Entry) -> Answer:
        assert entry.kind is not None
        recorded = self._recorded(
            [(entry.kind.name, system, value) for system, value in entry.keys]
        )
        for system, value in entry.keys:
            found = recorded.get((entry.kind.name, system, value))
            if found is not None:
                return self._imported_before(entry, (system, value), *found)
        raise RuntimeError("A key that conflicted is not recorded.")

    # The whole Bundle --------------------------------------------------------------------

    def _steps(self) -> list[tuple[Entry, bool]]:
        """The entries in the order they are written, each (entry, False), and the finishing
        of those whose kind finishes them, (entry, True): by rank (patients first: what an
        entry refers to is written before it), each kind's entries by its sort key; an entry
        that follows another (a visit, its plan) right after it, then that one's finishing."""

        def key(entry: Entry) -> tuple[int, str]:
            kind = entry.kind
            if kind is None:
                return (0, "")
            return (kind.rank, kind.sort_key(entry.resource) if kind.sort_key else "")

        ordered = sorted(self.bundle.entries, key=key)
        followers: dict[int, list[Entry]] = {}
        following: set[int] = set()
        for entry in ordered:
            follows = entry.kind.follows if entry.kind else None
            reference = follows(entry.resource) if follows else None
            leader = self.bundle.entry_named(reference, entry) if reference else None
            if leader is not None and leader.kind is not None and leader.kind.finish is not None:
                followers.setdefault(leader.index, []).append(entry)
                following.add(entry.index)
        steps: list[tuple[Entry, bool]] = []
        for entry in ordered:
            if entry.index in following:
                continue
            steps.append((entry, False))
            if entry.kind is not None and entry.kind.finish is not None:
                steps += [(follower, False) for follower in followers.get(entry.index, [])]
                steps.append((entry, True))
        return steps

    def _finish(self, entry: Entry) -> Answer:
        """The entry's record finished (fhir_import.kinds.ImportKind.finish), once the entries
        that follow it are written; in a batch, a refusal of it is said in its answer."""
        answer = self.answers[entry.index]
        pending = self.finishing.pop(entry.index, None)
        if pending is None:  # refused, or imported before: nothing to finish
            return answer
        kind = entry.kind
        assert isinstance(kind, ImportKind) and kind.finish is not None
        record, options = pending
        try:
            with transaction.atomic():
                kind.finish(record, options)
        except ENTRY_ERRORS as error:
            status, errors = self._errors(error)
            refused = self._refusal(entry, status, errors, {})
            if self.bundle.type != "batch":
                return refused
            answer.issues += [{**found, "severity": "warning"} for found in refused.issues]
        return answer

    def run(self) -> ImportResult:
        self._match_imported()
        self._load_patients()
        steps = self._steps()
        if self.bundle.type == "batch":
            for entry, finishing in steps:
                if finishing:
                    self._finish(entry)
                else:
                    self.answers[entry.index] = self.entry(entry)
        else:
            try:
                with transaction.atomic():
                    for entry, finishing in steps:
                        answer = self._finish(entry) if finishing else self.entry(entry)
                        self.answers[entry.index] = answer
                        if answer.status >= 400:
                            raise _Stop(answer)
            except _Stop as stop:
                return ImportResult(type=self.bundle.type, answers=[], refused=stop.answer)
        answers = [self.answers[entry.index] for entry in self.bundle.entries]
        return ImportResult(type=self.bundle.type, answers=answers)


def _place(fields: dict, at: tuple[str | int, ...], value: Any) -> None:
    """Set the value at a path of the fields (`("conditions", 0)`)."""
    container: Any = fields
    for key in at[:-1]:
        container = container[key]
    container[at[-1]] = value


def bundle_import(*, body: object, user: User, context: Mapping[str, Any]) -> ImportResult:
    """Import a transaction or batch Bundle into the user's clinic (see the module).
    `context`: the REST serializers' (the request), for their checks of the clinic."""
    bundle = read_bundle(
        body, max_entries=settings.FHIR_IMPORT_MAX_ENTRIES, kinds={**IMPORT_KINDS, **PART_KINDS}
    )
    return _Import(bundle, user, context).run()
