"""Slot: the free times of a chiropractor's Schedule, computed on request by the calendar's
rules (scheduling.services.free_times), never stored.

A slot's id says what it is: `<schedule id>.<start, UTC>.<minutes>.<buffer minutes>`
(`6f1c…e2.20261214T140000Z.15.5`, at most 61 characters), so that it reads back without a
row: reading one asks the calendar again whether the chiropractor is still free then (else
404). A search is a window of at most 31 days of starts, for one appointment type (its
length, buffer, step and notice; by default the clinic's type for a regular visit).
"""

import re
import uuid
from datetime import UTC, datetime, timedelta

from rest_framework import serializers

from api.permissions import AppointmentPermission
from api.roles import Role
from clinics.models import User
from fhir_api.kinds import ComputedKind
from fhir_api.resources.elements import compact, instant, reference
from fhir_api.resources.schedule import ALLIED_HEALTH, CHIROPRACTIC
from fhir_api.search import (
    DATE_PREFIXES,
    SearchContext,
    SearchParameter,
    SearchTerm,
    date_range,
    referenced,
    refuse,
)
from fhir_api.systems import APPOINTMENT_TYPE, SLOT_STATUS
from scheduling.availability import Interval
from scheduling.error_codes import SchedulingCode
from scheduling.models import AppointmentType, VisitKind
from scheduling.selectors import appointment_type_list
from scheduling.services import FreeTime, free_times, time_is_free

LONGEST_WINDOW = timedelta(days=31)
DEFAULT_WINDOW = timedelta(days=7)  # without an upper bound, as the REST free times
START_FORMAT = "%Y%m%dT%H%M%SZ"
SLOT_ID = re.compile(
    r"^(?P<schedule>[0-9a-f-]{36})\.(?P<start>[0-9]{8}T[0-9]{6}Z)"
    r"\.(?P<minutes>[0-9]{1,3})\.(?P<buffer>[0-9]{1,3})$"
)


def slot_id(chiropractor_id: uuid.UUID, start: datetime, minutes: int, buffer: int) -> str:
    return f"{chiropractor_id}.{start.astimezone(UTC).strftime(START_FORMAT)}.{minutes}.{buffer}"


def slot_resource(chiropractor_id: uuid.UUID, start: datetime, minutes: int, buffer: int) -> dict:
    return compact(
        {
            "resourceType": "Slot",
            "id": slot_id(chiropractor_id, start, minutes, buffer),
            "serviceCategory": [ALLIED_HEALTH],
            "serviceType": [CHIROPRACTIC],
            "schedule": reference("Schedule", chiropractor_id),
            "status": "free",
            "start": instant(start),
            "end": instant(start + timedelta(minutes=minutes)),
        }
    )


def _chiropractors(user: User, ids: set[uuid.UUID] | None) -> list[uuid.UUID]:
    """Of these ids (None: all), the clinic's chiropractors at work: the only ones free."""
    found = User.objects.filter(
        clinic_id=user.staff_clinic_id, role=Role.CHIROPRACTOR, is_active=True
    )
    if ids is not None:
        found = found.filter(pk__in=ids)
    return sorted(found.values_list("pk", flat=True), key=str)


def _window(terms: list[SearchTerm], context: SearchContext) -> tuple[datetime, datetime, bool]:
    """The window of starts the `start` terms leave (each narrows it), and whether any was
    given; refused when wider than LONGEST_WINDOW."""
    low: datetime | None = None
    high: datetime | None = None
    for term in terms:
        if len(term.values) != 1:
            raise refuse(term.key, "Give one date per `start` (repeat it for a window).")
        value = term.values[0]
        prefix = value[:2] if value[:2] in DATE_PREFIXES else "eq"
        begins, ends = date_range(term.key, value.removeprefix(prefix), context.zone)
        if prefix == "ne":
            raise refuse(term.key, "`ne` is not supported on `start`: give a window.")
        if prefix in {"eq", "ge", "gt", "sa"}:
            bound = begins if prefix in {"eq", "ge"} else ends
            low = bound if low is None else max(low, bound)
        if prefix in {"eq", "le", "lt", "eb"}:
            bound = ends if prefix in {"eq", "le"} else begins
            high = bound if high is None else min(high, bound)
    now = datetime.now(UTC)
    low = max(low or now, now)
    high = high or low + DEFAULT_WINDOW
    if high - low > LONGEST_WINDOW:
        raise serializers.ValidationError(
            {"start": [f"A window of at most {LONGEST_WINDOW.days} days of starts."]},
            code=SchedulingCode.WINDOW_TOO_LONG,
        )
    return low, high, bool(terms)


def _schedules(terms: list[SearchTerm]) -> set[uuid.UUID] | None:
    """The schedules every `schedule` term allows (None: no term, every schedule)."""
    allowed: set[uuid.UUID] | None = None
    for term in terms:
        named = set()
        for value in term.values:
            kind, key = referenced(value)
            if key is not None and kind in {None, "Schedule"}:
                named.add(key)
        allowed = named if allowed is None else allowed & named
    return allowed


def _appointment_type(user: User, terms: list[SearchTerm]) -> AppointmentType:
    types = appointment_type_list(user=user).filter(is_active=True)
    if not terms:
        found = types.filter(default_for=VisitKind.REGULAR_VISIT).first()
        if found is None:
            raise refuse(
                "service-type",
                "The clinic has no default type for a regular visit: name the appointment "
                "type (`service-type=<its id>`).",
            )
        return found
    if len(terms) > 1 or len(terms[0].values) > 1:
        raise refuse("service-type", "Give one appointment type.")
    system, bar, code = terms[0].values[0].rpartition("|")
    try:
        key = uuid.UUID(code)
    except ValueError:
        key = None
    found = types.filter(pk=key).first() if key and system in {"", APPOINTMENT_TYPE} else None
    if found is None:
        raise refuse(terms[0].key, "Not one of the clinic's appointment types in use.")
    return found


def _wants_free(terms: list[SearchTerm]) -> bool:
    for term in terms:
        codes = {value.rpartition("|")[2] for value in term.values}
        systems = {value.rpartition("|")[0] for value in term.values} - {""}
        if "free" not in codes or systems - {SLOT_STATUS}:
            return False
    return True


def _named_slots(user: User, ids: list[str]) -> list[tuple[uuid.UUID, datetime, int, int]]:
    """The slots named by id that are still free, as (schedule, start, minutes, buffer)."""
    parsed = [found for found in (_parsed(text) for text in ids) if found is not None]
    working = set(_chiropractors(user, {schedule for schedule, *_ in parsed}))
    return [
        slot
        for slot in parsed
        if slot[0] in working
        and time_is_free(
            clinic=user.staff_clinic,
            chiropractor_id=slot[0],
            start=slot[1],
            duration=timedelta(minutes=slot[2]),
            buffer=timedelta(minutes=slot[3]),
        )
    ]


def find_slots(user: User, terms: list[SearchTerm], context: SearchContext) -> list[dict]:
    by_name: dict[str, list[SearchTerm]] = {}
    for term in terms:
        by_name.setdefault(term.name, []).append(term)
    if not _wants_free(by_name.get("status", [])):
        return []
    low, high, bounded = _window(by_name.get("start", []), context)
    schedules = _schedules(by_name.get("schedule", []))
    if "_id" in by_name:
        named = [value for term in by_name["_id"] for value in term.values]
        slots = _named_slots(user, named)
        for term in by_name["_id"][1:]:  # each occurrence must name the slot too
            kept = {_parsed(value) for value in term.values}
            slots = [slot for slot in slots if slot in kept]
        if "service-type" in by_name:
            kind = _appointment_type(user, by_name["service-type"])
            sized = (kind.duration_minutes, kind.buffer_after_minutes)
            slots = [slot for slot in slots if (slot[2], slot[3]) == sized]
        found = {
            slot
            for slot in slots
            if (schedules is None or slot[0] in schedules)
            and (not bounded or low <= slot[1] < high)
        }
        ordered = sorted(found, key=lambda slot: (slot[1], str(slot[0])))
        return [slot_resource(*slot) for slot in ordered]
    kind = _appointment_type(user, by_name.get("service-type", []))
    chiropractors = _chiropractors(user, schedules)
    if high <= low or not chiropractors:
        return []
    minutes = kind.duration_minutes
    # A slot starting before the window's end may end after it.
    times: list[FreeTime] = free_times(
        clinic=user.staff_clinic,
        appointment_type=kind,
        chiropractor_ids=chiropractors,
        window=Interval(low, high + timedelta(minutes=minutes)),
    )
    return [
        slot_resource(free.chiropractor_id, free.start, minutes, kind.buffer_after_minutes)
        for free in times
        if free.start < high
    ]


def _parsed(text: str) -> tuple[uuid.UUID, datetime, int, int] | None:
    found = SLOT_ID.match(text)
    if found is None:
        return None
    try:
        schedule = uuid.UUID(found["schedule"])
        start = datetime.strptime(found["start"], START_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    minutes, buffer = int(found["minutes"]), int(found["buffer"])
    # The lengths an appointment type may have (scheduling.models.AppointmentType).
    if not (5 <= minutes <= 240 and buffer <= 120):
        return None
    return schedule, start, minutes, buffer


def read_slot(user: User, text: str) -> dict | None:
    slots = _named_slots(user, [text])
    return slot_resource(*slots[0]) if slots else None


def slot_position(slot: dict) -> str:
    return f"{slot['start']} {slot['schedule']['reference']}"


SLOT = ComputedKind(
    name="Slot",
    summary="Free times (status free) of the chiropractors' Schedules, computed on request "
    "from working hours, time off, extra hours, bookings and buffers, for one appointment "
    "type; a search covers at most 31 days of starts (7 from now by default).",
    find=find_slots,
    read=read_slot,
    position=slot_position,
    readers=AppointmentPermission.read_roles,
    audit_resource="available_time",
    search={
        "schedule": SearchParameter(
            "`Schedule/<id>` (a chiropractor's); without it, every chiropractor's.",
            type="reference",
        ),
        "start": SearchParameter(
            "The window of starts, by FHIR's prefixes (`ge2026-12-14`, `lt2026-12-21`; a "
            "date alone is that day): at most 31 days; from now, 7 days, by default.",
            type="date",
        ),
        "service-type": SearchParameter(
            "The appointment type to fit (`<id>` or "
            f"`{APPOINTMENT_TYPE}|<id>`, as Appointment.serviceType carries it): its length, "
            "buffer, step and notice. Default: the clinic's type for a regular visit.",
            type="token",
        ),
        "status": SearchParameter("Only `free` slots are served.", type="token"),
        "_id": SearchParameter("The slot's id: it is served while still free.", type="token"),
    },
)
