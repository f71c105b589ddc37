"""FHIR search parameters, declared per resource and turned into one queryset filter.

Each resource lists its parameters by name (`Patient?name=`, `Observation?date=`); a query's
values become one `Q`: values separated by commas are alternatives (OR), a parameter given
twice must hold both times (AND), as FHIR's search says
(https://hl7.org/fhir/R4/search.html). A parameter this server does not know, a modifier it
does not support or a value it cannot read is refused (400, an OperationOutcome naming the
parameter), unless the client asks `Prefer: handling=lenient`, when unknown parameters are
ignored and left out of the Bundle's `self` link.

A type served from code rather than rows (fhir_api.kinds.CatalogueKind) is searched with the
same rules; its parameters test each resource itself (`holds`) instead of making a filter.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import math
import operator
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from rest_framework import serializers

from api.error_codes import ApiCode
from fhir_api.error_codes import FhirCode

# Parameters of every search that shape the answer rather than select rows.
RESULT_PARAMETERS = frozenset({"_count", "_cursor", "_format", "_include", "_revinclude"})

NOTHING = Q(pk__in=[])
# Every row. Not `Q()`: an empty Q is dropped where alternatives are joined (`NOTHING | Q()` is
# NOTHING), and its negation matches every row too.
EVERYTHING = ~NOTHING

MAX_VALUES = 50  # alternatives in one parameter, occurrences of one parameter


def refuse(name: str, message: str, code: str = FhirCode.INVALID_SEARCH_VALUE):
    return serializers.ValidationError({name: [serializers.ErrorDetail(message, code=code)]})


@dataclass(frozen=True)
class SearchContext:
    """What reading a value needs besides the value: the clinic and its clock."""

    clinic_id: object
    zone: ZoneInfo


@dataclass(frozen=True)
class SearchParameter:
    """One search parameter: its FHIR type, what it matches and how."""

    description: str
    type: str = ""
    modifiers: frozenset[str] = frozenset()

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        raise NotImplementedError

    def holds(
        self, name: str, value: str, modifier: str | None, resource: Mapping[str, Any]
    ) -> bool:
        """Whether a resource served from code (not rows) matches the value."""
        raise NotImplementedError


@dataclass(frozen=True)
class TokenParameter(SearchParameter):
    """`[system]|[code]` or `code`: matches the column holding the code, in `system`.

    `codes` maps a FHIR code to the stored values it stands for, where they differ (a
    FHIR gender to the sexes at birth it is written for); `None` keeps the code as stored.
    """

    type: str = "token"
    column: str = ""
    system: str | None = None
    codes: Mapping[str, tuple[object, ...]] | None = None
    # A code that must be stored exactly so (upper-case ICD-10-CM), or None.
    normalise: Callable[[str], str] | None = None
    # The rows whose resource carries the element at all, where some do not (a Condition
    # entered in error has no clinicalStatus): the others match no code, and every `:not`.
    present: Q | None = None
    modifiers: frozenset[str] = frozenset({"not"})

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        system, bar, code = value.rpartition("|")
        if not bar:
            system, code = "", value
        elif system and self.system is not None and system != self.system:
            return NOTHING if modifier != "not" else EVERYTHING
        if not code:
            raise refuse(name, "Give a code (`code` or `system|code`).")
        if self.normalise is not None:
            code = self.normalise(code)
        stored: tuple[object, ...] = (code,) if self.codes is None else self.codes.get(code, ())
        found = Q(**{f"{self.column}__in": stored}) if stored else NOTHING
        if self.present is not None:
            found &= self.present
        return ~found if modifier == "not" else found


@dataclass(frozen=True)
class MappedTokenParameter(SearchParameter):
    """A token whose codes, each in its system, stand for rows: an Observation's LOINC code for
    the instrument it measures, a category only some rows carry (EVERYTHING: all carry it).
    `code` alone matches the code in any of the systems."""

    type: str = "token"
    codes: Mapping[tuple[str, str], Q] = field(default_factory=dict)
    modifiers: frozenset[str] = frozenset({"not"})

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        system, bar, code = value.rpartition("|")
        if not code:
            raise refuse(name, "Give a code (`code` or `system|code`).")
        found = NOTHING
        for (known_system, known_code), rows in self.codes.items():
            if code == known_code and (not bar or not system or system == known_system):
                found |= rows
        return ~found if modifier == "not" else found


@dataclass(frozen=True)
class FixedTokenParameter(SearchParameter):
    """A token every resource of the type carries alike (a Condition's category): a query
    for it matches all rows, one for another code none."""

    type: str = "token"
    system: str = ""
    code: str = ""

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        system, bar, code = value.rpartition("|")
        if not bar:
            system, code = "", value
        if not code:
            raise refuse(name, "Give a code (`code` or `system|code`).")
        return EVERYTHING if code == self.code and system in {"", self.system} else NOTHING


def _token(name: str, value: str) -> tuple[str | None, str]:
    """A token's system (None when the value gives none, "" for `|code`) and code."""
    system, bar, code = value.rpartition("|")
    if not code:
        raise refuse(name, "Give a code (`code` or `system|code`).")
    return (system if bar else None), code


@dataclass(frozen=True)
class ClinicCodingParameter(SearchParameter):
    """`[system]|[code]` against a coding kept in two columns, its code and its system, where
    the system differs from row to row (a clinic's own techniques are in its own system)."""

    type: str = "token"
    code_column: str = ""
    system_column: str = ""
    modifiers: frozenset[str] = frozenset({"not"})

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        system, code = _token(name, value)
        if system == "":
            found = NOTHING  # `|code`: a code without a system, and ours all have one
        elif system is None:
            found = Q(**{self.code_column: code})
        else:
            found = Q(**{self.code_column: code, self.system_column: system})
        return ~found if modifier == "not" else found


@dataclass(frozen=True)
class AnyTokenParameter(SearchParameter):
    """A token over several codings of a resource, each its own parameter (its system, its
    column): a value matches when any of them does, `:not` when none does."""

    type: str = "token"
    parts: tuple[SearchParameter, ...] = ()
    modifiers: frozenset[str] = frozenset({"not"})

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        found = NOTHING
        for part in self.parts:
            found |= part.match(name, value, None, context)
        return ~found if modifier == "not" else found


@dataclass(frozen=True)
class DerivedTokenParameter(SearchParameter):
    """A code the resource derives from stored values (a goal's lifecycle status from its plan's
    status, its own and whether it was removed): `derive` is the mapping's own function, and
    `columns` each stored value's lookup with every value it can take. A code matches the rows
    whose values `derive` turns into it."""

    type: str = "token"
    columns: tuple[tuple[str, tuple[object, ...]], ...] = ()
    derive: Callable[..., str | None] = str
    system: str | None = None
    modifiers: frozenset[str] = frozenset({"not"})

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        system, code = _token(name, value)
        found = NOTHING
        if not system or self.system is None or system == self.system:
            combinations = [
                values
                for values in itertools.product(*(choices for _, choices in self.columns))
                if self.derive(*values) == code
            ]
            found = self._rows_with(combinations)
        return ~found if modifier == "not" else found

    def _rows_with(self, combinations: list[tuple[object, ...]]) -> Q:
        return _rows_with(self.columns, combinations)


def _rows_with(
    columns: tuple[tuple[str, tuple[object, ...]], ...], combinations: list[tuple[object, ...]]
) -> Q:
    """The rows whose values of `columns` are one of `combinations`, in few conditions: each
    column's lookup (a subquery, it may be) is written once per condition, so a set of
    combinations that is every mix of some values of each column is one condition (`__in` on
    each column, left out where every value is wanted), and any other set is split by the
    values of one column."""
    if not combinations:
        return NOTHING
    wanted = [
        [choice for choice in choices if any(values[i] == choice for values in combinations)]
        for i, (_, choices) in enumerate(columns)
    ]
    if len(set(combinations)) == math.prod(len(values) for values in wanted):
        condition: dict[str, object] = {}
        for (lookup, choices), values in zip(columns, wanted, strict=True):
            if len(values) == 1:
                condition[lookup] = values[0]
            elif len(values) < len(choices):
                condition[f"{lookup}__in"] = values
        return Q(**condition) if condition else EVERYTHING
    axis = min(
        (i for i, values in enumerate(wanted) if len(values) > 1), key=lambda i: len(wanted[i])
    )
    rest = columns[:axis] + columns[axis + 1 :]
    found = NOTHING
    for value in wanted[axis]:
        chosen = [c[:axis] + c[axis + 1 :] for c in combinations if c[axis] == value]
        found |= Q(**{columns[axis][0]: value}) & _rows_with(rest, chosen)
    return found


@dataclass(frozen=True)
class IdentifierParameter(SearchParameter):
    """`[system]|value` against one identifier column, whose system depends on the row (a
    chart number's system names its clinic): `system_of(clinic_id)` is the caller's."""

    type: str = "token"
    column: str = ""
    system_of: Callable[[object], str] = str

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        system, bar, code = value.rpartition("|")
        if not code:
            raise refuse(name, "Give an identifier value (`value` or `system|value`).")
        if bar and system and system != self.system_of(context.clinic_id):
            return NOTHING
        return Q(**{f"{self.column}__iexact": code})


@dataclass(frozen=True)
class IdentifiersParameter(SearchParameter):
    """`[system]|value` against several identifiers, each kept in its own column under one
    system (a practitioner's NPI and staff id): a value without a system matches any of them.

    `columns` maps each system to its column; `read` says how a value is read for a column that
    is not text (a UUID), a ValueError meaning no row can hold it there.
    """

    type: str = "token"
    columns: Mapping[str, str] = field(default_factory=dict)
    read: Mapping[str, Callable[[str], object]] = field(default_factory=dict)

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        system, bar, code = value.rpartition("|")
        if not code:
            raise refuse(name, "Give an identifier value (`value` or `system|value`).")
        found = NOTHING
        for column_system, column in self.columns.items():
            if bar and system and system != column_system:
                continue
            read = self.read.get(column)
            if read is None:
                found |= Q(**{f"{column}__iexact": code})
                continue
            try:
                found |= Q(**{column: read(code)})
            except ValueError:
                continue
        return found


@dataclass(frozen=True)
class StringParameter(SearchParameter):
    """Starts with (case and accents folded) any of `columns`; `:exact` is the stored text,
    `:contains` anywhere in it."""

    type: str = "string"
    columns: tuple[str, ...] = ()  # the folded search keys, one per searched element
    exact_columns: tuple[str, ...] = ()  # the stored text of the same elements
    fold: Callable[[str], str] = str.casefold
    modifiers: frozenset[str] = frozenset({"exact", "contains"})
    # The columns hold the text as written, with no folded key beside it (a clinic's name):
    # matched ignoring case, not accents.
    as_written: bool = False
    # One column holds every part of the element (an address kept as one text): a value may
    # start any part, so it matches anywhere.
    anywhere: bool = False

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        if not value.strip():
            raise refuse(name, "Give the text to search for.")
        found = NOTHING
        if modifier == "exact":
            for column in self.exact_columns:
                found |= Q(**{column: value})
            return found
        lookup = "contains" if modifier == "contains" or self.anywhere else "startswith"
        if self.as_written:
            lookup = f"i{lookup}"
        else:
            value = self.fold(value)
        for column in self.columns:
            found |= Q(**{f"{column}__{lookup}": value})
        return found


DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")
_DATE = re.compile(
    r"^(?P<year>[0-9]{4})(-(?P<month>[0-9]{2})(-(?P<day>[0-9]{2})"
    r"(T(?P<time>[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?$"
)
EARLIEST, LATEST = datetime.date(1800, 1, 1), datetime.date(2999, 12, 31)


def date_range(name: str, text: str, zone: ZoneInfo) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants `[start, end)` a FHIR date, dateTime or instant of any precision covers,
    read on the clinic's clock where it names no zone."""
    found = _DATE.match(text)
    if found is None:
        raise refuse(
            name, "Use a FHIR date: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][zone]."
        )
    year, month, day = int(found["year"]), int(found["month"] or 1), int(found["day"] or 1)
    try:
        start_day = datetime.date(year, month, day)
        if found["time"]:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
            step = datetime.timedelta(seconds=1 if found["time"].count(":") == 2 else 60)
            return moment, moment + step
    except ValueError:
        raise refuse(name, "That date does not exist.") from None
    if not EARLIEST <= start_day <= LATEST:
        raise refuse(name, f"Give a date from {EARLIEST.year} to {LATEST.year}.")
    if found["day"]:
        end_day = start_day + datetime.timedelta(days=1)
    elif found["month"]:
        end_day = (start_day + datetime.timedelta(days=32)).replace(day=1)
    else:
        end_day = start_day.replace(year=year + 1)
    midnight = datetime.time()
    return (
        datetime.datetime.combine(start_day, midnight, zone),
        datetime.datetime.combine(end_day, midnight, zone),
    )


@dataclass(frozen=True)
class DateParameter(SearchParameter):
    """A date or moment with FHIR's prefixes (`ge2026-01-01`, `lt2026-02`); `column` holds a
    date (`is_date`) or a timestamp."""

    type: str = "date"
    column: str = ""
    is_date: bool = False

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        prefix = value[:2] if value[:2] in DATE_PREFIXES else "eq"
        text = value[2:] if value[:2] in DATE_PREFIXES else value
        start, end = date_range(name, text, context.zone)
        low: object = start
        high: object = end
        if self.is_date:
            low, high = start.date(), (end - datetime.timedelta(microseconds=1)).date()
            high = high + datetime.timedelta(days=1)
        column = self.column
        within = Q(**{f"{column}__gte": low, f"{column}__lt": high})
        return {
            "eq": within,
            "ne": ~within,
            "gt": Q(**{f"{column}__gte": high}),
            "sa": Q(**{f"{column}__gte": high}),
            "lt": Q(**{f"{column}__lt": low}),
            "eb": Q(**{f"{column}__lt": low}),
            "ge": Q(**{f"{column}__gte": low}),
            "le": Q(**{f"{column}__lt": high}),
        }[prefix]


def referenced(value: str) -> tuple[str | None, uuid.UUID | None]:
    """The type (None when not given) and id a reference names: `Type/id`, `id` or an
    absolute URL ending in `Type/id`; the id None when it is not one of ours (a UUID)."""
    parts = value.rstrip("/").split("/")
    named = parts[-2] if len(parts) >= 2 else None
    try:
        return named, uuid.UUID(parts[-1])
    except ValueError:
        return named, None  # no resource has that id


@dataclass(frozen=True)
class PeriodParameter(SearchParameter):
    """A date against a period kept in two columns (a null end: ongoing), as FHIR compares
    ranges (https://hl7.org/fhir/R4/search.html#date): `eq` the searched range contains the
    period, `ne` it does not; `gt`/`lt` the period reaches past the searched range's end or
    before its start; `ge`/`le` it reaches into the searched range or past it (so that
    `ge2026-11-15` finds a plan running on that day, as clients expect); `sa`/`eb` it starts
    after the searched range or ends before it."""

    type: str = "date"
    start_column: str = ""
    end_column: str = ""  # the last day (a date column) or moment of the period
    is_date: bool = False

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        prefix = value[:2] if value[:2] in DATE_PREFIXES else "eq"
        text = value[2:] if value[:2] in DATE_PREFIXES else value
        start, end = date_range(name, text, context.zone)
        low: object = start
        high: object = end
        if self.is_date:  # the searched days [low, high); a period's last day is in it
            low = start.date()
            high = (end - datetime.timedelta(microseconds=1)).date() + datetime.timedelta(days=1)
        open_end = Q(**{f"{self.end_column}__isnull": True})
        within = Q(**{f"{self.start_column}__gte": low, f"{self.end_column}__lt": high})
        return {
            "eq": within,
            "ne": ~within | open_end,
            "gt": Q(**{f"{self.end_column}__gte": high}) | open_end,
            "lt": Q(**{f"{self.start_column}__lt": low}),
            "ge": Q(**{f"{self.end_column}__gte": low}) | open_end,
            "le": Q(**{f"{self.start_column}__lt": high}),
            "sa": Q(**{f"{self.start_column}__gte": high}),
            "eb": Q(**{f"{self.end_column}__lt": low}),
        }[prefix]


@dataclass(frozen=True)
class ReferenceParameter(SearchParameter):
    """`Type/id`, `id` or an absolute URL ending in `Type/id`: the row that references it
    (a bare id: any type the reference may name)."""

    type: str = "reference"
    column: str = ""
    target: str = ""
    # The column holds a list of ids (an audit event's patients): a row matches when the list
    # holds the one referenced.
    many: bool = False
    # Other types the reference may name besides `target` (a Provenance's target: its
    # Encounter, or one of its Procedures), each with the filter an id of that type makes.
    also: Mapping[str, Callable[[uuid.UUID], Q]] | None = None

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        named, key = referenced(value)
        if key is None:
            return NOTHING
        found = NOTHING
        if named in {None, self.target}:
            found = (
                Q(**{f"{self.column}__contains": [key]}) if self.many else Q(**{self.column: key})
            )
        for other, matches in (self.also or {}).items():
            if named in {None, other}:
                found |= matches(key)
        return found


# A patient's records searched by their patient: every clinical type's `patient` parameter.
PATIENT_PARAMETER = ReferenceParameter(
    "The patient (`Patient/<id>` or the id).", column="patient_id", target="Patient"
)


@dataclass(frozen=True)
class ReferencesParameter(SearchParameter):
    """A reference to any of several types, each held in its own column (`targets`: type →
    column): `Type/id` matches that type's column, a bare id any of them."""

    type: str = "reference"
    targets: Mapping[str, str] | None = None

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        named, key = referenced(value)
        found = NOTHING
        for target, column in (self.targets or {}).items():
            if key is not None and named in {None, target}:
                found |= Q(**{column: key})
        return found


@dataclass(frozen=True)
class IdParameter(SearchParameter):
    """`_id`: the resource's id, read as its kind reads ids (a UUID unless told otherwise);
    an id that cannot be one matches nothing.

    A type whose ids carry a prefix naming their table (`signature-<visit id>`) maps each
    prefix to the column holding the id after it (`""`: ids without a prefix).
    """

    type: str = "token"
    read: Callable[[str], object] = uuid.UUID
    prefixes: Mapping[str, str] = field(default_factory=lambda: {"": "pk"})

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        prefix = max((p for p in self.prefixes if value.startswith(p)), key=len, default=None)
        if prefix is None:
            return NOTHING
        try:
            return Q(**{self.prefixes[prefix]: self.read(value.removeprefix(prefix))})
        except ValueError:
            return NOTHING

    def holds(
        self, name: str, value: str, modifier: str | None, resource: Mapping[str, Any]
    ) -> bool:
        return resource.get("id") == value


@dataclass(frozen=True)
class UriParameter(SearchParameter):
    """A resource's canonical URL (`element`), whole; `url|version` also asks for the version.
    Of a type served from code."""

    type: str = "uri"
    element: str = "url"

    def holds(
        self, name: str, value: str, modifier: str | None, resource: Mapping[str, Any]
    ) -> bool:
        url, bar, version = value.partition("|")
        if not url:
            raise refuse(name, "Give a URL (`url` or `url|version`).")
        return resource.get(self.element) == url and (not bar or resource.get("version") == version)


@dataclass(frozen=True)
class ElementStringParameter(SearchParameter):
    """Starts with (case folded) the text of one element; `:exact` the whole text, `:contains`
    anywhere in it. Of a type served from code."""

    type: str = "string"
    element: str = ""
    modifiers: frozenset[str] = frozenset({"exact", "contains"})

    def holds(
        self, name: str, value: str, modifier: str | None, resource: Mapping[str, Any]
    ) -> bool:
        if not value.strip():
            raise refuse(name, "Give the text to search for.")
        text = str(resource.get(self.element, ""))
        if modifier == "exact":
            return text == value
        if modifier == "contains":
            return value.casefold() in text.casefold()
        return text.casefold().startswith(value.casefold())


def _values(name: str, raw: list[str]) -> list[list[str]]:
    if len(raw) > MAX_VALUES:
        raise refuse(name, f"Give this parameter at most {MAX_VALUES} times.", ApiCode.OUT_OF_RANGE)
    occurrences = []
    for occurrence in raw:
        # A comma escaped as `\,` belongs to the value.
        alternatives = [v.replace("\\,", ",") for v in re.split(r"(?<!\\),", occurrence)]
        if len(alternatives) > MAX_VALUES:
            raise refuse(name, f"Give at most {MAX_VALUES} values.", ApiCode.OUT_OF_RANGE)
        occurrences.append(alternatives)
    return occurrences


def _any_of(alternatives: list[Q]) -> Q:
    """Rows matching any alternative. An empty Q matches every row, but Django drops it from
    `|` (`NOTHING | Q()` is NOTHING): an alternative that matches all makes the whole match all."""
    if any(not alternative for alternative in alternatives):
        return Q()
    return functools.reduce(operator.or_, alternatives, NOTHING)


@dataclass(frozen=True)
class SearchTerm:
    """One occurrence of a known search parameter: its values are alternatives (OR); the
    terms of a query must all hold (AND)."""

    key: str  # as given, with its modifier: `name:exact`
    name: str
    modifier: str | None
    values: tuple[str, ...]


def search_terms(
    query: Mapping[str, list[str]],
    parameters: Mapping[str, SearchParameter],
    *,
    lenient: bool = False,
) -> tuple[list[SearchTerm], list[str]]:
    """A query's search terms, each of a parameter in `parameters` with a modifier it
    supports, and the keys it used (for `self`); anything else is refused (400) unless
    `lenient`, when unknown parameters are left out."""
    terms = []
    used = []
    for key, raw in query.items():
        name, _, modifier = key.partition(":")
        if name in RESULT_PARAMETERS:
            continue
        parameter = parameters.get(name)
        if parameter is None:
            if lenient:
                continue
            known = ", ".join(sorted(parameters))
            raise refuse(
                key,
                f"Not a search parameter of this resource; these are: {known}.",
                ApiCode.UNKNOWN_PARAMETER,
            )
        if modifier and modifier not in parameter.modifiers:
            raise refuse(
                key,
                f"This server does not support `:{modifier}` on `{name}`.",
                FhirCode.UNSUPPORTED_MODIFIER,
            )
        terms += [
            SearchTerm(key, name, modifier or None, tuple(alternatives))
            for alternatives in _values(key, raw)
        ]
        used.append(key)
    return terms, used


def search_filter(
    query: Mapping[str, list[str]],
    parameters: Mapping[str, SearchParameter],
    context: SearchContext,
    *,
    lenient: bool = False,
) -> tuple[Q, list[str]]:
    """The filter a query's search parameters make, and the names it used (for `self`)."""
    terms, used = search_terms(query, parameters, lenient=lenient)
    found = Q()
    for term in terms:
        parameter = parameters[term.name]
        found &= _any_of(
            [parameter.match(term.key, value, term.modifier, context) for value in term.values]
        )
    return found, used


def search_catalogue(
    query: Mapping[str, list[str]],
    parameters: Mapping[str, SearchParameter],
    resources: Sequence[dict],
    *,
    lenient: bool = False,
) -> tuple[list[dict], list[str]]:
    """The resources (of a type served from code) the query's parameters match, and the
    names it used (for `self`)."""
    terms, used = search_terms(query, parameters, lenient=lenient)
    found = [
        resource
        for resource in resources
        if all(
            any(
                parameters[term.name].holds(term.key, value, term.modifier, resource)
                for value in term.values
            )
            for term in terms
        )
    ]
    return found, used
