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
from fhir_api.kinds import ResourceKind
from fhir_api.media import FhirAsJsonRenderer, FhirJsonParser, FhirJsonRenderer
from fhir_api.outcomes import outcome_of_errors
from fhir_api.paging import FhirPagination
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
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if response.status_code >= 400 and isinstance(data, dict) and "errors" in data:
            response.data = outcome_of_errors(response.status_code, data["errors"])
        return response


class FhirReadViewSet(FhirViewMixin, AuditedViewMixin, viewsets.GenericViewSet):
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
        # Read as a search by id would be, so that rows kept in several tables (union rows,
        # which are not a queryset) are read the same way as those kept in one.
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
        self.audit_touched(*page)
        kept = [(key, value) for key in used for value in request.query_params.getlist(key)]
        kept += [(key, value) for key in ("_count",) for value in request.query_params.getlist(key)]
        self_url = request.build_absolute_uri(request.path)
        if kept:
            self_url = f"{self_url}?{urlencode(kept)}"
        return Response(
            searchset(
                base=fhir_base(request),
                self_url=self_url,
                next_url=self._next_link(),
                matches=[self.kind.resource(row) for row in page],
                included=[],
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
