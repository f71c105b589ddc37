"""Writes to the calendar: appointment types, working hours, exceptions, and appointments
booked, moved and closed without ever double-booking a chiropractor."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar, Unpack
from zoneinfo import ZoneInfo

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Manager, Model, OuterRef, Q, QuerySet
from django.db.models.functions import JSONObject
from django.utils import timezone

from api.error_codes import ApiCode
from api.errors import Conflict, field_error
from api.roles import Role
from clinics.models import Clinic, User
from clinics.services import check_active_chiropractor
from patients.rules import ensure_patient_active
from scheduling import availability, care_series, feed
from scheduling.error_codes import SchedulingCode
from scheduling.inputs import (
    AppointmentFields,
    AppointmentTypeFields,
    ScheduleExceptionFields,
    WaitlistEntryFields,
    WorkingHoursFields,
)
from scheduling.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    CalendarFeed,
    ExceptionKind,
    ScheduleException,
    VisitKind,
    WaitlistEntry,
    WaitlistStatus,
    WorkingHours,
)
from scheduling.transitions import APPOINTMENT_STATUS_MACHINE, MOVABLE_STATUSES
from treatments.models import PlanStatus, TreatmentPlan, Visit
from treatments.visits import services as visit_services
from treatments.visits.inputs import VisitFields

# Roles that may book outside a chiropractor's working hours (the front desk asks them).
OVERRIDE_ROLES = frozenset({Role.CHIROPRACTOR, Role.CLINIC_ADMIN})
LONGEST_APPOINTMENT = timedelta(hours=24)
# An exception starts at most this long ago (a repeating one is expanded from its start).
EARLIEST_EXCEPTION = timedelta(days=3653)
LONGEST_REPEATING_EXCEPTION = timedelta(days=31)


def _check_own_schedule(chiropractor: User, by: User) -> None:
    """A chiropractor keeps their own hours; a clinic admin keeps everyone's."""
    if by.role != Role.CLINIC_ADMIN and chiropractor.pk != by.pk:
        raise PermissionDenied("A chiropractor manages only their own hours and time off.")


def zone_of(clinic: Clinic) -> ZoneInfo:
    return ZoneInfo(clinic.time_zone)


# Appointment types ------------------------------------------------------------------------


@transaction.atomic
def appointment_type_create(
    *, clinic: Clinic, **fields: Unpack[AppointmentTypeFields]
) -> AppointmentType:
    appointment_type = AppointmentType(clinic=clinic, **fields)
    appointment_type.full_clean()
    appointment_type.save()
    return appointment_type


@transaction.atomic
def appointment_type_update(
    *, appointment_type: AppointmentType, **changes: Unpack[AppointmentTypeFields]
) -> AppointmentType:
    for field, value in changes.items():
        setattr(appointment_type, field, value)
    appointment_type.full_clean()
    appointment_type.save()
    return appointment_type


def appointment_type_deactivate(*, appointment_type: AppointmentType) -> AppointmentType:
    """What DELETE does: the type is no longer offered; its appointments keep it."""
    if appointment_type.is_active:
        appointment_type.is_active = False
        appointment_type.save(update_fields=["is_active", "updated_at"])
    return appointment_type


# Working hours and exceptions -------------------------------------------------------------


def _check_no_overlapping_hours(hours: WorkingHours) -> None:
    others = WorkingHours.objects.filter(
        clinic_id=hours.clinic_id,
        chiropractor_id=hours.chiropractor_id,
        weekday=hours.weekday,
        start_time__lt=hours.end_time,
        end_time__gt=hours.start_time,
    ).exclude(pk=hours.pk)
    for other in others:
        if _validity_overlaps(hours, other):
            raise field_error(
                "start_time",
                f"Overlaps the hours {other} of the same chiropractor; change or remove those.",
                SchedulingCode.WORKING_HOURS_OVERLAP,
            )


def _validity_overlaps(one: WorkingHours, other: WorkingHours) -> bool:
    return (
        one.valid_until is None or other.valid_from is None or other.valid_from <= one.valid_until
    ) and (
        other.valid_until is None or one.valid_from is None or one.valid_from <= other.valid_until
    )


def _lock_schedule(chiropractor_id: uuid.UUID) -> None:
    """Serialise every write to one chiropractor's calendar (the same lock as the database's
    overlap trigger takes): a check and the write it allows are never raced."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('scheduling:' || %s::text, 0))",
            [str(chiropractor_id)],
        )


@transaction.atomic
def working_hours_create(
    *, clinic: Clinic, by: User, **fields: Unpack[WorkingHoursFields]
) -> WorkingHours:
    hours = WorkingHours(clinic=clinic, **fields)
    check_active_chiropractor(hours.chiropractor, clinic.pk)
    _check_own_schedule(hours.chiropractor, by)
    _lock_schedule(hours.chiropractor_id)
    hours.full_clean()
    _check_no_overlapping_hours(hours)
    hours.save()
    return hours


@transaction.atomic
def working_hours_update(
    *, hours: WorkingHours, by: User, **changes: Unpack[WorkingHoursFields]
) -> WorkingHours:
    _check_own_schedule(hours.chiropractor, by)
    for field, value in changes.items():
        setattr(hours, field, value)
    check_active_chiropractor(hours.chiropractor, hours.clinic_id)
    _check_own_schedule(hours.chiropractor, by)
    _lock_schedule(hours.chiropractor_id)
    hours.full_clean()
    _check_no_overlapping_hours(hours)
    hours.save()
    return hours


def working_hours_remove(*, hours: WorkingHours, by: User) -> WorkingHours:
    """What DELETE does: the range stops counting; its row (and history) stays."""
    _check_own_schedule(hours.chiropractor, by)
    hours.removed_at = timezone.now()
    hours.save(update_fields=["removed_at", "updated_at"])
    return hours


def _check_exception(exception: ScheduleException, zone: ZoneInfo) -> None:
    exception.full_clean()
    if exception.start_at < timezone.now() - EARLIEST_EXCEPTION:
        raise field_error("start_at", "Start within the last ten years.", ApiCode.OUT_OF_RANGE)
    if exception.recurrence:
        if exception.end_at - exception.start_at > LONGEST_REPEATING_EXCEPTION:
            raise field_error(
                "end_at", "A repeating exception lasts at most 31 days each time.", ApiCode.TOO_LONG
            )
        local_start = exception.start_at.astimezone(zone)
        problem = availability.recurrence_problem(exception.recurrence, local_start)
        if problem is not None:
            raise field_error("recurrence", problem, SchedulingCode.INVALID_RECURRENCE)
    try:
        exception.last_ends_at = availability.last_end(
            exception.start_at, exception.end_at, exception.recurrence, zone
        )
    except (ValueError, IndexError, OverflowError) as error:
        raise field_error(
            "recurrence",
            f"The rule's last occurrence cannot be worked out: {error}.",
            SchedulingCode.INVALID_RECURRENCE,
        ) from error


@transaction.atomic
def schedule_exception_create(
    *, clinic: Clinic, by: User, **fields: Unpack[ScheduleExceptionFields]
) -> ScheduleException:
    exception = ScheduleException(clinic=clinic, created_by=by, **fields)
    check_active_chiropractor(exception.chiropractor, clinic.pk)
    _check_own_schedule(exception.chiropractor, by)
    _check_exception(exception, zone_of(clinic))
    exception.save()
    return exception


@transaction.atomic
def schedule_exception_update(
    *, exception: ScheduleException, by: User, **changes: Unpack[ScheduleExceptionFields]
) -> ScheduleException:
    _check_own_schedule(exception.chiropractor, by)
    for field, value in changes.items():
        setattr(exception, field, value)
    check_active_chiropractor(exception.chiropractor, exception.clinic_id)
    _check_own_schedule(exception.chiropractor, by)
    _check_exception(exception, zone_of(exception.clinic))
    exception.save()
    return exception


def schedule_exception_remove(*, exception: ScheduleException, by: User) -> ScheduleException:
    _check_own_schedule(exception.chiropractor, by)
    exception.removed_at = timezone.now()
    exception.save(update_fields=["removed_at", "updated_at"])
    return exception


# Reading a chiropractor's calendar --------------------------------------------------------


@dataclass
class Calendar:
    """What decides when chiropractors are free in a window: their hours, exceptions and
    holding appointments, read in three queries whatever their number."""

    hours: dict[uuid.UUID, list[availability.WeeklyRange]]
    exceptions: dict[uuid.UUID, list[availability.DatedException]]
    booked: dict[uuid.UUID, list[availability.Booked]]

    def working(
        self, chiropractor_id: uuid.UUID, window: availability.Interval, zone: ZoneInfo
    ) -> list[availability.Interval]:
        try:
            return availability.working_time(
                self.hours.get(chiropractor_id, []),
                self.exceptions.get(chiropractor_id, []),
                window,
                zone,
            )
        except availability.UnusableRule as error:
            raise Conflict(
                f"A schedule exception of this chiropractor has a repeat rule that cannot be "
                f"used ({error}); change or remove it.",
                code=SchedulingCode.UNUSABLE_RECURRENCE,
            ) from error


def calendar_read(
    *,
    clinic_id: uuid.UUID,
    chiropractor_ids: list[uuid.UUID] | None,
    window: availability.Interval,
    ignore: uuid.UUID | None = None,
) -> Calendar:
    """The calendars of these chiropractors (None: every active chiropractor of the clinic)
    in one statement: each chiropractor's row with their hours, the exceptions that reach the
    window and the holding appointments around it, as arrays of JSON objects."""
    appointments = Appointment.objects.filter(
        clinic_id=clinic_id,
        chiropractor_id=OuterRef("pk"),
        status__in=HOLDING_STATUSES,
        start_at__lt=window.end + timedelta(hours=2),
        start_at__gt=window.start - LONGEST_APPOINTMENT - timedelta(hours=2),
    )
    if ignore is not None:
        appointments = appointments.exclude(pk=ignore)
    if chiropractor_ids is None:
        chiropractors = User.objects.filter(
            clinic_id=clinic_id, role=Role.CHIROPRACTOR, is_active=True
        )
    else:
        chiropractors = User.objects.filter(clinic_id=clinic_id, pk__in=chiropractor_ids)
    rows = (
        chiropractors.order_by("pk")
        .annotate(
            hours=ArraySubquery(
                WorkingHours.objects.filter(clinic_id=clinic_id, chiropractor_id=OuterRef("pk"))
                .order_by("weekday", "start_time")
                .values(
                    json=JSONObject(
                        weekday="weekday",
                        start="start_time",
                        end="end_time",
                        valid_from="valid_from",
                        valid_until="valid_until",
                    )
                )
            ),
            exceptions=ArraySubquery(
                ScheduleException.objects.filter(
                    clinic_id=clinic_id, chiropractor_id=OuterRef("pk"), start_at__lt=window.end
                )
                .exclude(last_ends_at__lte=window.start)
                .order_by("start_at")
                .values(
                    json=JSONObject(
                        start="start_at", end="end_at", kind="kind", recurrence="recurrence"
                    )
                )
            ),
            booked=ArraySubquery(
                appointments.order_by("start_at").values(
                    json=JSONObject(start="start_at", end="end_at", buffer="buffer_after_minutes")
                )
            ),
        )
        .values_list("pk", "hours", "exceptions", "booked")
    )
    calendar = Calendar({}, {}, {})
    for pk, hours, exceptions, booked in rows:
        calendar.hours[pk] = [
            availability.WeeklyRange(
                row["weekday"],
                time.fromisoformat(row["start"]),
                time.fromisoformat(row["end"]),
                _date_or_none(row["valid_from"]),
                _date_or_none(row["valid_until"]),
            )
            for row in hours
        ]
        calendar.exceptions[pk] = [
            availability.DatedException(
                _instant(row["start"]),
                _instant(row["end"]),
                row["kind"] == ExceptionKind.EXTRA_HOURS,
                row["recurrence"],
            )
            for row in exceptions
        ]
        calendar.booked[pk] = [
            availability.Booked(
                _instant(row["start"]), _instant(row["end"]), timedelta(minutes=row["buffer"])
            )
            for row in booked
        ]
    return calendar


@dataclass(frozen=True)
class FreeTime:
    """A time a chiropractor can be booked for an appointment type: its span (UTC)."""

    chiropractor_id: uuid.UUID
    start: datetime
    end: datetime


def free_times(
    *,
    clinic: Clinic,
    appointment_type: AppointmentType,
    chiropractor_ids: list[uuid.UUID] | None,
    window: availability.Interval,
) -> list[FreeTime]:
    """The free times for `appointment_type` within `window`, of these chiropractors (None:
    every active chiropractor of the clinic), by start and chiropractor: working hours,
    exceptions, booked appointments and their buffers, the type's step and minimum notice."""
    zone = zone_of(clinic)
    # Working time is read from the start of the window's first day, so that times step
    # from the start of working hours (09:00, 09:15…) and not from the window's own start
    # (now, 14:20:58.575): `not_before` keeps what lies before the window out.
    window_start = window.start
    day_start = datetime.combine(window.start.astimezone(zone).date(), time(0), tzinfo=zone)
    window = availability.Interval(min(day_start, window.start), window.end)
    calendar = calendar_read(clinic_id=clinic.pk, chiropractor_ids=chiropractor_ids, window=window)
    duration = timedelta(minutes=appointment_type.duration_minutes)
    not_before = max(
        window_start,
        timezone.now() + timedelta(minutes=appointment_type.minimum_notice_minutes),
    )
    times = [
        FreeTime(chiropractor, start, start + duration)
        for chiropractor in calendar.hours
        for start in availability.free_starts(
            working=calendar.working(chiropractor, window, zone),
            booked=calendar.booked[chiropractor],
            duration=duration,
            buffer=timedelta(minutes=appointment_type.buffer_after_minutes),
            step=timedelta(minutes=appointment_type.slot_step_minutes),
            not_before=not_before,
        )
    ]
    times.sort(key=lambda free: (free.start, str(free.chiropractor_id)))
    return times


def time_is_free(
    *,
    clinic: Clinic,
    chiropractor_id: uuid.UUID,
    start: datetime,
    duration: timedelta,
    buffer: timedelta,
) -> bool:
    """Whether the chiropractor can still be booked at `start` for `duration`, with `buffer`
    after it, as free_times would offer it: not past, within working time, clear of every
    holding appointment and its buffer."""
    if start < timezone.now():
        return False
    window = availability.Interval(start, start + duration + buffer)
    calendar = calendar_read(clinic_id=clinic.pk, chiropractor_ids=[chiropractor_id], window=window)
    if chiropractor_id not in calendar.hours:
        return False
    occupancy = availability.Occupancy(
        calendar.working(chiropractor_id, window, zone_of(clinic)),
        calendar.booked[chiropractor_id],
    )
    return occupancy.fits(start, duration=duration, buffer=buffer)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _date_or_none(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# Appointments -----------------------------------------------------------------------------


def _check_bookable(appointment: Appointment, *, by: User, override: bool) -> None:
    """Refuse what would double-book or fall outside working hours (unless overridden)."""
    if override and by.role not in OVERRIDE_ROLES:
        raise PermissionDenied(
            "Only a chiropractor or a clinic admin may book outside working hours."
        )
    _lock_schedule(appointment.chiropractor_id)
    new = availability.Interval(appointment.start_at, appointment.end_at)
    buffer = timedelta(minutes=appointment.buffer_after_minutes)
    window = availability.Interval(new.start - timedelta(hours=1), new.end + buffer)
    calendar = calendar_read(
        clinic_id=appointment.clinic_id,
        chiropractor_ids=[appointment.chiropractor_id],
        window=window,
        ignore=appointment.pk,
    )
    into_buffer = False
    for held in calendar.booked[appointment.chiropractor_id]:
        if new.overlaps(availability.Interval(held.start, held.end)):
            raise Conflict(
                "The chiropractor already has an appointment at that time.",
                code=SchedulingCode.APPOINTMENT_OVERLAPS,
            )
        into_buffer = into_buffer or (
            availability.Interval(new.start, new.end + buffer).overlaps(
                availability.Interval(held.start, held.end)
            )
            or new.overlaps(availability.Interval(held.end, held.end + held.buffer))
        )
    if into_buffer and not override:
        raise Conflict(
            "The time between this appointment and another is shorter than their buffers; "
            "choose another time, or book with `override`.",
            code=SchedulingCode.BUFFER_OVERLAPS,
        )
    zone = zone_of(appointment.clinic)
    working = calendar.working(appointment.chiropractor_id, new, zone)
    inside = any(span.start <= new.start and new.end <= span.end for span in working)
    if not inside and not override:
        raise Conflict(
            "The time is outside the chiropractor's working hours; choose another time, or "
            "book with `override`.",
            code=SchedulingCode.OUTSIDE_WORKING_HOURS,
        )
    appointment.booked_by_override = into_buffer or not inside


def _check_references(appointment: Appointment) -> None:
    patient = appointment.patient
    ensure_patient_active(patient)
    check_active_chiropractor(appointment.chiropractor, appointment.clinic_id)
    if not appointment.appointment_type.is_active:
        raise field_error(
            "appointment_type",
            "This appointment type is no longer offered.",
            SchedulingCode.INACTIVE_TYPE,
        )
    plan: TreatmentPlan | None = appointment.plan
    if plan is not None:
        if plan.patient_id != appointment.patient_id:
            raise field_error(
                "plan", "The plan is another patient's.", SchedulingCode.PLAN_OF_ANOTHER_PATIENT
            )
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.ON_HOLD):
            raise Conflict(f"The plan is {plan.status}.", code=SchedulingCode.PLAN_CLOSED)


def _place(appointment: Appointment) -> None:
    """Its end and buffer from its type."""
    appointment_type = appointment.appointment_type
    appointment.end_at = appointment.start_at + timedelta(minutes=appointment_type.duration_minutes)
    appointment.buffer_after_minutes = appointment_type.buffer_after_minutes


def _refuse_past(start_at: datetime) -> None:
    if start_at < timezone.now():
        raise field_error(
            "start_at", "The time has passed; book a time to come.", SchedulingCode.IN_THE_PAST
        )


@transaction.atomic
def appointment_book(
    *, clinic: Clinic, by: User, override: bool = False, **fields: Unpack[AppointmentFields]
) -> Appointment:
    """Book a time; `override` books it outside working hours or beyond the authorisation."""
    appointment = Appointment(clinic=clinic, booked_by=by, **fields)
    _check_references(appointment)
    _refuse_past(appointment.start_at)
    _place(appointment)
    _check_bookable(appointment, by=by, override=override)
    appointment.full_clean()
    appointment.save()
    return appointment


@transaction.atomic
def appointment_update(
    *,
    appointment: Appointment,
    by: User,
    override: bool = False,
    **changes: Unpack[AppointmentFields],
) -> Appointment:
    """Notes and plan change in place; a new time, chiropractor or type moves the appointment
    (booked ones only), checked as a new booking, and the move is counted."""
    moves = {"start_at", "chiropractor", "appointment_type"} & {
        field for field, value in changes.items() if getattr(appointment, field) != value
    }
    if moves and appointment.status not in MOVABLE_STATUSES:
        raise Conflict(
            f"An appointment that is {appointment.status.replace('_', '-')} cannot be moved.",
            code=SchedulingCode.APPOINTMENT_NOT_MOVABLE,
        )
    if "patient" in changes and changes["patient"] != appointment.patient:
        raise field_error(
            "patient", "Book a new appointment for another patient.", SchedulingCode.PATIENT_FIXED
        )
    for field, value in changes.items():
        setattr(appointment, field, value)
    _check_references(appointment)
    if moves:
        _refuse_past(appointment.start_at)
        _place(appointment)
        _check_bookable(appointment, by=by, override=override)
        appointment.times_moved += 1
    appointment.full_clean()
    appointment.save()
    return appointment


@transaction.atomic
def appointment_transition(
    *,
    appointment: Appointment,
    action: str,
    by: User,
    reason: str = "",
    note: str = "",
    visit: Visit | None = None,
) -> Appointment:
    """Move an appointment along its status machine (scheduling.transitions): a cancellation
    gives its `reason` (and a `note`), a completion the `visit` it led to."""
    appointment.status = APPOINTMENT_STATUS_MACHINE.target_status(
        status=appointment.status, action=action
    )
    appointment.status_changed_at = timezone.now()
    if action == "cancel":
        appointment.cancellation_reason = reason
        appointment.cancellation_note = note
        appointment.cancelled_by = by
        appointment.cancelled_at = appointment.status_changed_at
    elif action == "complete":
        if visit is None:
            raise field_error("visit", "Name the visit the appointment led to.", ApiCode.REQUIRED)
        if visit.patient_id != appointment.patient_id:
            raise field_error(
                "visit", "The visit is another patient's.", SchedulingCode.VISIT_OF_ANOTHER_PATIENT
            )
        appointment.visit = visit
    appointment.full_clean()
    appointment.save()
    return appointment


# A care plan onto the calendar ------------------------------------------------------------

SERIES_ALTERNATIVES = 3
SCHEDULABLE_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.ON_HOLD)


@dataclass
class SeriesVisit:
    """One visit of a plan's series: where it goes, or why it cannot and what is free near."""

    number: int
    reexamination: bool
    appointment_type: AppointmentType
    start_at: datetime | None
    end_at: datetime | None
    alternatives: list[datetime]
    appointment: Appointment | None = None

    @property
    def status(self) -> str:
        if self.appointment is not None:
            return "booked"
        return "free" if self.start_at is not None else "conflict"


@dataclass
class Series:
    plan: TreatmentPlan
    chiropractor: User
    confirmed: bool
    already_booked: int
    visits: list[SeriesVisit]
    time_zone: str


def _series_types(
    plan: TreatmentPlan,
    appointment_type: AppointmentType | None,
    reexamination_type: AppointmentType | None,
) -> tuple[AppointmentType, AppointmentType]:
    defaults = {
        kind.default_for: kind
        for kind in AppointmentType.objects.filter(
            clinic_id=plan.clinic_id,
            default_for__in=[VisitKind.REGULAR_VISIT, VisitKind.REEXAMINATION],
            is_active=True,
        )
    }
    regular = appointment_type or defaults.get(VisitKind.REGULAR_VISIT)
    if regular is None:
        raise field_error(
            "appointment_type",
            "Choose the appointment type: the clinic has no default for regular visits.",
            ApiCode.REQUIRED,
        )
    reexamination = reexamination_type or defaults.get(VisitKind.REEXAMINATION) or regular
    for field, kind in (("appointment_type", regular), ("reexamination_type", reexamination)):
        if not kind.is_active:
            raise field_error(
                field, "This appointment type is no longer offered.", SchedulingCode.INACTIVE_TYPE
            )
    return regular, reexamination


@dataclass(frozen=True)
class _SoFar:
    """The plan's visits that hold a time already."""

    count: int
    last_day: date | None
    last_reexamination: date | None
    visits_since_reexamination: int


def _booked_so_far(
    plan: TreatmentPlan, reexamination_type: AppointmentType, regular_type: AppointmentType
) -> _SoFar:
    """Re-examinations among them are the appointments of the series' re-examination type
    when it is the clinic's re-examination type (not the regular type standing in for it)."""
    zone = zone_of(plan.clinic)
    held = list(
        Appointment.objects.filter(plan=plan, status__in=HOLDING_STATUSES)
        .order_by("start_at")
        .values_list("start_at", "appointment_type_id", "appointment_type__default_for")
    )
    last_reexamination, since = None, 0
    for start_at, type_id, kind in held:
        since += 1
        if kind == VisitKind.REEXAMINATION or (
            type_id == reexamination_type.pk and reexamination_type.pk != regular_type.pk
        ):
            last_reexamination, since = start_at.astimezone(zone).date(), 0
    last_day = held[-1][0].astimezone(zone).date() if held else None
    return _SoFar(len(held), last_day, last_reexamination, since)


def _clinic_today(clinic: Clinic) -> date:
    return timezone.now().astimezone(zone_of(clinic)).date()


def _nearest(free: list[datetime], wanted: datetime) -> list[datetime]:
    return sorted(free, key=lambda start: (abs(start - wanted), start))[:SERIES_ALTERNATIVES]


# No savepoint of its own: a failure anywhere rolls back the whole (request) transaction, and
# alone it is a transaction of its own all the same.
@transaction.atomic(savepoint=False)
def plan_schedule(
    *,
    plan: TreatmentPlan,
    by: User,
    weekdays: list[int],
    times: list[time],
    chiropractor: User | None = None,
    start_date: date | None = None,
    appointment_type: AppointmentType | None = None,
    reexamination_type: AppointmentType | None = None,
    confirm: bool = False,
    skip_conflicts: bool = False,
) -> Series:
    """Expand the plan's stages into dated visits at the preferred weekdays and times, with
    its re-examinations; propose each, or the conflict and the nearest free times. With
    `confirm`, book them in this one transaction: all, or (with `skip_conflicts`) the free
    ones; otherwise none. Visits already booked for the plan are not proposed again."""
    if plan.status not in SCHEDULABLE_PLAN_STATUSES:
        raise Conflict(
            f"The plan is {plan.status}; nothing is left to book.", code=SchedulingCode.PLAN_CLOSED
        )
    ensure_patient_active(plan.patient)
    chiropractor = chiropractor or plan.chiropractor
    check_active_chiropractor(chiropractor, plan.clinic_id)
    busiest = max(stage.visits_per_week for stage in plan.stages)
    if len(set(weekdays)) < busiest:
        raise field_error(
            "weekdays",
            f"The plan has up to {busiest} visits a week; give at least {busiest} weekdays.",
            SchedulingCode.TOO_FEW_WEEKDAYS,
        )
    regular, reexamination = _series_types(plan, appointment_type, reexamination_type)
    if confirm:
        # Two confirmations of one plan take turns (they may name different chiropractors),
        # then the chiropractor's calendar is locked as for any booking.
        TreatmentPlan.objects.select_for_update(no_key=True).filter(pk=plan.pk).exists()
        _lock_schedule(chiropractor.pk)
    so_far = _booked_so_far(plan, reexamination, regular)
    today = _clinic_today(plan.clinic)
    after_booked = so_far.last_day + timedelta(days=1) if so_far.last_day else today
    start = start_date or max(plan.start_date, today, after_booked)
    if start < today:
        raise field_error(
            "start_date", "The series cannot start in the past.", SchedulingCode.IN_THE_PAST
        )
    planned = care_series.with_reexaminations(
        care_series.series_days(
            start=start, stages=plan.stages, weekdays=weekdays, already=so_far.count
        ),
        every_visits=plan.reexam_interval_visits,
        every_days=plan.reexam_interval_days,
        last_reexamination=so_far.last_reexamination or plan.start_date,
        visits_since=so_far.visits_since_reexamination,
    )
    visits = _place_series(plan, chiropractor, planned, times, regular, reexamination)
    if confirm:
        conflicts = [visit.number for visit in visits if visit.start_at is None]
        if conflicts and not skip_conflicts:
            raise Conflict(
                f"Visits {', '.join(map(str, conflicts))} have no free time at the preferred "
                "times; nothing was booked. Preview the series, or confirm with "
                "`skip_conflicts`.",
                code=SchedulingCode.SERIES_CONFLICTS,
            )
        _book_series(plan, chiropractor, by, visits)
    return Series(plan, chiropractor, confirm, so_far.count, visits, plan.clinic.time_zone)


def _place_series(
    plan: TreatmentPlan,
    chiropractor: User,
    planned: list[care_series.PlannedVisit],
    times: list,
    regular: AppointmentType,
    reexamination: AppointmentType,
) -> list[SeriesVisit]:
    if not planned:
        return []
    zone = zone_of(plan.clinic)
    window = availability.Interval(
        availability.wall_clock(planned[0].day - timedelta(days=1), datetime.min.time(), zone),
        availability.wall_clock(planned[-1].day + timedelta(days=2), datetime.min.time(), zone),
    )
    calendar = calendar_read(
        clinic_id=plan.clinic_id, chiropractor_ids=[chiropractor.pk], window=window
    )
    working = calendar.working(chiropractor.pk, window, zone)
    booked = calendar.booked[chiropractor.pk]
    occupancy = availability.Occupancy(working, booked)
    now = timezone.now()
    visits = []
    for visit in planned:
        kind = reexamination if visit.reexamination else regular
        duration = timedelta(minutes=kind.duration_minutes)
        buffer = timedelta(minutes=kind.buffer_after_minutes)
        start_at = None
        for at in times:
            wanted = availability.wall_clock(visit.day, at, zone)
            if wanted > now and occupancy.fits(wanted, duration=duration, buffer=buffer):
                start_at = wanted
                break
        alternatives: list[datetime] = []
        if start_at is None:
            wanted = availability.wall_clock(visit.day, times[0], zone)
            alternatives = _nearest(
                occupancy.starts(
                    availability.Interval(wanted - timedelta(days=1), wanted + timedelta(days=1)),
                    duration=duration,
                    buffer=buffer,
                    step=timedelta(minutes=kind.slot_step_minutes),
                    not_before=now,
                ),
                wanted,
            )
        else:
            occupancy.add(availability.Booked(start_at, start_at + duration, buffer))
        visits.append(
            SeriesVisit(
                visit.number,
                visit.reexamination,
                kind,
                start_at,
                start_at + duration if start_at else None,
                alternatives,
            )
        )
    return visits


def _book_series(
    plan: TreatmentPlan, chiropractor: User, by: User, visits: list[SeriesVisit]
) -> None:
    # A visit placed has its start and its end; one in conflict has neither.
    placed = [
        (visit, visit.start_at, visit.end_at)
        for visit in visits
        if visit.start_at is not None and visit.end_at is not None
    ]
    rows = [
        Appointment(
            clinic_id=plan.clinic_id,
            patient_id=plan.patient_id,
            chiropractor=chiropractor,
            appointment_type=visit.appointment_type,
            plan=plan,
            start_at=start_at,
            end_at=end_at,
            buffer_after_minutes=visit.appointment_type.buffer_after_minutes,
            booked_by=by,
        )
        for visit, start_at, end_at in placed
    ]
    Appointment.objects.bulk_create(rows)
    for (visit, _, _), row in zip(placed, rows, strict=True):
        visit.appointment = row


# A visit from an appointment ------------------------------------------------------------


_Item = TypeVar("_Item", bound=Model)


def _current_items(items: Manager[_Item]) -> QuerySet[_Item]:
    return items.filter(removed_at__isnull=True).order_by("position")


def planned_visit(appointment: Appointment) -> VisitFields:
    """The visit of `appointment`: its patient, now, and the (active) plan's current items to
    carry out, each taking what it plans from the planned item."""
    fields: VisitFields = {
        "patient": appointment.patient,
        "visit_at": timezone.now(),
        "is_reexamination": appointment.appointment_type.default_for == VisitKind.REEXAMINATION,
    }
    plan = appointment.plan
    if plan is not None and plan.status == PlanStatus.ACTIVE:
        fields["plan"] = plan
        fields["adjustments"] = [
            {"planned_item": item}
            for item in _current_items(plan.adjustments).select_related("technique")
        ]
        fields["soft_tissue"] = [
            {"planned_item": item} for item in _current_items(plan.soft_tissue)
        ]
        fields["exercises"] = [
            {"planned_item": item}
            for item in _current_items(plan.exercises).select_related("exercise")
        ]
    return fields


@transaction.atomic
def appointment_start_visit(*, appointment: Appointment, by: User) -> Visit:
    """Start the visit of an arrived appointment, with the plan's planned items, and close the
    appointment with it."""
    if appointment.status != AppointmentStatus.ARRIVED:
        raise Conflict(
            "Start the visit once the patient has arrived (the appointment is "
            f"{appointment.status.replace('_', '-')}).",
            code=SchedulingCode.APPOINTMENT_NOT_ARRIVED,
        )
    if by.pk != appointment.chiropractor_id:
        raise PermissionDenied("Only the appointment's chiropractor starts its visit.")
    visit = visit_services.visit_create(
        clinic=appointment.clinic, by=by, **planned_visit(appointment)
    )
    appointment_transition(appointment=appointment, action="complete", by=by, visit=visit)
    return visit


# The waitlist ---------------------------------------------------------------------------


def _refuse_withdrawing(fields: WaitlistEntryFields) -> None:
    if fields.get("status") == WaitlistStatus.WITHDRAWN:
        raise field_error(
            "status", "Withdraw an entry with DELETE.", SchedulingCode.USE_DELETE_TO_WITHDRAW
        )


def _check_waitlist_entry(entry: WaitlistEntry) -> None:
    ensure_patient_active(entry.patient)
    if entry.chiropractor is not None:
        check_active_chiropractor(entry.chiropractor, entry.clinic_id)
    if len(set(entry.weekdays)) != len(entry.weekdays):
        raise field_error("weekdays", "Name each weekday once.", ApiCode.DUPLICATE)
    entry.full_clean()


@transaction.atomic
def waitlist_add(
    *, clinic: Clinic, by: User, **fields: Unpack[WaitlistEntryFields]
) -> WaitlistEntry:
    _refuse_withdrawing(fields)
    entry = WaitlistEntry(clinic=clinic, created_by=by, **fields)
    _check_waitlist_entry(entry)
    entry.save()
    return entry


@transaction.atomic
def waitlist_update(
    *, entry: WaitlistEntry, **changes: Unpack[WaitlistEntryFields]
) -> WaitlistEntry:
    _refuse_withdrawing(changes)
    for field, value in changes.items():
        setattr(entry, field, value)
    _check_waitlist_entry(entry)
    entry.save()
    return entry


def waitlist_withdraw(*, entry: WaitlistEntry) -> WaitlistEntry:
    """What DELETE does: the patient no longer waits; the entry stays."""
    if entry.status == WaitlistStatus.WAITING:
        entry.status = WaitlistStatus.WITHDRAWN
        entry.save(update_fields=["status", "updated_at", "version"])
    return entry


def waitlist_matches(*, appointment: Appointment) -> QuerySet[WaitlistEntry]:
    """Who is waiting for the time a cancelled (or missed) appointment freed: the entries that
    take this chiropractor (or anyone), fit its length, and like its day and time of day,
    first come first."""
    if appointment.status not in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        raise Conflict(
            "Only a cancelled or missed appointment frees its time.",
            code=SchedulingCode.TIME_NOT_FREED,
        )
    zone = zone_of(appointment.clinic)
    start = appointment.start_at.astimezone(zone)
    end = appointment.end_at.astimezone(zone)
    minutes = (appointment.end_at - appointment.start_at).total_seconds() / 60
    return (
        WaitlistEntry.objects.filter(
            clinic_id=appointment.clinic_id,
            status=WaitlistStatus.WAITING,
            appointment_type__duration_minutes__lte=minutes,
        )
        .filter(Q(chiropractor__isnull=True) | Q(chiropractor_id=appointment.chiropractor_id))
        .filter(Q(weekdays=[]) | Q(weekdays__contains=[start.weekday()]))
        .filter(Q(earliest_time__isnull=True) | Q(earliest_time__lte=start.time()))
        .filter(Q(latest_time__isnull=True) | Q(latest_time__gte=end.time()))
        .filter(Q(from_date__isnull=True) | Q(from_date__lte=start.date()))
        .filter(Q(until_date__isnull=True) | Q(until_date__gte=start.date()))
        .exclude(patient_id=appointment.patient_id)
        .select_related("patient")
        .order_by("created_at")
    )


# The calendar feed ----------------------------------------------------------------------


def calendar_feed_revoke(*, user: User) -> int:
    """Revoke the user's active feed, if any: its URL stops answering."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def calendar_feed_create(*, user: User) -> tuple[CalendarFeed, str]:
    """A new feed for the user, revoking the one before; the secret is known only now."""
    calendar_feed_revoke(user=user)
    secret, digest = feed.new_secret()
    created = CalendarFeed.objects.create(
        clinic_id=user.staff_clinic_id, user=user, secret_digest=digest
    )
    return created, secret
