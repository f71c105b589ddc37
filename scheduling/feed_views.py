"""The calendar feed: a chiropractor makes or revokes their feed; a calendar app reads it by
its secret URL, without a token (the read is audited like any other)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import StartsVisits
from api.renderers import DocumentRenderer, ErrorsAsJsonMixin, OrjsonRenderer
from audit.models import AuditAction
from audit.recording import AuditedViewMixin, Event, record
from clinics.models import User
from clinics.request_user import request_user
from scheduling import feed, services
from scheduling.models import Appointment, CalendarFeed
from scheduling.serializers import CalendarFeedDocumentSerializer, CalendarFeedSerializer
from tenancy.request_context import open_feed_context

# What a feed shows: the last month and the next six, at most this many appointments.
FEED_PAST = timedelta(days=31)
FEED_AHEAD = timedelta(days=183)
MAX_EVENTS = 2_000
ACTIONS = {"GET": "retrieve", "POST": "create", "DELETE": "destroy"}
TAGS = ["appointments"]


class CalendarFeedView(AuditedViewMixin, GenericAPIView):
    """The caller's own calendar feed (chiropractors: their appointments). Its POST takes no
    Idempotency-Key: the answer carries the feed's secret, which is never stored."""

    permission_classes = [StartsVisits]
    serializer_class = CalendarFeedSerializer
    filter_backends: list = []
    audit_resource = "calendar_feed"
    audit_patient_attr = ""
    audit_destroy_action = AuditAction.DISCARD

    def initial(self, request: Request, *args, **kwargs) -> None:
        self.action = ACTIONS.get(request.method or "", "")
        super().initial(request, *args, **kwargs)

    def _answer(self, found: CalendarFeed | None, secret: str = "") -> Response:
        url = None
        if secret:
            path = reverse("scheduling:calendar-feed-document", kwargs={"secret": secret})
            url = self.request.build_absolute_uri(path)
        if found is not None:
            self.audit_touched(found)
        return Response(
            CalendarFeedSerializer(
                {
                    "active": found is not None,
                    "created_at": found.created_at if found else None,
                    "url": url,
                }
            ).data
        )

    @extend_schema(summary="Whether you have a calendar feed (not its secret)", tags=TAGS)
    def get(self, request: Request) -> Response:
        active = CalendarFeed.objects.filter(
            user=request_user(request), revoked_at__isnull=True
        ).first()
        return self._answer(active)

    @extend_schema(
        summary="Make your calendar feed (a new secret URL; the old one stops answering)",
        description="The secret URL is shown only in this answer: only its SHA-256 is stored, "
        "so the POST takes no `Idempotency-Key` (a retry makes another feed, and the one before "
        "stops answering).",
        request=None,
        responses={200: CalendarFeedSerializer},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        made, secret = services.calendar_feed_create(user=request_user(request))
        return self._answer(made, secret)

    @extend_schema(summary="Revoke your calendar feed", responses={204: None}, tags=TAGS)
    def delete(self, request: Request) -> Response:
        services.calendar_feed_revoke(user=request_user(request))
        return Response(status=204)


class ICalendarRenderer(DocumentRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"


class CalendarFeedDocumentView(ErrorsAsJsonMixin, APIView):
    """A chiropractor's appointments as iCalendar, for the calendar app holding the URL, or as
    JSON for a front end."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    # iCalendar unless JSON is asked for (`?format=json`, or an Accept header naming it only).
    renderer_classes = [ICalendarRenderer, OrjsonRenderer]

    @extend_schema(
        summary="A calendar feed (iCalendar or JSON), read by its secret URL without a token",
        description="The appointments of the feed's chiropractor from a month ago to six months "
        "ahead (at most 2,000): start, end, the patient's first name and initial, the "
        "appointment type; cancelled and missed ones marked cancelled. An RFC 5545 calendar "
        "by default (`?format=ics`), the same events as JSON with `?format=json` or "
        "`Accept: application/json`. An unknown or revoked secret answers 404.",
        auth=[],
        operation_id="calendar_feed_document",
        responses={
            (200, "text/calendar"): OpenApiResponse(
                OpenApiTypes.STR, description="An RFC 5545 calendar."
            ),
            (200, "application/json"): OpenApiResponse(
                CalendarFeedDocumentSerializer, description="The same events as JSON."
            ),
        },
        tags=TAGS,
    )
    def get(self, request: Request, secret: str) -> Response:
        owner_id = open_feed_context(digest=feed.secret_digest(secret), request=request)
        if owner_id is None:
            record(request, Event(AuditAction.READ, "calendar_feed", 404))
            raise NotFound("No calendar feed has this address.")
        owner = User.objects.select_related("clinic").get(pk=owner_id)
        now = timezone.now()
        appointments = list(
            Appointment.objects.filter(
                clinic_id=owner.staff_clinic_id,
                chiropractor_id=owner_id,
                start_at__gte=now - FEED_PAST,
                start_at__lt=now + FEED_AHEAD,
            )
            .select_related("patient", "appointment_type")
            .order_by("start_at")[:MAX_EVENTS]
        )
        events = feed.feed_events(appointments)
        calendar_name = f"{owner.staff_clinic.name}: {owner.get_full_name() or owner.username}"
        record(
            request,
            Event(
                AuditAction.READ,
                "calendar_feed",
                200,
                object_ids=[str(a.pk) for a in appointments],
                patient_ids=[str(a.patient_id) for a in appointments],
                username=owner.username,
                clinic_id=owner.clinic_id,
            ),
        )
        if request.accepted_renderer.format == OrjsonRenderer.format:
            return Response(
                CalendarFeedDocumentSerializer(
                    {"calendar_name": calendar_name, "events": events}
                ).data
            )
        return Response(
            feed.feed_document(events=events, calendar_name=calendar_name, stamped_at=now)
        )
