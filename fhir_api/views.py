"""The FHIR endpoints: each resource type's read and search, and the CapabilityStatement.

A resource type's viewset declares its kind (fhir_api.kinds) and who may read it; the base
class serves it under the REST API's own rules: the same bearer token, the caller's clinic
under row-level security, one audit event per request, errors in one shape (here an
OperationOutcome). A search is one statement for its page, whatever the page's size. A type
served from code (a CatalogueKind) is read and searched the same way, but reads no records
and leaves no audit event: it holds no PHI.
"""

import uuid
from collections.abc import Callable
from typing import ClassVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAcceptable, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from accounts.break_glass import BreakGlassReadMixin
from api.error_codes import ApiCode
from api.mixin_bases import APIViewBase, GenericAPIViewBase
from api.parsers import BoundedJSONParser
from api.permissions import HasRole
from audit.models import AuditAction
from audit.recording import PAGING_PARAMETERS, AuditedViewMixin
from clinics.request_user import request_user
from fhir_api.bundles import searchset
from fhir_api.capability import capability_statement
from fhir_api.error_codes import FhirCode
from fhir_api.everything import EVERYTHING_MAX_PER_TYPE, patient_record
from fhir_api.includes import inclusions
from fhir_api.kinds import CatalogueKind, ComputedKind, ResourceKind
from fhir_api.media import FhirAsJsonRenderer, FhirJsonParser, FhirJsonRenderer
from fhir_api.outcomes import issue, operation_outcome, outcome_of_errors
from fhir_api.paging import FhirPagination
from fhir_api.registry import KINDS, KINDS_BY_NAME
from fhir_api.resources.appointment import APPOINTMENT
from fhir_api.resources.audit_event import AUDIT_EVENT
from fhir_api.resources.careplan import CAREPLAN
from fhir_api.resources.claim import CLAIM
from fhir_api.resources.condition import CONDITION
from fhir_api.resources.coverage import COVERAGE
from fhir_api.resources.encounter import ENCOUNTER
from fhir_api.resources.goal import GOAL
from fhir_api.resources.location import LOCATION
from fhir_api.resources.observation import OBSERVATION
from fhir_api.resources.organization import ORGANIZATION
from fhir_api.resources.patient import PATIENT
from fhir_api.resources.practitioner import PRACTITIONER
from fhir_api.resources.practitioner_role import PRACTITIONER_ROLE
from fhir_api.resources.procedure import PROCEDURE
from fhir_api.resources.provenance import PROVENANCE
from fhir_api.resources.questionnaire import QUESTIONNAIRE_KIND
from fhir_api.resources.questionnaire_response import QUESTIONNAIRE_RESPONSE
from fhir_api.resources.schedule import SCHEDULE
from fhir_api.resources.servicerequest import SERVICE_REQUEST
from fhir_api.resources.slot import SLOT
from fhir_api.schema import FORMAT_VALUES, read_schema, resource_schema, search_schema
from fhir_api.search import (
    SearchContext,
    refuse,
    search_catalogue,
    search_filter,
    search_terms,
)
from fhir_api.union_rows import UnionRows
from scheduling.error_codes import SchedulingCode

BASE_PATH = "/fhir/R4"

# `_format` values that name the JSON this server speaks (https://hl7.org/fhir/R4/http.html).
JSON_FORMATS = frozenset(FORMAT_VALUES)


def fhir_base(request: Request) -> str:
    return request.build_absolute_uri(BASE_PATH)


def check_format(request: Request) -> None:
    wanted = request.query_params.get("_format")
    if wanted is not None and wanted not in JSON_FORMATS:
        raise NotAcceptable(
            "This server speaks FHIR JSON only (`_format=json`).", code=FhirCode.UNSUPPORTED_FORMAT
        )


def search_context(request: Request) -> SearchContext:
    user = request_user(request)
    return SearchContext(clinic_id=user.clinic_id, zone=ZoneInfo(user.staff_clinic.time_zone))


def is_lenient(request: Request) -> bool:
    """The client asks that unknown parameters be ignored rather than refused."""
    return "handling=lenient" in request.headers.get("Prefer", "").replace(" ", "")


def self_link(request: Request, used: list[str]) -> str:
    """The search as understood: the parameters used, and the page size asked."""
    kept = [(key, value) for key in used for value in request.query_params.getlist(key)]
    kept += [
        (key, value)
        for key in ("_count", "_include", "_revinclude")
        for value in request.query_params.getlist(key)
    ]
    url = request.build_absolute_uri(request.path)
    return f"{url}?{urlencode(kept)}" if kept else url


SEARCH_ERROR_CODES = (
    ApiCode.UNKNOWN_PARAMETER,
    ApiCode.INVALID_PAGE_SIZE,
    ApiCode.OUT_OF_RANGE,
    FhirCode.INVALID_SEARCH_VALUE,
    FhirCode.UNSUPPORTED_MODIFIER,
    FhirCode.UNSUPPORTED_INCLUDE,
    FhirCode.UNSUPPORTED_FORMAT,
)


class FhirViewMixin(APIViewBase):
    """What every FHIR endpoint answers in: FHIR JSON, errors as OperationOutcomes."""

    renderer_classes = [FhirJsonRenderer, FhirAsJsonRenderer]
    parser_classes = [FhirJsonParser, BoundedJSONParser]

    def finalize_response(self, request, response, *args, **kwargs):
        # The API's handler decided the refusal (status, headers, codes); FHIR reads it as an
        # OperationOutcome.
        if response.status_code >= 400 and not isinstance(
            getattr(request, "accepted_renderer", None), FhirJsonRenderer | FhirAsJsonRenderer
        ):
            # A refusal of a document (an NDJSON file) still answers an OperationOutcome.
            request.accepted_renderer = FhirJsonRenderer()
            request.accepted_media_type = FhirJsonRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if response.status_code >= 400 and isinstance(data, dict) and "errors" in data:
            response.data = outcome_of_errors(response.status_code, data["errors"])
        return response


class UuidIdMixin(GenericAPIViewBase):
    """Ids in FHIR paths are any text FHIR allows; ours are UUIDs, so anything else is simply
    not found (404 as an OperationOutcome, not a routing miss in the API's shape)."""

    lookup_url_kwarg = "id"

    def get_object(self):
        try:
            uuid.UUID(self.kwargs["id"])
        except ValueError:
            raise NotFound("Nothing here has this id.") from None
        return super().get_object()


class FhirTypeViewSet(FhirViewMixin, AuditedViewMixin, viewsets.GenericViewSet):
    """What every audited resource type's read and search share: its kind, the audit event."""

    kind: ClassVar[ResourceKind | ComputedKind]
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    error_codes: dict = {"retrieve": (FhirCode.UNSUPPORTED_FORMAT,), "search": SEARCH_ERROR_CODES}

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
        return self.kind.patient_attr or ""

    def get_queryset(self):
        return self.kind.rows(request_user(self.request))

    def audit_object_id(self, obj) -> object:
        return self.kind.id_of(obj)

    def get_object(self):
        resource_id = self.kwargs[self.lookup_url_kwarg]
        rows = self.get_queryset()
        if isinstance(rows, UnionRows):
            found = rows.find(resource_id)
            if found is None:
                raise NotFound(f"No {self.kind.name} has this id.")
            self.check_object_permissions(self.request, found)
            self.audit_touched(found)
            return found
        try:
            self.kind.parse_id(resource_id)
        except ValueError:
            raise NotFound(f"No {self.kind.name} has this id.") from None
        return super().get_object()

    def _resources(self, kind: ResourceKind, rows: list) -> list[dict]:
        if kind.page_reads is not None:
            kind.page_reads(request_user(self.request), rows)
        return [kind.resource(row) for row in rows]

    def retrieve(self, request: Request, id: str | None = None) -> Response:
        check_format(request)
        [resource] = self._resources(self.kind, [self.get_object()])
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
        included = inclusions(request, self.kind, page, KINDS_BY_NAME, request_user(request))
        self.audit_touched(*page, *(row for inclusion in included for row in inclusion.rows))
        return Response(
            searchset(
                base=fhir_base(request),
                self_url=self_link(request, used),
                next_url=self._next_link(),
                matches=self._resources(self.kind, page),
                included=[
                    resource
                    for inclusion in included
                    for resource in self._resources(inclusion.kind, inclusion.rows)
                ],
            )
        )

    def _next_link(self) -> str | None:
        paginator = self.paginator
        return paginator.get_next_link() if isinstance(paginator, FhirPagination) else None


def computed_page(
    request: Request,
    used: list[str],
    found: list[dict],
    size: int,
    cursor_after: Callable[[dict], object],
) -> Response:
    """A page of resources found in memory (computed, or served from code): the first `size`,
    and a `next` link whose `_cursor` is `cursor_after` the page's last one."""
    page = found[:size]
    next_url = None
    if len(found) > size:
        next_url = replace_query_param(
            request.build_absolute_uri(), FhirPagination.cursor_query_param, cursor_after(page[-1])
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
        after = request.query_params.get(FhirPagination.cursor_query_param)
        if after is not None:
            found = [r for r in found if self.kind.position(r) > after]
        return computed_page(request, used, found, size, self.kind.position)


class FhirCatalogueViewSet(FhirViewMixin, viewsets.GenericViewSet):
    """Read and search a type served from code (fhir_api.kinds.CatalogueKind): the same
    resources for every clinic, ids that are words. No PHI: no audit event."""

    kind: ClassVar[CatalogueKind]
    lookup_url_kwarg = "id"
    error_codes = {"retrieve": (FhirCode.UNSUPPORTED_FORMAT,), "search": SEARCH_ERROR_CODES}

    def retrieve(self, request: Request, id: str | None = None) -> Response:
        check_format(request)
        found = next((r for r in self.kind.resources() if r["id"] == id), None)
        if found is None:
            raise NotFound(f"No {self.kind.name} has this id.")
        return Response(found)

    @action(detail=False, methods=["get"], url_path="", url_name="search")
    def search(self, request: Request) -> Response:
        check_format(request)
        for name in ("_include", "_revinclude"):
            if name in request.query_params:
                raise refuse(
                    name,
                    f"{self.kind.name} resources reference no records to include.",
                    FhirCode.UNSUPPORTED_INCLUDE,
                )
        matches, used = search_catalogue(
            dict(request.query_params.lists()),
            self.kind.search,
            self.kind.resources(),
            lenient=is_lenient(request),
        )
        # A handful of resources: pages by their position, `_cursor` the first one's.
        size = FhirPagination().get_page_size(request)
        start = self._start(request)
        return computed_page(request, used, list(matches[start:]), size, lambda _: start + size)

    def _start(self, request: Request) -> int:
        raw = request.query_params.get(FhirPagination.cursor_query_param, "0")
        if not raw.isdigit() or len(raw) > 9:
            raise refuse(
                FhirPagination.cursor_query_param,
                "Not a cursor of this search: follow the Bundle's `next` link.",
            )
        return int(raw)


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
class PatientViewSet(BreakGlassReadMixin, FhirReadViewSet):
    """Patients (US Core Patient): every role reads demographics; under a break-glass grant
    for the patient (accounts.break_glass), the front desk reads the patient's $everything as
    a clinician does, each read audited as `break_glass_read`."""

    kind = PATIENT
    permission_classes = [HasRole.of(*PATIENT.readers)]
    audit_actions = {"everything": AuditAction.READ}
    break_glass_patient_kwarg = "id"

    @extend_schema(
        operation_id="fhir_patient_everything",
        extensions={"x-fhir-operation": "$everything"},
        summary="Everything about a patient the caller may read, in one Bundle",
        description="The patient and every resource of theirs whose type the caller's role "
        "reads (the front desk: demographics, appointments, coverage; under a break-glass "
        "grant for the patient, what a clinician reads, audited as `break_glass_read`), at most "
        f"{EVERYTHING_MAX_PER_TYPE} per type: a type cut short is named in an "
        "OperationOutcome entry, with the search that pages through it. `_type` "
        "(comma-separated) keeps some types only.",
        parameters=[
            OpenApiParameter("_type", OpenApiTypes.STR, description="Resource types, by commas.")
        ],
        request=None,
        responses={200: resource_schema("Bundle")},
        tags=["FHIR"],
    )
    @action(detail=True, methods=["get"], url_path=r"\$everything", url_name="everything")
    def everything(self, request: Request, id: str | None = None) -> Response:
        check_format(request)
        patient = self.get_object()
        raw_types = request.query_params.get("_type")
        types = {name.strip() for name in raw_types.split(",")} if raw_types else None
        record = patient_record(
            request,
            patient=patient,
            user=request_user(request),
            kinds=KINDS,
            types=types,
            context=search_context(request),
        )
        self.audit_touched(*(row for _, row in record.rows))
        base = fhir_base(request)
        bundle = searchset(
            base=base,
            self_url=request.build_absolute_uri(),
            next_url=None,
            matches=[self.kind.resource(patient)]
            + [kind.resource(row) for kind, row in record.rows],
            included=[],
        )
        for name in record.cut:
            bundle.setdefault("entry", []).append(
                {
                    "resource": operation_outcome(
                        [
                            issue(
                                status=200,
                                code="truncated",
                                text=f"Only the first {EVERYTHING_MAX_PER_TYPE} {name} resources "
                                f"are here: search {base}/{name}?patient={patient.pk} for all.",
                                severity="warning",
                                issue_type="incomplete",
                            )
                        ]
                    ),
                    "search": {"mode": "outcome"},
                }
            )
        return Response(bundle)


@extend_schema_view(retrieve=read_schema(CONDITION), search=search_schema(CONDITION))
class ConditionViewSet(FhirReadViewSet):
    """Conditions (US Core Condition Problems and Health Concerns): clinicians only."""

    kind = CONDITION
    permission_classes = [HasRole.of(*CONDITION.readers)]


@extend_schema_view(retrieve=read_schema(OBSERVATION), search=search_schema(OBSERVATION))
class ObservationViewSet(FhirReadViewSet):
    """Outcome scores (US Core Observation Screening Assessment): who reads outcome measures."""

    kind = OBSERVATION
    permission_classes = [HasRole.of(*OBSERVATION.readers)]


@extend_schema_view(
    retrieve=read_schema(QUESTIONNAIRE_RESPONSE), search=search_schema(QUESTIONNAIRE_RESPONSE)
)
class QuestionnaireResponseViewSet(FhirReadViewSet):
    """The answers of ODI and NDI questionnaires: who reads outcome measures."""

    kind = QUESTIONNAIRE_RESPONSE
    permission_classes = [HasRole.of(*QUESTIONNAIRE_RESPONSE.readers)]


@extend_schema_view(
    retrieve=read_schema(QUESTIONNAIRE_KIND), search=search_schema(QUESTIONNAIRE_KIND)
)
class QuestionnaireViewSet(FhirCatalogueViewSet):
    """The ODI and NDI Questionnaires: every role reads them (no PHI)."""

    kind = QUESTIONNAIRE_KIND
    permission_classes = [HasRole.of(*QUESTIONNAIRE_KIND.readers)]


@extend_schema_view(retrieve=read_schema(PRACTITIONER), search=search_schema(PRACTITIONER))
class PractitionerViewSet(FhirReadViewSet):
    """Practitioners (US Core Practitioner): every role reads them, as the REST directory."""

    kind = PRACTITIONER
    permission_classes = [HasRole.of(*PRACTITIONER.readers)]


@extend_schema_view(
    retrieve=read_schema(PRACTITIONER_ROLE), search=search_schema(PRACTITIONER_ROLE)
)
class PractitionerRoleViewSet(FhirReadViewSet):
    """Practitioners' roles at the clinic (US Core PractitionerRole): every role reads them."""

    kind = PRACTITIONER_ROLE
    permission_classes = [HasRole.of(*PRACTITIONER_ROLE.readers)]


@extend_schema_view(retrieve=read_schema(ORGANIZATION), search=search_schema(ORGANIZATION))
class OrganizationViewSet(FhirReadViewSet):
    """The caller's clinic (US Core Organization): every role reads it."""

    kind = ORGANIZATION
    permission_classes = [HasRole.of(*ORGANIZATION.readers)]


@extend_schema_view(retrieve=read_schema(LOCATION), search=search_schema(LOCATION))
class LocationViewSet(FhirReadViewSet):
    """The clinic's premises (US Core Location): every role reads them."""

    kind = LOCATION
    permission_classes = [HasRole.of(*LOCATION.readers)]


@extend_schema_view(retrieve=read_schema(COVERAGE), search=search_schema(COVERAGE))
class CoverageViewSet(FhirReadViewSet):
    """Coverage (US Core Coverage): every role reads it, as the REST API's coverage."""

    kind = COVERAGE
    permission_classes = [HasRole.of(*COVERAGE.readers)]


@extend_schema_view(retrieve=read_schema(AUDIT_EVENT), search=search_schema(AUDIT_EVENT))
class AuditEventViewSet(FhirReadViewSet):
    """The audit trail (AuditEvent): clinic admins only, as the REST API's."""

    kind = AUDIT_EVENT
    permission_classes = [HasRole.of(*AUDIT_EVENT.readers)]


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
            *SEARCH_ERROR_CODES,
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


@extend_schema_view(retrieve=read_schema(ENCOUNTER), search=search_schema(ENCOUNTER))
class EncounterViewSet(FhirReadViewSet):
    """Visits (US Core Encounter): clinical roles; the front desk reads Appointments."""

    kind = ENCOUNTER
    permission_classes = [HasRole.of(*ENCOUNTER.readers)]


@extend_schema_view(retrieve=read_schema(PROCEDURE), search=search_schema(PROCEDURE))
class ProcedureViewSet(FhirReadViewSet):
    """What was done at visits (US Core Procedure): clinical roles."""

    kind = PROCEDURE
    permission_classes = [HasRole.of(*PROCEDURE.readers)]


@extend_schema_view(retrieve=read_schema(PROVENANCE), search=search_schema(PROVENANCE))
class ProvenanceViewSet(FhirReadViewSet):
    """Signatures and amendments of visits (US Core Provenance): clinical roles."""

    kind = PROVENANCE
    permission_classes = [HasRole.of(*PROVENANCE.readers)]


@extend_schema_view(retrieve=read_schema(CAREPLAN), search=search_schema(CAREPLAN))
class CarePlanViewSet(FhirReadViewSet):
    """Treatment plans (US Core CarePlan): clinicians only. The REST API shows the front desk
    a summary of plans (that one exists, its dates and status); FHIR has no summary form of a
    CarePlan, so the desk is refused (403) here, as for the plan's goals and interventions."""

    kind = CAREPLAN
    permission_classes = [HasRole.of(*CAREPLAN.readers)]


@extend_schema_view(retrieve=read_schema(GOAL), search=search_schema(GOAL))
class GoalViewSet(FhirReadViewSet):
    """Goals of treatment plans (US Core Goal): who reads plan items in the REST API."""

    kind = GOAL
    permission_classes = [HasRole.of(*GOAL.readers)]


@extend_schema_view(retrieve=read_schema(SERVICE_REQUEST), search=search_schema(SERVICE_REQUEST))
class ServiceRequestViewSet(FhirReadViewSet):
    """Planned interventions (US Core ServiceRequest): who reads plan items in the REST API."""

    kind = SERVICE_REQUEST
    permission_classes = [HasRole.of(*SERVICE_REQUEST.readers)]


# Every resource type's viewset, routed by fhir_api.urls.
READ_VIEWSETS: list[type[FhirTypeViewSet] | type[FhirCatalogueViewSet]] = [
    PatientViewSet,
    PractitionerViewSet,
    PractitionerRoleViewSet,
    OrganizationViewSet,
    LocationViewSet,
    ConditionViewSet,
    ObservationViewSet,
    QuestionnaireResponseViewSet,
    QuestionnaireViewSet,
    EncounterViewSet,
    ProcedureViewSet,
    AppointmentViewSet,
    ScheduleViewSet,
    SlotViewSet,
    CoverageViewSet,
    ClaimViewSet,
    AuditEventViewSet,
    ProvenanceViewSet,
    CarePlanViewSet,
    GoalViewSet,
    ServiceRequestViewSet,
]
