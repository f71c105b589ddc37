"""Read-only reference data for front-end pickers."""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.error_codes import ApiCode
from api.filters import KnownQueryParametersFilter
from api.permissions import ReferenceWritePermission
from api.querysets import declared_queryset
from clinics.request_user import request_user
from idempotency.replay import IdempotentPostMixin
from reference import icd10
from reference.models import (
    BodyRegion,
    ClinicExtensibleModel,
    Exercise,
    Listing,
    Muscle,
    Segment,
    SoftTissueModality,
    Technique,
)
from reference.serializers import (
    ExerciseSerializer,
    Icd10CodeSerializer,
    Icd10SearchQuerySerializer,
    ListingSerializer,
    MuscleSerializer,
    SegmentSerializer,
    SoftTissueModalitySerializer,
    TechniqueSerializer,
)
from reference.services import exercise_add, technique_add


class Icd10SearchView(APIView):
    """Search ICD-10-CM codes for a condition picker."""

    error_codes = {
        "get": (
            ApiCode.BLANK,
            ApiCode.INVALID,
            ApiCode.MAX_LENGTH,
            ApiCode.MAX_STRING_LENGTH,
            ApiCode.MAX_VALUE,
            ApiCode.MIN_VALUE,
            ApiCode.NULL,
            ApiCode.NULL_CHARACTERS_NOT_ALLOWED,
            ApiCode.REQUIRED,
            ApiCode.SURROGATE_CHARACTERS_NOT_ALLOWED,
            ApiCode.UNKNOWN_PARAMETER,
        ),
    }

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


class ReferenceListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A short shipped list, returned whole (no pagination) for pickers."""

    pagination_class = None
    filter_backends = [KnownQueryParametersFilter]


@extend_schema_view(
    list=extend_schema(summary="Spinal segments and joints, head to toe, with CMT regions")
)
class SegmentViewSet(ReferenceListViewSet):
    queryset = Segment.objects.all()
    serializer_class = SegmentSerializer


@extend_schema_view(
    list=extend_schema(summary="Listings (Gonstead) and restrictions (Diversified)")
)
class ListingViewSet(ReferenceListViewSet):
    queryset = Listing.objects.all()
    serializer_class = ListingSerializer


@extend_schema_view(list=extend_schema(summary="Soft-tissue modalities with their CPT codes"))
class SoftTissueModalityViewSet(ReferenceListViewSet):
    queryset = SoftTissueModality.objects.all()
    serializer_class = SoftTissueModalitySerializer


@extend_schema_view(list=extend_schema(summary="Muscles commonly treated"))
class MuscleViewSet(ReferenceListViewSet):
    queryset = Muscle.objects.all()
    serializer_class = MuscleSerializer


class ClinicExtensibleViewSet(IdempotentPostMixin, mixins.CreateModelMixin, ReferenceListViewSet):
    """Shipped entries plus the clinic's own; clinicians may add their own."""

    permission_classes = [ReferenceWritePermission]

    def get_queryset(self):
        queryset = declared_queryset(self)
        if queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no queryset.")
        return queryset.model.objects.available_to(request_user(self.request).staff_clinic_id)

    add_entry: Callable[..., ClinicExtensibleModel]  # the service that adds the clinic's own

    def perform_create(self, serializer) -> None:
        serializer.instance = self.add_entry(
            clinic=request_user(self.request).staff_clinic, **serializer.validated_data
        )


@extend_schema_view(
    list=extend_schema(summary="Adjusting techniques (shipped and your clinic's own)"),
    create=extend_schema(summary="Add a technique of your clinic's own"),
)
class TechniqueViewSet(ClinicExtensibleViewSet):
    error_codes = {
        "create": (ApiCode.UNIQUE,),
    }
    queryset = Technique.objects.none()
    serializer_class = TechniqueSerializer
    add_entry = staticmethod(technique_add)


@extend_schema_view(
    list=extend_schema(
        summary="The exercise library (shipped and your clinic's own)",
        parameters=[
            OpenApiParameter(
                "body_region",
                str,
                enum=BodyRegion.values,
                description="Only exercises for this region.",
            )
        ],
    ),
    create=extend_schema(summary="Add an exercise of your clinic's own"),
)
class ExerciseViewSet(ClinicExtensibleViewSet):
    error_codes = {
        "create": (ApiCode.UNIQUE,),
        "list": (ApiCode.INVALID_CHOICE,),
    }
    queryset = Exercise.objects.none()
    serializer_class = ExerciseSerializer
    add_entry = staticmethod(exercise_add)
    extra_query_parameters = ("body_region",)

    def get_queryset(self):
        exercises = super().get_queryset()
        region = self.request.query_params.get("body_region")
        if region and region not in BodyRegion.values:
            raise ValidationError(
                {
                    "body_region": [
                        ErrorDetail(
                            f"Choose one of {', '.join(BodyRegion.values)}.",
                            code=ApiCode.INVALID_CHOICE,
                        )
                    ]
                }
            )
        return exercises.filter(body_region=region) if region else exercises
