"""FHIR search parameters, declared per resource and turned into one queryset filter.

Each resource lists its parameters by name (`Patient?name=`, `Observation?date=`); a query's
values become one `Q`: values separated by commas are alternatives (OR), a parameter given
twice must hold both times (AND), as FHIR's search says
(https://hl7.org/fhir/R4/search.html). A parameter this server does not know, a modifier it
does not support or a value it cannot read is refused (400, an OperationOutcome naming the
parameter), unless the client asks `Prefer: handling=lenient`, when unknown parameters are
ignored and left out of the Bundle's `self` link.
"""

from __future__ import annotations

import datetime
import operator
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from zoneinfo import ZoneInfo

from django.db.models import Q
from rest_framework import serializers

from api.error_codes import ApiCode
from fhir_api.error_codes import FhirCode

# Parameters of every search that shape the answer rather than select rows.
RESULT_PARAMETERS = frozenset({"_count", "_cursor", "_format", "_include", "_revinclude"})

NOTHING = Q(pk__in=[])

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
    modifiers: frozenset[str] = frozenset({"not"})

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        system, bar, code = value.rpartition("|")
        if not bar:
            system, code = "", value
        elif system and self.system is not None and system != self.system:
            return NOTHING if modifier != "not" else Q()
        if not code:
            raise refuse(name, "Give a code (`code` or `system|code`).")
        if self.normalise is not None:
            code = self.normalise(code)
        stored: tuple[object, ...] = (code,) if self.codes is None else self.codes.get(code, ())
        found = Q(**{f"{self.column}__in": stored}) if stored else NOTHING
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
        return Q() if code == self.code and system in {"", self.system} else NOTHING


@dataclass(frozen=True)
class Coded:
    """Where a resource keeps one of its codings: the code's column and its system, fixed
    (`system`) or in a column of its own (`system_column`: a clinic's own vocabulary)."""

    column: str
    system: str | None = None
    system_column: str | None = None


@dataclass(frozen=True)
class CodingParameter(SearchParameter):
    """A token over several codings of a resource (a Procedure's CPT code and our own code of
    what was done): `system|code` matches the coding of that system, `code` any of them."""

    type: str = "token"
    codings: tuple[Coded, ...] = ()

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        system, bar, code = value.rpartition("|")
        if not code:
            raise refuse(name, "Give a code (`code` or `system|code`).")
        found = NOTHING
        for coded in self.codings:
            if not bar or not system:
                found |= Q(**{coded.column: code})
            elif coded.system == system:
                found |= Q(**{coded.column: code})
            elif coded.system_column is not None:
                found |= Q(**{coded.column: code, coded.system_column: system})
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
class StringParameter(SearchParameter):
    """Starts with (case and accents folded) any of `columns`; `:exact` is the stored text,
    `:contains` anywhere in it."""

    type: str = "string"
    columns: tuple[str, ...] = ()  # the folded search keys, one per searched element
    exact_columns: tuple[str, ...] = ()  # the stored text of the same elements
    fold: Callable[[str], str] = str.casefold
    modifiers: frozenset[str] = frozenset({"exact", "contains"})

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        if not value.strip():
            raise refuse(name, "Give the text to search for.")
        found = NOTHING
        if modifier == "exact":
            for column in self.exact_columns:
                found |= Q(**{column: value})
            return found
        lookup = "contains" if modifier == "contains" else "startswith"
        for column in self.columns:
            found |= Q(**{f"{column}__{lookup}": self.fold(value)})
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


@dataclass(frozen=True)
class ReferenceParameter(SearchParameter):
    """`Type/id`, `id` or an absolute URL ending in `Type/id`: the row that references it.

    A reference that may name resources of several types (a Provenance's `target`) gives
    `targets`: each type's filter for an id; a bare id matches any of them.
    """

    type: str = "reference"
    column: str = ""
    target: str = ""
    targets: Mapping[str, Callable[[uuid.UUID], Q]] | None = None

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        parts = value.rstrip("/").split("/")
        named = parts[-2] if len(parts) >= 2 else None
        try:
            key = uuid.UUID(parts[-1])
        except ValueError:
            return NOTHING  # no resource has that id
        targets = self.targets or {self.target: lambda found: Q(**{self.column: found})}
        if named is not None:
            found = targets.get(named)
            return NOTHING if found is None else found(key)
        matched = NOTHING
        for found in targets.values():
            matched |= found(key)
        return matched


@dataclass(frozen=True)
class IdParameter(SearchParameter):
    """`_id`: the resource's id (ours are UUIDs; any other id matches nothing).

    A type whose ids carry a prefix naming their table (`signature-<visit id>`) maps each
    prefix to the column holding the UUID after it (`""`: ids without a prefix).
    """

    type: str = "token"
    prefixes: Mapping[str, str] = field(default_factory=lambda: {"": "pk"})

    def match(self, name: str, value: str, modifier: str | None, context: SearchContext) -> Q:
        prefix = max((p for p in self.prefixes if value.startswith(p)), key=len, default=None)
        if prefix is None:
            return NOTHING
        try:
            return Q(**{self.prefixes[prefix]: uuid.UUID(value.removeprefix(prefix))})
        except ValueError:
            return NOTHING


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


def search_filter(
    query: Mapping[str, list[str]],
    parameters: Mapping[str, SearchParameter],
    context: SearchContext,
    *,
    lenient: bool = False,
) -> tuple[Q, list[str]]:
    """The filter a query's search parameters make, and the names it used (for `self`)."""
    found = Q()
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
        for alternatives in _values(key, raw):
            matches = [
                parameter.match(key, value, modifier or None, context) for value in alternatives
            ]
            # An alternative that holds for every row (an empty Q) makes the whole parameter
            # hold: `Q() | other` would keep `other` alone.
            found &= Q() if not all(matches) else reduce(operator.or_, matches)
        used.append(key)
    return found, used
