"""`POST /fhir/R4/`: a transaction or batch Bundle imported into the caller's clinic.

Clinicians only, as conditions are; each entry is written only where the REST API would let
the caller write it (outcome measures: chiropractors). One audit event names the records the
entries became and their patients.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from api.parsers import LargeJSONParser
from api.permissions import CLINICAL_ROLES, HasRole
from audit.recording import AuditedViewMixin, Event
from clinics.request_user import request_user
from fhir_api.media import FHIR_JSON, FhirBundleParser
from fhir_api.outcomes import issue, operation_outcome
from fhir_api.schema import FORMAT_PARAMETER, resource_schema
from fhir_api.views import FhirViewMixin, check_format, fhir_base
from fhir_import.answers import refusal, response_bundle
from fhir_import.bundle import BundleRefused
from fhir_import.declared import import_error_codes
from fhir_import.schema import IMPORT_BUNDLE_REF, IMPORT_RESPONSE_BUNDLE_REF
from fhir_import.services import ImportResult, bundle_import

OUTCOME = resource_schema("OperationOutcome")


class BundleViewSet(FhirViewMixin, AuditedViewMixin, viewsets.GenericViewSet):
    """Imports a Bundle (fhir_import.services) and answers what became of each entry."""

    permission_classes = [HasRole.of(*CLINICAL_ROLES)]
    parser_classes = [FhirBundleParser, LargeJSONParser]
    audit_resource = "fhir_import"
    error_codes = {"create": import_error_codes()}
    _result: ImportResult | None = None

    @property
    def max_body_bytes(self) -> int:
        """A Bundle may hold a patient's years of records (the parsers read this)."""
        return int(settings.FHIR_IMPORT_MAX_BODY_BYTES)

    @extend_schema(
        operation_id="fhir_import",
        summary="Import a transaction or batch Bundle of patients' records: conditions, "
        "coverage, treatment plans, visits and outcome measures",
        description="Creates each entry's record in the caller's clinic through the same "
        "checks as the REST API. Posting the same Bundle again creates nothing: an entry whose "
        "identifier (else fullUrl) was imported before answers `200 OK` with its record. "
        "What cannot be kept here is reported per entry, never dropped silently: other "
        "resource types, conditions without an ICD-10-CM code or a certain body region, "
        "observations other than the pain score (LOINC 72514-3) and the NDI and ODI totals of "
        "the QuestionnaireResponses they are derived from. A CarePlan becomes a treatment plan "
        "with its Goals and ServiceRequests; an Encounter a visit with the Procedures naming "
        "it as its performed items (`finished`: signed by the importing chiropractor; "
        "`in-progress`: a draft).\n\nA `transaction` imports "
        "all its entries or none: the first refused entry answers its status with an "
        "OperationOutcome naming it (`Bundle.entry[3].resource.birthDate`). A `batch` imports "
        "each entry on its own and answers 200 with every entry's status. At most "
        "`FHIR_IMPORT_MAX_ENTRIES` entries (500) and `FHIR_IMPORT_MAX_BODY_BYTES` (8 MiB).",
        parameters=[FORMAT_PARAMETER],
        request={FHIR_JSON: IMPORT_BUNDLE_REF, "application/json": IMPORT_BUNDLE_REF},
        responses={
            200: OpenApiResponse(
                IMPORT_RESPONSE_BUNDLE_REF,
                description="Each entry's status, in the Bundle's order: `201 Created`, `200 OK` "
                "(imported before: nothing written) or, in a batch, why it was refused.",
            ),
            409: OpenApiResponse(
                OUTCOME,
                description="A transaction's entry refers to an archived patient; nothing was "
                "written.",
            ),
            413: OpenApiResponse(
                OUTCOME,
                description="The body is over `FHIR_IMPORT_MAX_BODY_BYTES` (`request_too_large`) "
                "or the Bundle has more than `FHIR_IMPORT_MAX_ENTRIES` entries "
                "(`too_many_entries`); nothing was read or written.",
            ),
            422: OpenApiResponse(
                OUTCOME,
                description="A transaction's entry cannot be kept here (its type, its codes) or "
                "refers to no patient of this clinic; nothing was written.",
            ),
        },
        tags=["FHIR"],
    )
    def create(self, request: Request) -> Response:
        check_format(request)
        try:
            self._result = bundle_import(
                body=request.data, user=request_user(request), context=self.get_serializer_context()
            )
        except BundleRefused as refused:
            found = issue(
                status=refused.status,
                code=refused.code,
                text=refused.text,
                expression=refused.expression,
            )
            return Response(operation_outcome([found]), status=refused.status)
        if self._result.refused is not None:
            return Response(refusal(self._result.refused), status=self._result.refused.status)
        return Response(response_bundle(self._result, base=fhir_base(request)))

    def audit_event(self, request, response) -> Event:
        """The records the Bundle's entries became (written or imported before) and their
        patients, in the Bundle's order, up to the event's limits."""
        event = super().audit_event(request, response)
        answers = self._result.answers if self._result is not None else []
        event.object_ids = [answer.record_id for answer in answers if answer.record_id]
        event.patient_ids = [answer.patient_id for answer in answers if answer.patient_id]
        return event
