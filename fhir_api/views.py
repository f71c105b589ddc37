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

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAcceptable, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

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
from fhir_api.kinds import ResourceKind
from fhir_api.media import FhirAsJsonRenderer, FhirJsonParser, FhirJsonRenderer
from fhir_api.outcomes import issue, operation_outcome, outcome_of_errors
from fhir_api.paging import FhirPagination
from fhir_api.registry import KINDS, KINDS_BY_NAME
from fhir_api.resources.careplan import CAREPLAN
from fhir_api.resources.goal import GOAL
from fhir_api.resources.patient import PATIENT
from fhir_api.resources.servicerequest import SERVICE_REQUEST
from fhir_api.schema import read_schema, resource_schema, search_schema
from fhir_api.search import SearchContext, search_filter

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


class FhirReadViewSet(FhirViewMixin, UuidIdMixin, AuditedViewMixin, viewsets.GenericViewSet):
    """Read (`GET /fhir/R4/<type>/<id>`) and search (`GET /fhir/R4/<type>?…`) one type."""

    kind: ClassVar[ResourceKind]
    pagination_class = FhirPagination
    filter_backends: list = []
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    error_codes = {
        "retrieve": (FhirCode.UNSUPPORTED_FORMAT,),
        "search": (
            ApiCode.UNKNOWN_PARAMETER,
            ApiCode.INVALID_PAGE_SIZE,
            ApiCode.OUT_OF_RANGE,
            FhirCode.INVALID_SEARCH_VALUE,
            FhirCode.UNSUPPORTED_MODIFIER,
            FhirCode.UNSUPPORTED_INCLUDE,
            FhirCode.UNSUPPORTED_FORMAT,
        ),
    }

    @property
    def audit_resource(self) -> str:  # type: ignore[override]
        return self.kind.audit_resource

    @property
    def audit_patient_attr(self) -> str:  # type: ignore[override]
        return self.kind.patient_attr or "patient_id"

    def audit_action(self, request, changed: list[str]) -> str:
        if self.action == "search":
            searched = set(request.query_params) - PAGING_PARAMETERS
            return AuditAction.SEARCH if searched else AuditAction.LIST
        return super().audit_action(request, changed)

    def get_queryset(self):
        return self.kind.rows(request_user(self.request))

    def get_object(self):
        # Read as a search by id would be (in place of UuidIdMixin's queryset lookup), so that
        # rows kept in several tables (union rows, not a queryset) are read as those in one.
        try:
            key = uuid.UUID(self.kwargs[self.lookup_url_kwarg])
        except ValueError:
            raise NotFound(f"No {self.kind.name} has this id.") from None
        found = list(self.get_queryset().filter(pk=key)[:1])
        if not found:
            raise NotFound(f"No {self.kind.name} has this id.")
        self.check_object_permissions(self.request, found[0])
        self.audit_touched(found[0])
        return found[0]

    def retrieve(self, request: Request, id: str | None = None) -> Response:
        check_format(request)
        resource = self.kind.resource(self.get_object())
        headers = {}
        version = resource.get("meta", {}).get("versionId")
        if version is not None:
            headers["ETag"] = f'W/"{version}"'
        return Response(resource, headers=headers)

    @action(detail=False, methods=["get"], url_path="", url_name="search")
    def search(self, request: Request) -> Response:
        check_format(request)
        lenient = "handling=lenient" in request.headers.get("Prefer", "").replace(" ", "")
        user = request_user(request)
        where, used = search_filter(
            dict(request.query_params.lists()),
            self.kind.search,
            SearchContext(clinic_id=user.clinic_id, zone=ZoneInfo(user.staff_clinic.time_zone)),
            lenient=lenient,
        )
        page = self.paginate_queryset(self.get_queryset().filter(where)) or []
        included = inclusions(request, self.kind, page, KINDS_BY_NAME, user)
        self.audit_touched(*page, *(row for inclusion in included for row in inclusion.rows))
        kept = [(key, value) for key in used for value in request.query_params.getlist(key)]
        kept += [
            (key, value)
            for key in ("_count", "_include", "_revinclude")
            for value in request.query_params.getlist(key)
        ]
        self_url = request.build_absolute_uri(request.path)
        if kept:
            self_url = f"{self_url}?{urlencode(kept)}"
        return Response(
            searchset(
                base=fhir_base(request),
                self_url=self_url,
                next_url=self._next_link(),
                matches=[self.kind.resource(row) for row in page],
                included=[
                    inclusion.kind.resource(row) for inclusion in included for row in inclusion.rows
                ],
            )
        )

    def _next_link(self) -> str | None:
        paginator = self.paginator
        return paginator.get_next_link() if isinstance(paginator, FhirPagination) else None


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
    audit_actions = {"everything": AuditAction.READ}

    @extend_schema(
        operation_id="fhir_patient_everything",
        extensions={"x-fhir-operation": "$everything"},
        summary="Everything about a patient the caller may read, in one Bundle",
        description="The patient and every resource of theirs whose type the caller's role "
        "reads (the front desk: demographics, appointments, coverage), at most "
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
            request, patient=patient, user=request_user(request), kinds=KINDS, types=types
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
READ_VIEWSETS: list[type[FhirReadViewSet]] = [
    PatientViewSet,
    CarePlanViewSet,
    GoalViewSet,
    ServiceRequestViewSet,
]
