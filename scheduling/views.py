"""The calendar's endpoints: appointment types, working hours, exceptions, appointments with
their status actions, and the free times to book."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.error_codes import AccessCode
from api.concurrency import IF_MATCH_PARAMETER
from api.error_codes import ApiCode
from api.errors import CONFLICT_RESPONSE, WRITE_ERRORS
from api.permissions import (
    AppointmentPermission,
    AppointmentTypePermission,
    SchedulePermission,
    StartsVisits,
)
from api.schema import documented
from audit.models import AuditAction
from audit.recording import AuditedViewMixin
from billing.selectors import CaseTerms, coded_visit_list
from charts.serializers import VisitSerializer
from clinics.error_codes import ClinicCode
from clinics.request_user import request_user
from idempotency.replay import IdempotentPostMixin
from patients.error_codes import PatientCode
from records.viewsets import ArchivableRecordViewSet, RecordViewSet
from scheduling import services
from scheduling.availability import Interval
from scheduling.error_codes import SchedulingCode
from scheduling.filters import (
    AppointmentFilter,
    ScheduleExceptionFilter,
    WaitlistFilter,
    WorkingHoursFilter,
)
from scheduling.models import (
    Appointment,
    AppointmentType,
    ScheduleException,
    WaitlistEntry,
    WorkingHours,
)
from scheduling.selectors import (
    appointment_list,
    appointment_type_list,
    schedule_exception_list,
    waitlist,
    with_authorisation,
    working_hours_list,
)
from scheduling.serializers import (
    AppointmentCancelSerializer,
    AppointmentCompleteSerializer,
    AppointmentSerializer,
    AppointmentTypeSerializer,
    AvailableTimesQuerySerializer,
    AvailableTimesSerializer,
    NextAvailableQuerySerializer,
    NextAvailableSerializer,
    PlanScheduleSerializer,
    ScheduleExceptionSerializer,
    SeriesSerializer,
    WaitlistEntrySerializer,
    WaitlistMatchesSerializer,
    WorkingHoursSerializer,
    series_answer,
    wall_clock,
)
from scheduling.transitions import APPOINTMENT_STATUS_MACHINE
from treatments.models import TreatmentPlan
from treatments.plans.selectors import plan_list
from treatments.visits.error_codes import VisitCode

LONGEST_WINDOW = timedelta(days=7)
MAX_MATCHES = 50
NEXT_AVAILABLE_HORIZON = timedelta(weeks=8)


@documented(
    AppointmentTypeSerializer,
    list="List appointment types",
    create="Add an appointment type",
    retrieve="Get an appointment type",
    update="Replace an appointment type",
    partial_update="Change an appointment type",
    destroy="Stop offering an appointment type (nothing is deleted)",
)
class AppointmentTypeViewSet(ArchivableRecordViewSet):
    """The clinic's appointment types; clinic admins keep them, everyone reads."""

    error_codes = {
        ("create", "partial_update", "update"): (
            ApiCode.INVALID_DATE,
            ApiCode.INVALID_DATETIME,
            ApiCode.INVALID_NULLABLE,
            SchedulingCode.APPOINTMENT_TYPE_DEFAULT_TAKEN,
            SchedulingCode.APPOINTMENT_TYPE_NAME_TAKEN,
        ),
    }

    permission_classes = [AppointmentTypePermission]
    queryset = AppointmentType.objects.none()
    serializer_class = AppointmentTypeSerializer
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]
    audit_resource = "appointment_type"
    audit_patient_attr = ""
    history_model = "scheduling.AppointmentTypeEvent"

    def get_queryset(self):
        return appointment_type_list(user=request_user(self.request))

    def perform_create(self, serializer) -> None:
        serializer.instance = services.appointment_type_create(
            clinic=request_user(self.request).staff_clinic, **serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.appointment_type_update(
            appointment_type=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: AppointmentType) -> None:
        services.appointment_type_deactivate(appointment_type=instance)


class _ScheduleViewSet(ArchivableRecordViewSet):
    permission_classes = [SchedulePermission]
    audit_patient_attr = ""


@documented(
    WorkingHoursSerializer,
    list="List working hours",
    create="Add a range of weekly working hours",
    retrieve="Get a range of working hours",
    update="Replace a range of working hours",
    partial_update="Change a range of working hours",
    destroy="Remove a range of working hours (kept in its history)",
)
class WorkingHoursViewSet(_ScheduleViewSet):
    """Weekly hours per chiropractor: their own, or anyone's for a clinic admin."""

    error_codes = {
        ("create", "partial_update", "update"): (
            ApiCode.BLANK,
            ApiCode.INVALID_DATE,
            ApiCode.INVALID_DATETIME,
            ApiCode.INVALID_TIME,
            ApiCode.MAX_LENGTH,
            ClinicCode.NOT_CHIROPRACTOR,
            SchedulingCode.WORKING_HOURS_OVERLAP,
        ),
    }

    queryset = WorkingHours.objects.none()
    serializer_class = WorkingHoursSerializer
    filterset_class = WorkingHoursFilter
    ordering_fields = ["weekday", "start_time"]
    ordering = ["weekday", "start_time"]
    audit_resource = "working_hours"
    history_model = "scheduling.WorkingHoursEvent"

    def get_queryset(self):
        return working_hours_list(user=request_user(self.request))

    def perform_create(self, serializer) -> None:
        user = request_user(self.request)
        serializer.instance = services.working_hours_create(
            clinic=user.staff_clinic, by=user, **serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.working_hours_update(
            hours=serializer.instance, by=request_user(self.request), **serializer.validated_data
        )

    def perform_destroy(self, instance: WorkingHours) -> None:
        services.working_hours_remove(hours=instance, by=request_user(self.request))


@documented(
    ScheduleExceptionSerializer,
    list="List time off and extra hours",
    create="Add time off or extra hours",
    retrieve="Get an exception to the working hours",
    update="Replace an exception to the working hours",
    partial_update="Change an exception to the working hours",
    destroy="Remove an exception (kept in its history)",
)
class ScheduleExceptionViewSet(_ScheduleViewSet):
    """Time off and extra hours per chiropractor, once or repeating."""

    error_codes = {
        ("create", "partial_update", "update"): (
            ApiCode.BLANK,
            ApiCode.INVALID_DATE,
            ApiCode.INVALID_DATETIME,
            ApiCode.MAX_VALUE,
            ApiCode.MIN_VALUE,
            ApiCode.TOO_LONG,
            ClinicCode.NOT_CHIROPRACTOR,
            SchedulingCode.INVALID_RECURRENCE,
        ),
    }

    queryset = ScheduleException.objects.none()
    serializer_class = ScheduleExceptionSerializer
    filterset_class = ScheduleExceptionFilter
    ordering_fields = ["start_at", "created_at"]
    ordering = ["start_at"]
    audit_resource = "schedule_exception"
    history_model = "scheduling.ScheduleExceptionEvent"

    def get_queryset(self):
        return schedule_exception_list(user=request_user(self.request))

    def perform_create(self, serializer) -> None:
        user = request_user(self.request)
        serializer.instance = services.schedule_exception_create(
            clinic=user.staff_clinic, by=user, **serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.schedule_exception_update(
            exception=serializer.instance,
            by=request_user(self.request),
            **serializer.validated_data,
        )

    def perform_destroy(self, instance: ScheduleException) -> None:
        services.schedule_exception_remove(exception=instance, by=request_user(self.request))


@documented(
    AppointmentSerializer,
    list="List appointments (day and week views)",
    create="Book an appointment",
    retrieve="Get an appointment",
    update="Replace an appointment's booking (a new time moves it)",
    partial_update="Move an appointment, or change its notes or plan",
)
class AppointmentViewSet(RecordViewSet):
    """The calendar: every role books and moves; nobody double-books."""

    error_codes = {
        (
            "arrive",
            "available_times",
            "cancel",
            "complete",
            "create",
            "next_available",
            "no_show",
            "partial_update",
            "start_visit",
            "update",
        ): (ApiCode.BLANK,),
        (
            "arrive",
            "available_times",
            "cancel",
            "complete",
            "create",
            "no_show",
            "partial_update",
            "start_visit",
            "update",
        ): (
            ApiCode.MAX_VALUE,
            ApiCode.MIN_VALUE,
        ),
        (
            "arrive",
            "cancel",
            "complete",
            "create",
            "no_show",
            "partial_update",
            "start_visit",
            "update",
        ): (
            ApiCode.INVALID_DATE,
            ApiCode.INVALID_DATETIME,
            ApiCode.INVALID_NULLABLE,
        ),
        (
            "available_times",
            "create",
            "next_available",
            "partial_update",
            "start_visit",
            "update",
        ): (ApiCode.INVALID_CHOICE,),
        ("arrive", "available_times", "next_available", "no_show", "start_visit"): (ApiCode.NULL,),
        ("arrive", "cancel", "complete", "no_show", "start_visit"): (
            ApiCode.TRANSITION_NOT_ALLOWED,
            SchedulingCode.VISIT_OF_ANOTHER_PATIENT,
        ),
        ("available_times", "create", "next_available", "partial_update", "update"): (
            AccessCode.BREAK_GLASS_ENDED,
            ApiCode.INVALID_LIST,
            ApiCode.INVALID_ORDERING,
            ApiCode.UNKNOWN_PARAMETER,
            SchedulingCode.UNUSABLE_RECURRENCE,
        ),
        ("arrive", "complete", "no_show", "start_visit"): (ApiCode.MAX_LENGTH,),
        ("create", "partial_update", "start_visit", "update"): (
            ClinicCode.NOT_CHIROPRACTOR,
            PatientCode.PATIENT_ARCHIVED,
        ),
        ("available_times", "create", "next_available"): (ApiCode.NOT_FOUND,),
        ("available_times", "next_available", "start_visit"): (
            ApiCode.DATE,
            ApiCode.DOES_NOT_EXIST,
            ApiCode.INCORRECT_TYPE,
            ApiCode.MAKE_AWARE,
            ApiCode.NAIVE,
            ApiCode.NULL_CHARACTERS_NOT_ALLOWED,
            ApiCode.OUT_OF_RANGE,
            ApiCode.OVERFLOW,
            ApiCode.REQUIRED,
        ),
        ("create", "partial_update", "update"): (
            SchedulingCode.APPOINTMENT_OVERLAPS,
            SchedulingCode.BUFFER_OVERLAPS,
            SchedulingCode.INACTIVE_TYPE,
            SchedulingCode.IN_THE_PAST,
            SchedulingCode.OUTSIDE_WORKING_HOURS,
            SchedulingCode.PLAN_CLOSED,
            SchedulingCode.PLAN_OF_ANOTHER_PATIENT,
        ),
        ("available_times", "next_available"): (ApiCode.INVALID,),
        ("available_times", "start_visit"): (ApiCode.MAX_STRING_LENGTH,),
        ("partial_update", "update"): (
            SchedulingCode.APPOINTMENT_NOT_MOVABLE,
            SchedulingCode.PATIENT_FIXED,
        ),
        "available_times": (
            ApiCode.DATETIME,
            SchedulingCode.DATE_WITH_WINDOW,
            SchedulingCode.DAYS_WITHOUT_DATE,
            SchedulingCode.END_BEFORE_START,
            SchedulingCode.WINDOW_TOO_LONG,
        ),
        "start_visit": (
            ApiCode.FUTURE_DATE,
            ApiCode.IMMUTABLE,
            ApiCode.NOT_A_LIST,
            ApiCode.SURROGATE_CHARACTERS_NOT_ALLOWED,
            ApiCode.UNKNOWN_FIELD,
            PatientCode.OTHER_PATIENT,
            SchedulingCode.APPOINTMENT_NOT_ARRIVED,
            VisitCode.BEFORE_PLAN_START,
            VisitCode.DUPLICATE_REGION,
            VisitCode.NOT_IN_PLAN,
            VisitCode.PLAN_NOT_ACTIVE,
        ),
        "waitlist_matches": (SchedulingCode.TIME_NOT_FREED,),
    }

    permission_classes = [AppointmentPermission]
    queryset = Appointment.objects.none()
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter
    ordering_fields = ["start_at", "created_at"]
    ordering = ["start_at"]
    audit_resource = "appointment"
    audit_resources = {
        "available_times": "available_time",
        "next_available": "available_time",
        "start_visit": "visit",
        "waitlist_matches": "waitlist_entry",
    }
    audit_actions = {"start_visit": AuditAction.CREATE}
    history_model = "scheduling.AppointmentEvent"

    def get_queryset(self):
        return appointment_list(user=request_user(self.request))

    def perform_create(self, serializer) -> None:
        user = request_user(self.request)
        appointment = services.appointment_book(
            clinic=user.staff_clinic, by=user, **serializer.validated_data
        )
        serializer.instance = self.refreshed(appointment)

    def perform_update(self, serializer) -> None:
        appointment = services.appointment_update(
            appointment=serializer.instance,
            by=request_user(self.request),
            **serializer.validated_data,
        )
        serializer.instance = self.refreshed(appointment)

    @extend_schema(
        summary="Start the visit of an arrived appointment, with its plan's planned items",
        description="Logs a draft visit for the appointment's patient and (active) plan, "
        "carrying out each of the plan's current interventions, and completes the "
        "appointment with it. The appointment's own chiropractor only.",
        request=None,
        parameters=[IF_MATCH_PARAMETER],
        responses={201: VisitSerializer, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="start-visit",
        url_name="start-visit",
        permission_classes=[StartsVisits],
    )
    def start_visit(self, request: Request, pk: str | None = None) -> Response:
        appointment = self.get_object()

        user = request_user(request)
        visit = services.appointment_start_visit(appointment=appointment, by=user)
        self.audit_touched(visit)
        answer = VisitSerializer(
            coded_visit_list(user=user).get(pk=visit.pk),
            context=self.get_serializer_context(),
        )
        return Response(answer.data, status=201)

    @extend_schema(
        summary="Who on the waitlist the time of a cancelled or missed appointment suits",
        responses={200: WaitlistMatchesSerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["get"], url_path="waitlist-matches")
    def waitlist_matches(self, request: Request, pk: str | None = None) -> Response:
        appointment = self.get_object()
        entries = list(services.waitlist_matches(appointment=appointment)[:MAX_MATCHES])
        self.audit_touched(*entries)
        zone = services.zone_of(request_user(request).staff_clinic)
        freed = {
            "start_at": appointment.start_at,
            "end_at": appointment.end_at,
            "wall_clock": wall_clock(appointment.start_at, zone),
        }
        return Response(
            WaitlistMatchesSerializer(
                {"matches": [{"entry": entry, **freed} for entry in entries]},
                context=self.get_serializer_context(),
            ).data
        )

    arrive = APPOINTMENT_STATUS_MACHINE.action("arrive", answer=AppointmentSerializer)
    complete = APPOINTMENT_STATUS_MACHINE.action(
        "complete", answer=AppointmentSerializer, body=AppointmentCompleteSerializer
    )
    cancel = APPOINTMENT_STATUS_MACHINE.action(
        "cancel", answer=AppointmentSerializer, body=AppointmentCancelSerializer
    )
    no_show = APPOINTMENT_STATUS_MACHINE.action("no-show", answer=AppointmentSerializer)

    def perform_transition(self, action: str, data: dict | None) -> Appointment:
        return services.appointment_transition(
            appointment=self.get_object(),
            action=action,
            by=request_user(self.request),
            **(data or {}),
        )

    @extend_schema(
        summary="Free start times for an appointment type (a window of at most 7 days)",
        description="Computed on request from working hours, time off, extra hours, booked "
        "appointments and their buffers, the type's minimum notice and step. The window is "
        "`start`–`end`, or the clinic's own days: `date` (and `days`).",
        parameters=[AvailableTimesQuerySerializer],
        responses={200: AvailableTimesSerializer},
    )
    @action(detail=False, methods=["get"], url_path="available-times")
    def available_times(self, request: Request) -> Response:
        query = AvailableTimesQuerySerializer(
            data=request.query_params, context=self.get_serializer_context()
        )
        query.is_valid(raise_exception=True)
        params = query.validated_data
        clinic = request_user(request).staff_clinic
        zone = services.zone_of(clinic)
        if "date" in params:
            if "start" in params or "end" in params:
                raise ValidationError(
                    {"date": ["Give a date, or a start and an end: not both."]},
                    code=SchedulingCode.DATE_WITH_WINDOW,
                )
            day = params["date"]
            start = datetime.combine(day, time(0), tzinfo=zone)
            end = datetime.combine(day + timedelta(days=params.get("days", 1)), time(0), zone)
        elif "days" in params:
            raise ValidationError(
                {"days": ["Give days with a date."]}, code=SchedulingCode.DAYS_WITHOUT_DATE
            )
        else:
            start = params.get("start") or timezone.now()
            end = params.get("end") or start.astimezone(zone) + LONGEST_WINDOW
        if end <= start:
            raise ValidationError(
                {"end": ["Must be after the start."]}, code=SchedulingCode.END_BEFORE_START
            )
        # Seven days on the clinic's clock: a week from midnight to midnight across a
        # daylight-saving change is 7 days and an hour, or less one.
        if end > start.astimezone(zone) + LONGEST_WINDOW:
            raise ValidationError(
                {"end": ["The window is at most 7 days long."]}, code=SchedulingCode.WINDOW_TOO_LONG
            )
        times = self._free_times(params, Interval(start, end))
        return Response(
            AvailableTimesSerializer(
                {
                    "appointment_type": params["appointment_type"].pk,
                    "start": start,
                    "end": end,
                    "time_zone": clinic.time_zone,
                    "times": times,
                }
            ).data
        )

    @extend_schema(
        summary="The next free time for an appointment type (searching 8 weeks ahead)",
        parameters=[NextAvailableQuerySerializer],
        responses={200: NextAvailableSerializer},
    )
    @action(detail=False, methods=["get"], url_path="next-available-time")
    def next_available(self, request: Request) -> Response:
        query = NextAvailableQuerySerializer(
            data=request.query_params, context=self.get_serializer_context()
        )
        query.is_valid(raise_exception=True)
        params = query.validated_data
        start = params.get("after") or timezone.now()
        horizon = start + NEXT_AVAILABLE_HORIZON
        found = None
        while found is None and start < horizon:
            window = Interval(start, min(start + LONGEST_WINDOW, horizon))
            times = self._free_times(params, window)
            found = times[0] if times else None
            start = window.end
        return Response(
            NextAvailableSerializer(
                {"found": found is not None, "time": found, "searched_until": horizon}
            ).data
        )

    def _free_times(self, params: dict, window: Interval) -> list[dict]:
        clinic = request_user(self.request).staff_clinic
        chosen = params.get("chiropractor")
        zone = services.zone_of(clinic)
        return [
            {
                "chiropractor": free.chiropractor_id,
                "start_at": free.start,
                "end_at": free.end,
                "wall_clock": wall_clock(free.start, zone),
            }
            for free in services.free_times(
                clinic=clinic,
                appointment_type=params["appointment_type"],
                chiropractor_ids=[chosen.pk] if chosen is not None else None,
                window=window,
            )
        ]


class PlanScheduleView(IdempotentPostMixin, AuditedViewMixin, GenericAPIView):
    """A treatment plan onto the calendar in one call."""

    error_codes = {
        "schedule": (
            AccessCode.BREAK_GLASS_ENDED,
            ClinicCode.NOT_CHIROPRACTOR,
            PatientCode.PATIENT_ARCHIVED,
            SchedulingCode.INACTIVE_TYPE,
            SchedulingCode.IN_THE_PAST,
            SchedulingCode.PLAN_CLOSED,
            SchedulingCode.SERIES_CONFLICTS,
            SchedulingCode.TOO_FEW_WEEKDAYS,
            SchedulingCode.UNUSABLE_RECURRENCE,
        ),
    }

    permission_classes = [AppointmentPermission]
    filter_backends: list = []
    queryset = TreatmentPlan.objects.none()
    serializer_class = PlanScheduleSerializer
    lookup_value_converter = "uuid"
    audit_resource = "appointment_series"
    action = "schedule"
    # Set once the body is read: a request refused before (a 404, an unreadable body) only read.
    confirming = False

    def get_queryset(self):
        user = request_user(self.request)
        plans = plan_list(user=user).select_related("patient", "clinic", "chiropractor")
        return with_authorisation(plans, ZoneInfo(user.staff_clinic.time_zone))

    @extend_schema(
        summary="Book a treatment plan onto the calendar: preview, then confirm",
        description="Expands the plan's frequency stages into dated visits on the preferred "
        "weekdays and times, with its re-examinations (every N visits or days, whichever first). "
        "Without `confirm` it only proposes: each visit's time, or the conflict and the nearest "
        "free times. With `confirm` it books the series in one transaction, all or nothing "
        "(409 `series_conflicts`), or the free visits only with `skip_conflicts`. Visits already "
        "booked for the plan are not proposed again.",
        request=PlanScheduleSerializer,
        responses={200: SeriesSerializer, 409: CONFLICT_RESPONSE},
        tags=["appointments"],
    )
    def post(self, request: Request, pk: str | None = None) -> Response:
        return self.schedule(request, pk)

    def audit_action(self, request, changed: list[str]) -> str:
        # A preview only reads the calendar; a confirmation books.
        return AuditAction.CREATE if self.confirming else AuditAction.READ

    # Named as the view's action, which the audit trail and the declared error codes read.
    def schedule(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()  # another clinic's plan is a 404 before the body is read
        body = request.data  # an unreadable body is a 400, an unsupported type a 415
        self.confirming = isinstance(body, dict) and body.get("confirm") is True
        given = self.get_serializer(data=body)
        given.is_valid(raise_exception=True)
        series = services.plan_schedule(plan=plan, by=request_user(request), **given.validated_data)
        self.audit_touched(*(v.appointment for v in series.visits if v.appointment))
        terms = CaseTerms.of(plan.case) if plan.case else None
        answer = series_answer(series, terms=terms, open_appointments=plan.open_appointments)
        return Response(SeriesSerializer(answer).data)


@documented(
    WaitlistEntrySerializer,
    list="List the waitlist",
    create="Put a patient on the waitlist",
    retrieve="Get a waitlist entry",
    update="Replace a waitlist entry",
    partial_update="Change a waitlist entry (e.g. mark it booked)",
    destroy="Withdraw a waitlist entry (kept, marked withdrawn)",
)
class WaitlistViewSet(ArchivableRecordViewSet):
    """Patients waiting for an earlier time; the front desk keeps the list."""

    error_codes = {
        ("create", "partial_update", "update"): (
            ApiCode.BLANK,
            ApiCode.DUPLICATE,
            ApiCode.INVALID_DATE,
            ApiCode.INVALID_DATETIME,
            ApiCode.INVALID_TIME,
            ApiCode.ITEM_INVALID,
            ApiCode.NESTED_ARRAY_MISMATCH,
            ClinicCode.NOT_CHIROPRACTOR,
            PatientCode.PATIENT_ARCHIVED,
            SchedulingCode.USE_DELETE_TO_WITHDRAW,
        ),
    }

    permission_classes = [AppointmentPermission]
    queryset = WaitlistEntry.objects.none()
    serializer_class = WaitlistEntrySerializer
    filterset_class = WaitlistFilter
    ordering_fields = ["created_at"]
    ordering = ["created_at"]
    audit_resource = "waitlist_entry"
    history_model = "scheduling.WaitlistEntryEvent"

    def get_queryset(self):
        return waitlist(user=request_user(self.request))

    def perform_create(self, serializer) -> None:
        user = request_user(self.request)
        serializer.instance = services.waitlist_add(
            clinic=user.staff_clinic, by=user, **serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.waitlist_update(
            entry=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: WaitlistEntry) -> None:
        services.waitlist_withdraw(entry=instance)
