"""Billing's endpoints: coverage, cases, the fee schedule; a visit's coding, its corrections,
its claim data and superbill; a patient's statement."""

from decimal import Decimal

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.concurrency import IF_MATCH_PARAMETER, ETagMixin
from api.error_codes import ApiCode
from api.errors import CONFLICT_RESPONSE, WRITE_ERRORS, Conflict
from api.permissions import (
    BillingPermission,
    ClaimPaymentPermission,
    CoveragePermission,
    FeeSchedulePermission,
    may_read_clinical,
)
from api.renderers import ErrorsAsJsonMixin, OrjsonRenderer, PdfRenderer
from api.schema import documented
from audit.models import AuditAction
from audit.recording import AuditedViewMixin
from billing import services
from billing.claims import charged_lines, claim_data, claim_input, clinic_part, patient_part, total
from billing.documents import statement_pdf, superbill_pdf
from billing.error_codes import BillingCode
from billing.filters import CoverageFilter, FeeScheduleFilter, InsuranceCaseFilter
from billing.models import Coverage, FeeScheduleEntry, InsuranceCase
from billing.selectors import (
    billed_visits,
    case_list,
    corrections_of,
    coverage_list,
    fee_list,
    payments_of,
    statement_visits,
    visit_coding_answer,
)
from billing.serializers import (
    ClaimPaymentSerializer,
    ClaimSerializer,
    CodingCorrectionSerializer,
    CodingSerializer,
    CoverageSerializer,
    FeeScheduleEntrySerializer,
    InsuranceCaseSerializer,
    StatementQuerySerializer,
    StatementSerializer,
)
from billing.visit_coding import (
    CodingStatus,
    coding_status,
)
from clinics.request_user import request_user
from idempotency.replay import IdempotentPostMixin
from patients.error_codes import PatientCode
from patients.models import Patient
from patients.selectors import patient_list
from records.viewsets import ArchivableRecordViewSet
from reference.icd10 import displays_of
from treatments.models import Visit
from treatments.visits.error_codes import VisitCode

PDF = OpenApiResponse(OpenApiTypes.BINARY, description="A PDF document.")


class _BillingRecordViewSet(ArchivableRecordViewSet):
    ordering_fields = ["created_at"]
    ordering = ["created_at"]


@documented(
    CoverageSerializer,
    list="List coverage (insurance and other payers)",
    create="Record a patient's coverage",
    retrieve="Get a coverage",
    update="Replace a coverage",
    partial_update="Change a coverage",
    destroy="Archive a coverage (kept for the claims made under it)",
)
class CoverageViewSet(_BillingRecordViewSet):
    """Who pays for a patient's care; the front desk keeps it, everyone reads it."""

    error_codes = {
        ("create", "partial_update", "update"): (
            ApiCode.FUTURE_DATE,
            BillingCode.ENDS_BEFORE_START,
            PatientCode.TOO_OLD,
        ),
        ("partial_update", "update"): (ApiCode.IMMUTABLE,),
        "destroy": (BillingCode.COVERAGE_IN_USE,),
    }

    permission_classes = [CoveragePermission]
    queryset = Coverage.objects.none()
    serializer_class = CoverageSerializer
    filterset_class = CoverageFilter
    audit_resource = "coverage"
    history_model = "billing.CoverageEvent"

    def get_queryset(self) -> QuerySet[Coverage]:
        return coverage_list(user=request_user(self.request))

    def perform_create(self, serializer) -> None:
        serializer.instance = services.coverage_create(
            clinic=request_user(self.request).staff_clinic, **serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.coverage_update(
            coverage=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Coverage) -> None:
        services.coverage_archive(coverage=instance)


@documented(
    InsuranceCaseSerializer,
    list="List cases (authorisations, referrals, claims)",
    create="Open a case",
    retrieve="Get a case with the visits it has used",
    update="Replace a case",
    partial_update="Change a case",
    destroy="Close a case (kept)",
)
class InsuranceCaseViewSet(_BillingRecordViewSet):
    """Courses of care billed under one coverage, with their authorised visits."""

    error_codes = {
        ("create", "partial_update", "update"): (
            BillingCode.ENDS_BEFORE_START,
            PatientCode.OTHER_PATIENT,
        ),
        ("partial_update", "update"): (ApiCode.IMMUTABLE,),
    }

    permission_classes = [CoveragePermission]
    queryset = InsuranceCase.objects.none()
    serializer_class = InsuranceCaseSerializer
    filterset_class = InsuranceCaseFilter
    audit_resource = "insurance_case"
    history_model = "billing.InsuranceCaseEvent"

    def get_queryset(self) -> QuerySet[InsuranceCase]:
        return case_list(user=request_user(self.request))

    def perform_create(self, serializer) -> None:
        case = services.case_create(
            clinic=request_user(self.request).staff_clinic, **serializer.validated_data
        )
        serializer.instance = self.refreshed(case)

    def perform_update(self, serializer) -> None:
        case = services.case_update(case=serializer.instance, **serializer.validated_data)
        serializer.instance = self.refreshed(case)

    def perform_destroy(self, instance: InsuranceCase) -> None:
        services.case_close(case=instance)


@documented(
    FeeScheduleEntrySerializer,
    list="List the clinic's fees",
    create="Add a fee",
    retrieve="Get a fee",
    update="Replace a fee",
    partial_update="Change a fee (e.g. end it)",
    destroy="Withdraw a fee (kept)",
)
class FeeScheduleViewSet(_BillingRecordViewSet):
    """What the clinic charges per code; clinic admins keep it, everyone reads it."""

    error_codes = {
        ("create", "partial_update", "update"): (
            BillingCode.ENDS_BEFORE_START,
            BillingCode.FEE_OVERLAPS,
        ),
        ("partial_update", "update"): (ApiCode.IMMUTABLE,),
    }

    permission_classes = [FeeSchedulePermission]
    queryset = FeeScheduleEntry.objects.none()
    serializer_class = FeeScheduleEntrySerializer
    filterset_class = FeeScheduleFilter
    ordering_fields = ["cpt", "effective_from"]
    ordering = ["cpt", "modifier", "effective_from"]
    audit_resource = "fee"
    audit_patient_attr = ""
    history_model = "billing.FeeScheduleEntryEvent"

    def get_queryset(self) -> QuerySet[FeeScheduleEntry]:
        return fee_list(user=request_user(self.request))

    def perform_create(self, serializer) -> None:
        serializer.instance = services.fee_create(
            clinic=request_user(self.request).staff_clinic, **serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.fee_update(
            fee=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: FeeScheduleEntry) -> None:
        services.fee_archive(fee=instance)


class VisitBillingViewSet(
    ErrorsAsJsonMixin, IdempotentPostMixin, AuditedViewMixin, ETagMixin, viewsets.GenericViewSet
):
    """A visit's billing: its coding, corrections, claim data and superbill."""

    error_codes = {
        ("POST claim_payments", "POST coding_corrections", "superbill"): (
            VisitCode.VISIT_NOT_SIGNED,
        ),
        "POST claim_payments": (
            ApiCode.FUTURE_DATE,
            BillingCode.BEFORE_SERVICE,
            BillingCode.COVERAGE_OF_ANOTHER_PATIENT,
        ),
        "POST coding_corrections": (
            BillingCode.NOTHING_TO_CORRECT,
            VisitCode.NOT_IN_PLAN,
            VisitCode.VISIT_DISCARDED,
        ),
    }

    pagination_class = None
    permission_classes = [BillingPermission]
    queryset = Visit.objects.none()
    lookup_value_converter = "uuid"
    filter_backends: list = []
    audit_resource = "visit_coding"
    audit_resources = {
        "claim": "visit_claim",
        "secondary_claim": "visit_claim",
        "claim_payments": "claim_payment",
        "superbill": "visit_superbill",
        "coding_corrections": "coding_correction",
    }
    audit_actions = {"coding_corrections": AuditAction.AMEND}
    serializer_classes = {"claim_payments": ClaimPaymentSerializer}

    def get_queryset(self) -> QuerySet[Visit]:
        return billed_visits(user=request_user(self.request))

    def get_serializer_class(self):
        return self.serializer_classes.get(self.action, CodingCorrectionSerializer)

    def audit_action(self, request, changed: list[str]) -> str:
        if request.method == "GET":
            return AuditAction.READ
        return super().audit_action(request, changed)

    @extend_schema(
        summary="The visit's billing lines, status and coding warnings",
        responses={200: CodingSerializer},
        tags=["visits"],
    )
    @action(detail=True, methods=["get"])
    def coding(self, request: Request, pk: str | None = None) -> Response:
        answer = visit_coding_answer(
            self.get_object(), clinical=may_read_clinical(request.user), single=True
        )
        return Response(CodingSerializer(answer).data)

    @extend_schema(
        summary="The CMS-1500 data the visit fills, with its charges",
        description="Patient, insured, diagnoses A–L, item 14 (the plan's start), the lines "
        "with place of service, modifiers, pointers, units and the fee schedule's charges, "
        "and the rendering and billing providers. `problems` lists what keeps it from being "
        "sent (an unsigned visit, no coverage, a missing fee or NPI).",
        responses={200: ClaimSerializer},
        tags=["visits"],
    )
    @action(detail=True, methods=["get"])
    def claim(self, request: Request, pk: str | None = None) -> Response:
        claim = claim_data(
            claim_input(self.get_object(), list(fee_list(user=request_user(request))))
        )
        return Response(ClaimSerializer(claim).data)

    @extend_schema(
        summary="The crossover claim: the visit's claim to the patient's secondary coverage",
        description="The same lines as the primary's claim, sent to the secondary coverage in "
        "effect on the date of service, with the primary as the other insured (items 9, 9a, "
        "9d, 11d) and the primary's recorded payments and adjustments (`prior_payments`, item "
        "29 `amount_paid`). `problems` says `no_secondary_coverage` when the patient has none "
        "and `primary_not_paid` until the primary's payment is recorded "
        "(`POST /visits/{id}/claim/payments/`).",
        responses={200: ClaimSerializer},
        tags=["visits"],
    )
    @action(detail=True, methods=["get"], url_path="secondary-claim")
    def secondary_claim(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        claim = claim_data(
            claim_input(
                visit,
                list(fee_list(user=request_user(request))),
                payments=list(payments_of(visit)),
                crossover=True,
            )
        )
        return Response(ClaimSerializer(claim).data)

    @extend_schema(
        methods=["GET"],
        summary="The payments recorded on the visit's claims, oldest first",
        responses={200: ClaimPaymentSerializer(many=True)},
        tags=["visits"],
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a payer's payment on the visit's claim (its remittance: amount, "
        "adjustments, date)",
        description="What the primary paid is what the crossover claim to the secondary "
        "carries (`GET /visits/{id}/secondary-claim/`). A payment is kept as recorded; a later "
        "remittance (a correction, a reversal) is recorded beside it.",
        request=ClaimPaymentSerializer,
        parameters=[IF_MATCH_PARAMETER],
        responses={201: ClaimPaymentSerializer, **WRITE_ERRORS},
        tags=["visits"],
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="claim/payments",
        permission_classes=[ClaimPaymentPermission],
    )
    def claim_payments(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        if request.method == "GET":
            found = list(payments_of(visit))
            self.audit_touched(*found)
            return Response(ClaimPaymentSerializer(found, many=True).data)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.claim_payment_record(
            visit=visit, by=request_user(request), **serializer.validated_data
        )
        self.audit_touched(payment)
        return Response(ClaimPaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The visit's superbill (PDF), for a patient who pays and claims themselves",
        description="Clinic header, patient, date of service, diagnoses, lines with charges and "
        "the total, for a signed visit (409 `visit_not_signed` otherwise). Answers "
        "`application/pdf`; errors answer JSON.",
        responses={(200, "application/pdf"): PDF, 409: CONFLICT_RESPONSE},
        tags=["visits"],
    )
    @action(detail=True, methods=["get"], renderer_classes=[PdfRenderer])
    def superbill(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        if coding_status(visit) != CodingStatus.FINAL:
            raise Conflict(
                "Only a signed visit's billing is final: sign the visit first.",
                code=VisitCode.VISIT_NOT_SIGNED,
            )
        claim = claim_data(claim_input(visit, list(fee_list(user=request_user(request)))))
        displays = displays_of([d["code"] for d in claim["diagnoses"]])
        return Response(
            superbill_pdf(claim, displays),
            content_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="superbill-{pk}.pdf"'},
        )

    @extend_schema(
        methods=["GET"],
        summary="The visit's coding corrections, oldest first",
        responses={200: CodingCorrectionSerializer(many=True)},
        tags=["visits"],
    )
    @extend_schema(
        methods=["POST"],
        summary="Correct a signed visit's billing (what was performed); the lines are derived "
        "again and the earlier coding is kept",
        request=CodingCorrectionSerializer,
        parameters=[IF_MATCH_PARAMETER],
        responses={201: CodingCorrectionSerializer, **WRITE_ERRORS},
        tags=["visits"],
    )
    @action(detail=True, methods=["get", "post"], url_path="coding-corrections")
    def coding_corrections(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        context = {"clinical": may_read_clinical(request.user)}
        if request.method == "GET":
            found = list(corrections_of(visit))
            return Response(CodingCorrectionSerializer(found, many=True, context=context).data)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        given = serializer.validated_data
        correction = services.coding_correct(
            visit=visit,
            by=request_user(request),
            as_sent={name: request.data[name] for name in given if name != "reason"},
            **given,
        )
        self.audit_changed("signed_coding", *correction.changes)
        return Response(CodingCorrectionSerializer(correction).data, status=status.HTTP_201_CREATED)


class PatientStatementViewSet(ErrorsAsJsonMixin, AuditedViewMixin, viewsets.GenericViewSet):
    """A patient's statement of charges."""

    error_codes = {
        "statement": (
            ApiCode.BLANK,
            ApiCode.DATETIME,
            ApiCode.INVALID,
            ApiCode.NULL,
            ApiCode.OUT_OF_RANGE,
            ApiCode.REQUIRED,
            ApiCode.UNKNOWN_PARAMETER,
            BillingCode.ENDS_BEFORE_START,
            BillingCode.RANGE_TOO_LONG,
            BillingCode.TOO_MANY_VISITS,
        ),
    }

    permission_classes = [BillingPermission]
    queryset = Patient.objects.none()
    lookup_value_converter = "uuid"
    filter_backends: list = []
    audit_resource = "statement"
    audit_patient_attr = "pk"

    def get_queryset(self) -> QuerySet[Patient]:
        return patient_list(user=request_user(self.request))

    @extend_schema(
        summary="A patient's statement: the signed visits' charges over a date range",
        description="JSON, or a PDF with `Accept: application/pdf`. For patients who pay "
        "(self-pay) and personal-injury cases; at most 366 days.",
        parameters=[StatementQuerySerializer],
        responses={200: StatementSerializer, (200, "application/pdf"): PDF},
        tags=["patients"],
    )
    @action(detail=True, methods=["get"], renderer_classes=[OrjsonRenderer, PdfRenderer])
    def statement(self, request: Request, pk: str | None = None) -> Response:
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        patient = self.get_object()
        date_from, date_to = query.validated_data["date_from"], query.validated_data["date_to"]
        user = request_user(request)
        fees = list(fee_list(user=user))
        visits: list[dict[str, object]] = []
        total_charge = Decimal("0.00")
        for visit in statement_visits(
            user=user, patient=patient, date_from=date_from, date_to=date_to
        ):
            claim = claim_input(visit, fees)
            lines = charged_lines(claim)
            visit_charge = total(lines)
            total_charge += visit_charge
            visits.append(
                {
                    "visit": visit.pk,
                    "date_of_service": claim.day,
                    "diagnoses": list(claim.coding.diagnoses),
                    "lines": lines,
                    "total_charge": visit_charge,
                }
            )
        statement = {
            "patient": patient_part(patient),
            "clinic": clinic_part(user.staff_clinic),
            "date_from": date_from,
            "date_to": date_to,
            "visits": visits,
            "total_charge": total_charge,
        }
        if request.accepted_renderer.format == "pdf":
            return Response(
                statement_pdf(statement),
                content_type="application/pdf",
                headers={"Content-Disposition": f'inline; filename="statement-{pk}.pdf"'},
            )
        return Response(StatementSerializer(statement).data)
