"""Read-only reference data for front-end pickers."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reference import icd10
from reference.serializers import Icd10CodeSerializer, Icd10SearchQuerySerializer


class Icd10SearchView(APIView):
    """Search ICD-10-CM codes for a condition picker."""

    @extend_schema(
        operation_id="reference_icd10_search",
        summary="Search ICD-10-CM codes (chiropractic codes first)",
        parameters=[Icd10SearchQuerySerializer],
        responses={200: Icd10CodeSerializer(many=True)},
        tags=["reference"],
    )
    def get(self, request: Request) -> Response:
        query = Icd10SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        codes = icd10.search(
            query.validated_data["q"],
            billable_only=query.validated_data["billable"],
            limit=query.validated_data["limit"],
        )
        return Response(Icd10CodeSerializer(codes, many=True).data)


class Icd10CodeView(APIView):
    """Look one ICD-10-CM code up."""

    @extend_schema(
        operation_id="reference_icd10_retrieve",
        summary="Look up one ICD-10-CM code (with or without the dot)",
        parameters=[
            OpenApiParameter("code", str, OpenApiParameter.PATH, description="e.g. M54.50 or M5450")
        ],
        responses={200: Icd10CodeSerializer},
        tags=["reference"],
    )
    def get(self, request: Request, code: str) -> Response:
        found = icd10.lookup(code)
        if found is None:
            raise NotFound(f"'{code}' is not an ICD-10-CM code.")
        return Response(Icd10CodeSerializer(found).data)
