"""The FHIR endpoints: each resource type's read and search, and the CapabilityStatement.

A resource type's viewset declares its kind (fhir_api.kinds) and who may read it; the base
class serves it under the REST API's own rules: the same bearer token, the caller's clinic
under row-level security, one audit event per request, errors in one shape (here an
OperationOutcome). A search is one statement for its page, whatever the page's size.
"""

import uuid
from typing import ClassVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAcceptable, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from api.error_codes import ApiCode
from api.mixin_bases import APIViewBase
from api.parsers import BoundedJSONParser
from api.permissions import HasRole
from audit.models import AuditAction
from audit.recording import PAGING_PARAMETERS, AuditedViewMixin
from clinics.request_user import request_user
from fhir_api.bundles import searchset
from fhir_api.capability import capability_statement
from fhir_api.error_codes import FhirCode
from fhir_api.kinds import AnyKind, ComputedKind, ResourceKind
from fhir_api.media import FhirAsJsonRenderer, FhirJsonParser, FhirJsonRenderer
from fhir_api.outcomes import outcome_of_errors
from fhir_api.paging import FhirPagination
from fhir_api.resources.appointment import APPOINTMENT
from fhir_api.resources.claim import CLAIM
from fhir_api.resources.patient import PATIENT
from fhir_api.resources.schedule import SCHEDULE
from fhir_api.resources.slot import SLOT
from fhir_api.schema import read_schema, resource_schema, search_schema
from fhir_api.search import SearchContext, search_filter, search_terms
from scheduling.error_codes import SchedulingCode

BASE_PATH = "/fhir/R4"

# `_format` values that name the JSON this server speaks (https://hl7.org/fhir/R4/http.html).
JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json"})


def fhir_base(request: Request) -> str:
    return request.build_absolute_uri(BASE_PATH)


def check_format(request: Request) -> None:
    wanted = request.query_params.get("_format")
    if wanted is not None and wanted not in JSON_FORMATS:
        raise NotAcceptable(
            "This server speaks FHIR JSON only (`_format=json`).", code=FhirCode.UNSUPPORTED_FORMAT
        )


class FhirViewMixin(APIViewBase):
    """What every FHIR endpoint answers in: FHIR JSON, errors as OperationOutcomes."""

    renderer_classes = [FhirJsonRenderer, FhirAsJsonRenderer]
    parser_classes = [FhirJsonParser, BoundedJSONParser]

    def finalize_response(self, request, response, *args, **kwargs):
        # The API's handler decided the refusal (status, headers, codes); FHIR reads it as an
        # OperationOutcome.
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if response.status_code >= 400 and isinstance(data, dict) and "errors" in data:
            response.data = outcome_of_errors(response.status_code, data["errors"])
        return response


def is_lenient(request: Request) -> bool:
    return "handling=lenient" in request.headers.get("Prefer", "").replace(" ", "")


def search_context(request: Request) -> SearchContext:
    user = request_user(request)
    return SearchContext(clinic_id=user.clinic_id, zone=ZoneInfo(user.staff_clinic.time_zone))


def self_link(request: Request, used: list[str]) -> str:
    """The search as it was understood: the parameters used, and the page size asked for."""
    kept = [(key, value) for key in used for value in request.query_params.getlist(key)]
    kept += [(key, value) for key in ("_count",) for value in request.query_params.getlist(key)]
    url = request.build_absolute_uri(request.path)
    return f"{url}?{urlencode(kept)}" if kept else url


SEARCH_ERRORS = (
    ApiCode.UNKNOWN_PARAMETER,
    ApiCode.INVALID_PAGE_SIZE,
    ApiCode.OUT_OF_RANGE,
    FhirCode.INVALID_SEARCH_VALUE,
    FhirCode.UNSUPPORTED_MODIFIER,
    FhirCode.UNSUPPORTED_FORMAT,
)


class FhirTypeViewSet(FhirViewMixin, AuditedViewMixin, viewsets.GenericViewSet):
    """What every resource type's read and search share: its kind, the audit event."""

    kind: ClassVar[AnyKind]
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    error_codes: dict = {"retrieve": (FhirCode.UNSUPPORTED_FORMAT,), "search": SEARCH_ERRORS}

    @property
    def audit_resource(self) -> str:  # type: ignore[override]
        return self.kind.audit_resource

    def audit_action(self, request, changed: list[str]) -> str:
        if self.action == "search":
            searched = set(request.query_params) - PAGING_PARAMETERS
            return AuditAction.SEARCH if searched else AuditAction.LIST
        return super().audit_action(request, changed)


class FhirReadViewSet(FhirTypeViewSet):
    """Read (`GET /fhir/R4/<type>/<id>`) and search (`GET /fhir/R4/<type>?…`) one type."""

    kind: ClassVar[ResourceKind]
    pagination_class = FhirPagination
    filter_backends: list = []

    @property
    def audit_patient_attr(self) -> str:  # type: ignore[override]
        return self.kind.patient_attr or "patient_id"

    def get_queryset(self):
        return self.kind.rows(request_user(self.request))

    def get_object(self):
        try:
            uuid.UUID(self.kwargs[self.lookup_url_kwarg])
        except ValueError:
            raise NotFound(f"No {self.kind.name} has this id.") from None
        return super().get_object()

    def _resources(self, rows: list) -> list[dict]:
        if self.kind.page_reads is not None:
            self.kind.page_reads(request_user(self.request), rows)
        return [self.kind.resource(row) for row in rows]

    def retrieve(self, request: Request, id: str | None = None) -> Response:
        check_format(request)
        [resource] = self._resources([self.get_object()])
        headers = {}
        version = resource.get("meta", {}).get("versionId")
        if version is not None:
            headers["ETag"] = f'W/"{version}"'
        return Response(resource, headers=headers)

    @action(detail=False, methods=["get"], url_path="", url_name="search")
    def search(self, request: Request) -> Response:
        check_format(request)
        where, used = search_filter(
            dict(request.query_params.lists()),
            self.kind.search,
            search_context(request),
            lenient=is_lenient(request),
        )
        page = self.paginate_queryset(self.get_queryset().filter(where)) or []
        self.audit_touched(*page)
        return Response(
            searchset(
                base=fhir_base(request),
                self_url=self_link(request, used),
                next_url=self._next_link(),
                matches=self._resources(page),
                included=[],
            )
        )

    def _next_link(self) -> str | None:
        paginator = self.paginator
        return paginator.get_next_link() if isinstance(paginator, FhirPagination) else None


class FhirComputedViewSet(FhirTypeViewSet):
    """Read and search of a type computed on request (fhir_api.kinds.ComputedKind): no rows
    to page through, so a page is the found resources after the `_cursor` position, and the
    audit event names the id read (there is no record to name)."""

    kind: ClassVar[ComputedKind]
    pagination_class = None

    def retrieve(self, request: Request, id: str | None = None) -> Response:
        check_format(request)
        resource = self.kind.read(request_user(request), self.kwargs[self.lookup_url_kwarg])
        if resource is None:
            raise NotFound(f"No {self.kind.name} has this id.")
        return Response(resource)

    @action(detail=False, methods=["get"], url_path="", url_name="search")
    def search(self, request: Request) -> Response:
        check_format(request)
        size = FhirPagination().get_page_size(request)
        terms, used = search_terms(
            dict(request.query_params.lists()), self.kind.search, lenient=is_lenient(request)
        )
        found = self.kind.find(request_user(request), terms, search_context(request))
        after = request.query_params.get("_cursor")
        if after is not None:
            found = [r for r in found if self.kind.position(r) > after]
        page = found[:size]
        next_url = None
        if len(found) > size:
            next_url = replace_query_param(
                request.build_absolute_uri(), "_cursor", self.kind.position(page[-1])
            )
        return Response(
            searchset(
                base=fhir_base(request),
                self_url=self_link(request, used),
                next_url=next_url,
                matches=page,
                included=[],
            )
        )


class CapabilityStatementView(FhirViewMixin, APIView):
    """`GET /fhir/R4/metadata`: what this server serves. Public: a client reads it before it
    has a token (no PHI, not audited)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="The CapabilityStatement: every resource type, search parameter and profile served",
        operation_id="fhir_metadata",
        responses={200: resource_schema("CapabilityStatement")},
        tags=["FHIR"],
    )
    def get(self, request: Request) -> Response:
        check_format(request)
        return Response(capability_statement(base=fhir_base(request)))


@extend_schema_view(retrieve=read_schema(PATIENT), search=search_schema(PATIENT))
class PatientViewSet(FhirReadViewSet):
    """Patients (US Core Patient): every role reads demographics."""

    kind = PATIENT
    permission_classes = [HasRole.of(*PATIENT.readers)]


@extend_schema_view(retrieve=read_schema(APPOINTMENT), search=search_schema(APPOINTMENT))
class AppointmentViewSet(FhirReadViewSet):
    """Appointments: every role reads the calendar."""

    kind = APPOINTMENT
    permission_classes = [HasRole.of(*APPOINTMENT.readers)]


@extend_schema_view(retrieve=read_schema(SCHEDULE), search=search_schema(SCHEDULE))
class ScheduleViewSet(FhirReadViewSet):
    """Chiropractors' schedules: every role reads working hours."""

    kind = SCHEDULE
    permission_classes = [HasRole.of(*SCHEDULE.readers)]


@extend_schema_view(retrieve=read_schema(SLOT), search=search_schema(SLOT))
class SlotViewSet(FhirComputedViewSet):
    """Free times, computed on request: every role reads them, as the REST free times."""

    kind = SLOT
    permission_classes = [HasRole.of(*SLOT.readers)]
    error_codes = {
        **FhirComputedViewSet.error_codes,
        "search": (
            *SEARCH_ERRORS,
            SchedulingCode.WINDOW_TOO_LONG,
            SchedulingCode.UNUSABLE_RECURRENCE,
        ),
        "retrieve": (FhirCode.UNSUPPORTED_FORMAT, SchedulingCode.UNUSABLE_RECURRENCE),
    }


@extend_schema_view(retrieve=read_schema(CLAIM), search=search_schema(CLAIM))
class ClaimViewSet(FhirReadViewSet):
    """Signed visits' claim data: every role reads it, as the REST claim."""

    kind = CLAIM
    permission_classes = [HasRole.of(*CLAIM.readers)]


# Every resource type's viewset, routed by fhir_api.urls.
READ_VIEWSETS: list[type[FhirTypeViewSet]] = [
    PatientViewSet,
    AppointmentViewSet,
    ScheduleViewSet,
    SlotViewSet,
    ClaimViewSet,
]
