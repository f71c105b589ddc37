"""The calendar's representations: appointment types, working hours, exceptions, appointments
and the free times offered for booking."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.concurrency import VERSION_HELP
from api.roles import Role
from api.serializers import (
    BoundedDateField,
    CachedModelSerializer,
    ClinicScopedPrimaryKeyField,
    OffsetDateTimeField,
    QueryParametersSerializer,
    StrictModelSerializer,
    StrictSerializer,
)
from billing.selectors import CaseTerms, appointment_warnings
from billing.serializers import CodingWarningSerializer
from clinics.models import User
from patients.models import Patient
from scheduling import transitions
from scheduling.availability import local_time_exists
from scheduling.models import (
    Appointment,
    AppointmentType,
    CancellationReason,
    ScheduleException,
    WaitlistEntry,
    WorkingHours,
)
from scheduling.selectors import ListedAppointment
from treatments.models import TreatmentPlan, Visit

CHIROPRACTOR_ID = "8d7c6b5a-4f3e-2d1c-0b9a-887766554433"
PATIENT_ID = "5b0f1f8e-3c1d-4a55-9a63-0f4d2a8c9e11"
TYPE_ID = "3f1e2d3c-4b5a-4697-8877-665544332211"
STAMPS = {
    "created_at": "2026-11-20T15:00:00Z",
    "updated_at": "2026-11-20T15:00:00Z",
    "version": 1,
}


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        "example": "08:30",
    }
)
class WallClockTimeField(serializers.TimeField):
    """A time of day on the clinic's wall clock, without an offset: `08:30`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


def _chiropractor_field(help_text: str, **kwargs) -> ClinicScopedPrimaryKeyField:
    return ClinicScopedPrimaryKeyField(
        queryset=User.objects.filter(role=Role.CHIROPRACTOR), help_text=help_text, **kwargs
    )


def _clinic_zone(field: serializers.Field) -> ZoneInfo:
    request = field.context["request"]
    return ZoneInfo(request.user.clinic.time_zone)


class ClinicClockDateTimeField(OffsetDateTimeField):
    """A date-time whose wall-clock reading must exist on the clinic's clock: 02:30 on the
    spring-forward day, written with the offset before the change, names no time the
    clinic's clocks show (400 `nonexistent_local_time`)."""

    default_error_messages = {
        **OffsetDateTimeField.default_error_messages,
        "nonexistent_local_time": "The clinic's clocks skip {wall_clock} on that day "
        "(daylight saving time begins); choose a time before or after the change.",
    }

    def to_internal_value(self, value):
        instant = super().to_internal_value(value)
        given = parse_datetime(value.strip()) if isinstance(value, str) else None
        if given is not None and given.utcoffset():
            zone = _clinic_zone(self)
            if given.utcoffset() != instant.astimezone(zone).utcoffset() and not (
                local_time_exists(given, zone)
            ):
                self.fail("nonexistent_local_time", wall_clock=f"{given:%H:%M}")
        return instant


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A regular adjustment visit",
            value={
                "id": TYPE_ID,
                "name": "Adjustment visit",
                "duration_minutes": 15,
                "buffer_after_minutes": 5,
                "minimum_notice_minutes": 60,
                "slot_step_minutes": 15,
                "default_for": "regular_visit",
                "is_active": True,
                **STAMPS,
            },
        )
    ]
)
class AppointmentTypeSerializer(StrictModelSerializer):
    class Meta:
        model = AppointmentType
        fields = [
            "id",
            "name",
            "duration_minutes",
            "buffer_after_minutes",
            "minimum_notice_minutes",
            "slot_step_minutes",
            "default_for",
            "is_active",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["created_at", "updated_at", "version"]
        extra_kwargs = {
            "id": {"help_text": "The appointment type's identifier."},
            "name": {"help_text": "Name shown on the calendar, unique among active types."},
            "duration_minutes": {
                "help_text": "How long the appointment takes, 5–240 minutes.",
                "min_value": 5,
                "max_value": 240,
            },
            "buffer_after_minutes": {
                "help_text": "Time kept free after it (notes, room turnover), 0–120 minutes.",
                "min_value": 0,
                "max_value": 120,
            },
            "minimum_notice_minutes": {
                "help_text": "How far ahead free times are offered, 0–20,160 minutes (14 days).",
                "min_value": 0,
                "max_value": 20_160,
            },
            "slot_step_minutes": {
                "help_text": "Free start times are offered every this many minutes from the "
                "start of working hours, 5–120.",
                "min_value": 5,
                "max_value": 120,
            },
            "default_for": {
                "help_text": "The kind of visit this type is the clinic's default for; at most "
                "one active type per kind. Empty for none."
            },
            "is_active": {
                "help_text": "Offered for new bookings. DELETE sets it to false; nothing is "
                "deleted."
            },
            "created_at": {"help_text": "When the type was created."},
            "updated_at": {"help_text": "When it last changed."},
            "version": VERSION_HELP,
        }


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Monday mornings",
            value={
                "id": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
                "chiropractor": CHIROPRACTOR_ID,
                "weekday": 0,
                "start_time": "08:30",
                "end_time": "12:00",
                "valid_from": None,
                "valid_until": None,
                **STAMPS,
            },
        )
    ]
)
class WorkingHoursSerializer(StrictModelSerializer):
    chiropractor = _chiropractor_field("The chiropractor who works these hours.")
    start_time = WallClockTimeField(help_text="Start, on the clinic's wall clock (HH:MM).")
    end_time = WallClockTimeField(
        help_text="End, on the clinic's wall clock (HH:MM); after the start."
    )

    class Meta:
        model = WorkingHours
        fields = [
            "id",
            "chiropractor",
            "weekday",
            "start_time",
            "end_time",
            "valid_from",
            "valid_until",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["created_at", "updated_at", "version"]
        extra_kwargs = {
            "id": {"help_text": "The range's identifier."},
            "weekday": {"help_text": "Day of the week, 0 = Monday … 6 = Sunday."},
            "valid_from": {"help_text": "First day these hours apply; null: always did."},
            "valid_until": {"help_text": "Last day these hours apply; null: until changed."},
            "created_at": {"help_text": "When the range was added."},
            "updated_at": {"help_text": "When it last changed."},
            "version": VERSION_HELP,
        }


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Wednesday afternoons off",
            value={
                "id": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
                "chiropractor": CHIROPRACTOR_ID,
                "kind": "time_off",
                "start_at": "2026-12-02T13:00:00-05:00",
                "end_at": "2026-12-02T18:00:00-05:00",
                "recurrence": "FREQ=WEEKLY;BYDAY=WE;UNTIL=20270630T000000",
                "last_ends_at": "2027-06-23T22:00:00Z",
                "reason": "Teaching at the college",
                "created_by": CHIROPRACTOR_ID,
                **STAMPS,
            },
        )
    ]
)
class ScheduleExceptionSerializer(StrictModelSerializer):
    chiropractor = _chiropractor_field("The chiropractor the exception is for.")

    class Meta:
        model = ScheduleException
        fields = [
            "id",
            "chiropractor",
            "kind",
            "start_at",
            "end_at",
            "recurrence",
            "last_ends_at",
            "reason",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["last_ends_at", "created_by", "created_at", "updated_at", "version"]
        extra_kwargs = {
            "id": {"help_text": "The exception's identifier."},
            "kind": {
                "help_text": "`time_off` blocks the time; `extra_hours` opens it (a Saturday "
                "clinic). Time off wins where the two meet."
            },
            "start_at": {"help_text": "Start of the (first) occurrence."},
            "end_at": {"help_text": "End of the (first) occurrence; after the start."},
            "recurrence": {
                "help_text": "Empty for a one-off; else an RFC 5545 RRULE without DTSTART "
                "(`FREQ=WEEKLY;BYDAY=WE`), repeated on the clinic's wall clock. FREQ is DAILY, "
                "WEEKLY, MONTHLY or YEARLY; INTERVAL 1 to 100; COUNT 1 to 5000."
            },
            "last_ends_at": {
                "help_text": "When the last occurrence ends; null for a rule without end."
            },
            "reason": {"help_text": "Why, for the desk (holiday, course, meeting)."},
            "created_by": {"help_text": "Staff member who entered it."},
            "created_at": {"help_text": "When it was entered."},
            "updated_at": {"help_text": "When it last changed."},
            "version": VERSION_HELP,
        }


class AppointmentPatientSerializer(CachedModelSerializer):
    class Meta:
        model = Patient
        fields = ["id", "chart_number", "given_name", "family_name", "preferred_name", "phone"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The patient's identifier."},
            "chart_number": {"help_text": "Chart number (MRN)."},
            "given_name": {"help_text": "Given (first) name."},
            "family_name": {"help_text": "Family (last) name."},
            "preferred_name": {"help_text": "The name the patient likes to be called."},
            "phone": {"help_text": "Phone number, to call about the appointment."},
        }


# The status actions the appointment allows now, e.g. ["arrive", "cancel", "no-show"].
AppointmentActionsField = transitions.APPOINTMENT_STATUS_MACHINE.actions_field()


APPOINTMENT_EXAMPLE = {
    "id": "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a",
    "patient": PATIENT_ID,
    "patient_summary": {
        "id": PATIENT_ID,
        "chart_number": "000042",
        "given_name": "María",
        "family_name": "García",
        "preferred_name": "",
        "phone": "+16175550100",
    },
    "chiropractor": CHIROPRACTOR_ID,
    "appointment_type": TYPE_ID,
    "plan": None,
    "visit": None,
    "start_at": "2026-12-01T14:00:00Z",
    "end_at": "2026-12-01T14:15:00Z",
    "buffer_after_minutes": 5,
    "status": "booked",
    "allowed_actions": ["arrive", "complete", "cancel", "no-show"],
    "warnings": [],
    "status_changed_at": "2026-11-20T15:00:00Z",
    "desk_notes": "Prefers the first slot after lunch.",
    "booked_by_override": False,
    "cancellation_reason": "",
    "cancellation_note": "",
    "cancelled_by": None,
    "cancelled_at": None,
    "times_moved": 0,
    "booked_by": "4c3b2a19-0f8e-4d7c-9b6a-5e4d3c2b1a09",
    **STAMPS,
}


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Book a regular visit",
            value={
                "patient": PATIENT_ID,
                "chiropractor": CHIROPRACTOR_ID,
                "appointment_type": TYPE_ID,
                "start_at": "2026-12-01T09:00:00-05:00",
                "desk_notes": "Prefers the first slot after lunch.",
            },
            request_only=True,
        ),
        OpenApiExample("A booked visit", value=APPOINTMENT_EXAMPLE, response_only=True),
    ]
)
class AppointmentSerializer(StrictModelSerializer):
    patient = ClinicScopedPrimaryKeyField(
        queryset=Patient.objects.all(), help_text="The patient booked."
    )
    patient_summary = AppointmentPatientSerializer(
        source="patient", read_only=True, help_text="Who the patient is, for the calendar."
    )
    chiropractor = _chiropractor_field("The chiropractor the patient sees.")
    appointment_type = ClinicScopedPrimaryKeyField(
        queryset=AppointmentType.objects.all(),
        help_text="The appointment type; it sets the end and the buffer after.",
    )
    plan = ClinicScopedPrimaryKeyField(
        queryset=TreatmentPlan.objects.all(),
        required=False,
        allow_null=True,
        help_text="The patient's treatment plan this visit carries out, if any.",
    )
    start_at = ClinicClockDateTimeField(
        help_text="Start, with its UTC offset; not in the past. Moving a booked appointment "
        "means changing this (or the chiropractor or type)."
    )
    allowed_actions = AppointmentActionsField(
        source="status",
        help_text="Status actions allowed now (POST /appointments/{id}/{action}/).",
    )
    cancellation_reason = serializers.ChoiceField(
        choices=CancellationReason.choices,
        allow_blank=True,
        read_only=True,
        help_text="Why it was cancelled; empty unless cancelled.",
    )
    warnings = serializers.SerializerMethodField(
        help_text="Whether it goes beyond the authorisation of the case its plan is billed "
        "under: the visits used, the plan's open appointments before it and itself against the "
        "visits authorised, or a day outside the authorised dates. In lists too."
    )
    override = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Book or move outside working hours or into a buffer (chiropractors and "
        "clinic admins only; recorded as `booked_by_override`). Never allows an overlap.",
    )

    class Meta:
        model = Appointment
        fields = [
            "id",
            "patient",
            "patient_summary",
            "chiropractor",
            "appointment_type",
            "plan",
            "visit",
            "start_at",
            "end_at",
            "buffer_after_minutes",
            "status",
            "allowed_actions",
            "warnings",
            "status_changed_at",
            "desk_notes",
            "booked_by_override",
            "override",
            "cancellation_reason",
            "cancellation_note",
            "cancelled_by",
            "cancelled_at",
            "times_moved",
            "booked_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [
            "visit",
            "end_at",
            "buffer_after_minutes",
            "status",
            "status_changed_at",
            "booked_by_override",
            "cancellation_reason",
            "cancellation_note",
            "cancelled_by",
            "cancelled_at",
            "times_moved",
            "booked_by",
            "created_at",
            "updated_at",
            "version",
        ]
        extra_kwargs = {
            "id": {"help_text": "The appointment's identifier."},
            "visit": {"help_text": "The visit logged for it, once completed."},
            "end_at": {"help_text": "End: the start plus the type's duration."},
            "buffer_after_minutes": {"help_text": "Time kept free after it, from its type."},
            "status": {
                "help_text": "booked → arrived → completed, or cancelled, or no_show; changed "
                "by the status actions."
            },
            "status_changed_at": {"help_text": "When the status last changed."},
            "desk_notes": {
                "help_text": "Notes for the front desk (no clinical content), up to 2,000 "
                "characters."
            },
            "booked_by_override": {
                "help_text": "Booked outside the chiropractor's hours or into a buffer, by "
                "override."
            },
            "cancellation_note": {"help_text": "More about the cancellation."},
            "cancelled_by": {"help_text": "Staff member who cancelled it."},
            "cancelled_at": {"help_text": "When it was cancelled."},
            "times_moved": {"help_text": "How many times it was moved (its history has each)."},
            "booked_by": {"help_text": "Staff member who booked it."},
            "created_at": {"help_text": "When it was booked."},
            "updated_at": {"help_text": "When it last changed."},
            "version": VERSION_HELP,
        }

    @extend_schema_field(CodingWarningSerializer(many=True))
    def get_warnings(self, appointment: ListedAppointment) -> list[dict]:
        # Read with the appointment by scheduling.selectors.appointment_list. A page builds one
        # per row: plain dicts, not a serializer each (most rows have no case, or no warning).
        if appointment.plan_case is None or appointment.status not in transitions.OPEN_STATUSES:
            return []
        day = timezone.localtime(appointment.start_at, _clinic_zone(self)).date()
        found = appointment_warnings(
            CaseTerms.of(appointment.plan_case), day=day, booked_before=appointment.open_before
        )
        return [{"code": warning.code, "message": warning.message} for warning in found]


class AppointmentCancelSerializer(StrictSerializer):
    reason = serializers.ChoiceField(
        choices=CancellationReason.choices, help_text="Why the appointment is cancelled."
    )
    note = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="More about it."
    )


class AppointmentCompleteSerializer(StrictSerializer):
    visit = ClinicScopedPrimaryKeyField(
        queryset=Visit.objects.all(), help_text="The visit logged for this appointment."
    )


class AvailableTimesQuerySerializer(QueryParametersSerializer):
    appointment_type = ClinicScopedPrimaryKeyField(
        queryset=AppointmentType.objects.filter(is_active=True),
        help_text="The appointment type to fit (its duration, buffer, notice and step).",
    )
    chiropractor = _chiropractor_field(
        "Only this chiropractor; without it, every active chiropractor of the clinic.",
        required=False,
    )
    start = OffsetDateTimeField(
        required=False, help_text="Start of the window, with its UTC offset; default now."
    )
    end = OffsetDateTimeField(
        required=False,
        help_text="End of the window, at most 7 days after its start; default 7 days after.",
    )
    date = BoundedDateField(
        required=False,
        help_text="A day on the clinic's clock (`2027-03-14`), instead of `start` and `end`: the "
        "window runs from that midnight to the midnight `days` later, whatever the day's UTC "
        "offsets (a daylight-saving day is 23 or 25 hours).",
    )
    days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=7,
        help_text="With `date`: how many of the clinic's days, 1 to 7 (default 1).",
    )


class NextAvailableQuerySerializer(QueryParametersSerializer):
    appointment_type = AvailableTimesQuerySerializer._declared_fields["appointment_type"]
    chiropractor = AvailableTimesQuerySerializer._declared_fields["chiropractor"]
    after = OffsetDateTimeField(
        required=False, help_text="Look from this time on, with its UTC offset; default now."
    )


class AvailableTimeSerializer(serializers.Serializer):
    chiropractor = serializers.UUIDField(help_text="The chiropractor free at that time.")
    start_at = serializers.DateTimeField(help_text="Start (UTC).")
    end_at = serializers.DateTimeField(help_text="End (UTC); the buffer follows it.")
    wall_clock = serializers.CharField(
        help_text="The start on the clinic's clock, with that day's offset "
        "(`2026-03-08T03:00:00-04:00`)."
    )


def wall_clock(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat()


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Monday morning",
            value={
                "appointment_type": TYPE_ID,
                "start": "2026-12-01T05:00:00Z",
                "end": "2026-12-02T05:00:00Z",
                "time_zone": "America/New_York",
                "times": [
                    {
                        "chiropractor": CHIROPRACTOR_ID,
                        "start_at": "2026-12-01T13:30:00Z",
                        "end_at": "2026-12-01T13:45:00Z",
                        "wall_clock": "2026-12-01T08:30:00-05:00",
                    }
                ],
            },
        )
    ]
)
class AvailableTimesSerializer(serializers.Serializer):
    appointment_type = serializers.UUIDField(help_text="The appointment type fitted.")
    start = serializers.DateTimeField(help_text="Start of the window searched (UTC).")
    end = serializers.DateTimeField(help_text="End of the window searched (UTC).")
    time_zone = serializers.CharField(help_text="The clinic's time zone (IANA).")
    times = AvailableTimeSerializer(
        many=True,
        help_text="Free start times, earliest first, every chiropractor's together "
        "(at most 7 days × 24 h ÷ 5 min per chiropractor).",
    )


class NextAvailableSerializer(serializers.Serializer):
    found = serializers.BooleanField(help_text="Whether a free time was found.")
    time = AvailableTimeSerializer(
        allow_null=True, help_text="The earliest free time; null when none was found."
    )
    searched_until = serializers.DateTimeField(
        help_text="The search looked up to this time (8 weeks after its start)."
    )


class PlanScheduleSerializer(StrictSerializer):
    chiropractor = _chiropractor_field(
        "The chiropractor to book with; default the plan's.", required=False
    )
    start_date = BoundedDateField(
        required=False,
        help_text="First day of the series; default the plan's start, today, or the day after "
        "the plan's last booked visit, whichever is latest.",
    )
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        min_length=1,
        max_length=7,
        help_text="Preferred weekdays (0 = Monday … 6 = Sunday); each week takes the stage's "
        "visits on the first of these. At least as many as the busiest stage's visits a week.",
    )
    times = serializers.ListField(
        child=WallClockTimeField(),
        min_length=1,
        max_length=6,
        help_text="Preferred times of day on the clinic's wall clock, tried in order.",
    )
    appointment_type = ClinicScopedPrimaryKeyField(
        queryset=AppointmentType.objects.all(),
        required=False,
        help_text="The type of the regular visits; default the clinic's regular-visit type.",
    )
    reexamination_type = ClinicScopedPrimaryKeyField(
        queryset=AppointmentType.objects.all(),
        required=False,
        help_text="The type of the re-examinations; default the clinic's re-examination type, "
        "else the regular one.",
    )
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Book the series (in one transaction) instead of previewing it.",
    )
    skip_conflicts = serializers.BooleanField(
        required=False,
        default=False,
        help_text="With `confirm`: book the free visits and list the rest, instead of "
        "booking none when any conflicts.",
    )


class SeriesTimeSerializer(serializers.Serializer):
    start_at = serializers.DateTimeField(help_text="Start (UTC).")
    wall_clock = serializers.CharField(help_text="The start on the clinic's clock.")


class SeriesVisitSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The visit's number in the plan (1-based).")
    reexamination = serializers.BooleanField(help_text="Whether this visit re-examines.")
    appointment_type = serializers.UUIDField(help_text="The appointment type it is booked as.")
    status = serializers.ChoiceField(
        choices=[("free", "Free"), ("booked", "Booked"), ("conflict", "Conflict")],
        help_text="`free`: proposed at a preferred time; `booked`: booked by this call; "
        "`conflict`: no preferred time is free that day.",
    )
    start_at = serializers.DateTimeField(
        allow_null=True, help_text="Start (UTC); null for a conflict."
    )
    end_at = serializers.DateTimeField(allow_null=True, help_text="End (UTC); null for a conflict.")
    wall_clock = serializers.CharField(
        allow_null=True, help_text="The start on the clinic's clock; null for a conflict."
    )
    alternatives = SeriesTimeSerializer(
        many=True,
        help_text="For a conflict: the nearest free times within a day of the preferred one "
        "(at most 3).",
    )
    appointment = serializers.UUIDField(
        allow_null=True, help_text="The appointment booked for it; null unless booked."
    )
    warnings = CodingWarningSerializer(
        many=True,
        help_text="Whether booking it goes beyond the authorisation of the plan's case, as "
        "an appointment's `warnings` say; empty for a conflict.",
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Two visits proposed, one conflict",
            value={
                "plan": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                "chiropractor": CHIROPRACTOR_ID,
                "confirmed": False,
                "already_booked": 0,
                "time_zone": "America/New_York",
                "visits": [
                    {
                        "number": 1,
                        "reexamination": False,
                        "appointment_type": TYPE_ID,
                        "status": "free",
                        "start_at": "2026-12-01T14:00:00Z",
                        "end_at": "2026-12-01T14:15:00Z",
                        "wall_clock": "2026-12-01T09:00:00-05:00",
                        "alternatives": [],
                        "appointment": None,
                        "warnings": [
                            {
                                "code": "beyond_authorisation",
                                "message": "This appointment is visit 13 of 12 authorised under "
                                "case “Neck, 2026” (authorisation AUTH-55012): the payer may "
                                "deny it. Ask the payer for more visits, or agree with the "
                                "patient who pays.",
                            }
                        ],
                    },
                    {
                        "number": 2,
                        "reexamination": False,
                        "appointment_type": TYPE_ID,
                        "status": "conflict",
                        "start_at": None,
                        "end_at": None,
                        "wall_clock": None,
                        "alternatives": [
                            {
                                "start_at": "2026-12-03T14:30:00Z",
                                "wall_clock": "2026-12-03T09:30:00-05:00",
                            }
                        ],
                        "appointment": None,
                        "warnings": [],
                    },
                ],
            },
        )
    ]
)
class SeriesSerializer(serializers.Serializer):
    plan = serializers.UUIDField(help_text="The treatment plan.")
    chiropractor = serializers.UUIDField(help_text="The chiropractor booked with.")
    confirmed = serializers.BooleanField(help_text="Whether this call booked (or only previewed).")
    already_booked = serializers.IntegerField(
        help_text="The plan's visits that held a time before this call (not proposed again)."
    )
    time_zone = serializers.CharField(help_text="The clinic's time zone (IANA).")
    visits = SeriesVisitSerializer(
        many=True, help_text="The rest of the plan's visits, in order (at most 728)."
    )


def series_answer(series, *, terms: CaseTerms | None, open_appointments: int) -> dict:
    """A scheduling.services.Series as SeriesSerializer shows it: each visit with a time is
    checked against the case's authorisation after the plan's other open appointments and
    the series' visits before it."""
    zone = ZoneInfo(series.time_zone)
    visits, before = [], open_appointments
    for visit in series.visits:
        warnings = []
        if visit.start_at is not None:
            day = timezone.localtime(visit.start_at, zone).date()
            warnings = appointment_warnings(terms, day=day, booked_before=before)
            before += 1
        visits.append(
            {
                "number": visit.number,
                "reexamination": visit.reexamination,
                "appointment_type": visit.appointment_type.pk,
                "status": visit.status,
                "start_at": visit.start_at,
                "end_at": visit.end_at,
                "wall_clock": wall_clock(visit.start_at, zone) if visit.start_at else None,
                "alternatives": [
                    {"start_at": start, "wall_clock": wall_clock(start, zone)}
                    for start in visit.alternatives
                ],
                "appointment": visit.appointment.pk if visit.appointment else None,
                "warnings": [{"code": w.code, "message": w.message} for w in warnings],
            }
        )
    return {
        "plan": series.plan.pk,
        "chiropractor": series.chiropractor.pk,
        "confirmed": series.confirmed,
        "already_booked": series.already_booked,
        "time_zone": series.time_zone,
        "visits": visits,
    }


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Waiting for a Monday or Wednesday morning",
            value={
                "id": "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918",
                "patient": PATIENT_ID,
                "patient_summary": APPOINTMENT_EXAMPLE["patient_summary"],
                "chiropractor": None,
                "appointment_type": TYPE_ID,
                "weekdays": [0, 2],
                "earliest_time": "08:00",
                "latest_time": "12:00",
                "from_date": None,
                "until_date": "2026-12-31",
                "note": "Can come at short notice.",
                "status": "waiting",
                "created_by": "4c3b2a19-0f8e-4d7c-9b6a-5e4d3c2b1a09",
                **STAMPS,
            },
        )
    ]
)
class WaitlistEntrySerializer(StrictModelSerializer):
    patient = ClinicScopedPrimaryKeyField(
        queryset=Patient.objects.all(), help_text="The patient who waits."
    )
    patient_summary = AppointmentPatientSerializer(
        source="patient", read_only=True, help_text="Who the patient is, to call them."
    )
    chiropractor = _chiropractor_field(
        "The chiropractor the patient waits for; null for anyone.",
        required=False,
        allow_null=True,
    )
    appointment_type = ClinicScopedPrimaryKeyField(
        queryset=AppointmentType.objects.all(), help_text="What the patient needs booked."
    )
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        required=False,
        max_length=7,
        help_text="Days that suit (0 = Monday … 6 = Sunday); empty for any day.",
    )
    earliest_time = WallClockTimeField(
        required=False, allow_null=True, help_text="Not before this time of day (clinic's clock)."
    )
    latest_time = WallClockTimeField(
        required=False, allow_null=True, help_text="Ending by this time of day (clinic's clock)."
    )

    class Meta:
        model = WaitlistEntry
        fields = [
            "id",
            "patient",
            "patient_summary",
            "chiropractor",
            "appointment_type",
            "weekdays",
            "earliest_time",
            "latest_time",
            "from_date",
            "until_date",
            "note",
            "status",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["created_by", "created_at", "updated_at", "version"]
        extra_kwargs = {
            "id": {"help_text": "The entry's identifier."},
            "from_date": {"help_text": "First day that suits; null for any."},
            "until_date": {"help_text": "Last day that suits; null for any."},
            "note": {"help_text": "For the desk: how to reach the patient, short notice or not."},
            "status": {
                "help_text": "`waiting`, `booked` (set it when the patient got a time), or "
                "`withdrawn` (set by DELETE)."
            },
            "created_by": {"help_text": "Staff member who added the entry."},
            "created_at": {"help_text": "When the patient joined the waitlist."},
            "updated_at": {"help_text": "When the entry last changed."},
            "version": VERSION_HELP,
        }


class WaitlistMatchSerializer(serializers.Serializer):
    entry = WaitlistEntrySerializer(help_text="A waiting patient whom the freed time suits.")
    start_at = serializers.DateTimeField(help_text="Start of the freed time (UTC).")
    end_at = serializers.DateTimeField(help_text="End of the freed time (UTC).")
    wall_clock = serializers.CharField(help_text="The freed start on the clinic's clock.")


class WaitlistMatchesSerializer(serializers.Serializer):
    matches = WaitlistMatchSerializer(
        many=True, help_text="Who to call, first come first (at most 50)."
    )


class CalendarFeedSerializer(serializers.Serializer):
    active = serializers.BooleanField(help_text="Whether the caller has a feed that answers.")
    created_at = serializers.DateTimeField(
        allow_null=True, help_text="When the active feed was made; null without one."
    )
    url = serializers.CharField(
        allow_null=True,
        help_text="The feed's secret URL, to paste into a calendar app: given only when the "
        "feed is made (POST), null otherwise. Anyone with it can read the calendar; make a new "
        "one (POST) or revoke it (DELETE) if it leaks.",
    )


class CalendarFeedEventSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The appointment's identifier (the event's UID).")
    start_at = serializers.DateTimeField(help_text="Start.")
    end_at = serializers.DateTimeField(help_text="End.")
    summary = serializers.CharField(
        help_text="The patient's first name and initial, and the appointment type "
        "(`Rosa D. — Adjustment visit`)."
    )
    status = serializers.ChoiceField(
        choices=[("confirmed", "Confirmed"), ("cancelled", "Cancelled")],
        help_text="`cancelled` for cancelled and missed appointments.",
    )
    sequence = serializers.IntegerField(
        help_text="Grows each time the appointment changes (iCalendar SEQUENCE)."
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A chiropractor's week",
            value={
                "calendar_name": "Back in Line: Daniel Palmer",
                "events": [
                    {
                        "id": "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
                        "start_at": "2026-12-08T15:00:00Z",
                        "end_at": "2026-12-08T15:15:00Z",
                        "summary": "Rosa D. — Adjustment visit",
                        "status": "confirmed",
                        "sequence": 1,
                    }
                ],
            },
            response_only=True,
        )
    ]
)
class CalendarFeedDocumentSerializer(serializers.Serializer):
    """The calendar feed as JSON (`?format=json` or `Accept: application/json`)."""

    calendar_name = serializers.CharField(help_text="The clinic's and the chiropractor's name.")
    events = CalendarFeedEventSerializer(
        many=True, help_text="The appointments, by start (at most 2,000)."
    )
