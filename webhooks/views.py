"""Webhook endpoints (clinic admins): register, read, change, deactivate, enable, rotate the
secret, send a test event; each endpoint's delivery log and redelivery. Every call is audited."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from api.concurrency import IF_MATCH_PARAMETER, ETagMixin
from api.errors import CONFLICT_RESPONSE, WRITE_ERRORS
from api.filters import FilterListsOnlyMixin
from api.permissions import IsClinicAdmin
from api.querysets import declared_queryset
from api.schema import documented
from audit.models import AuditAction
from audit.recording import AuditedViewMixin
from clinics.request_user import request_user
from idempotency.replay import IdempotentPostMixin
from webhooks import services
from webhooks.error_codes import WebhookCode
from webhooks.filters import WebhookDeliveryFilter
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.selectors import delivery_list, endpoint_list
from webhooks.serializers import (
    RotatedSecretSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
)

URL_CODES = (
    WebhookCode.URL_SCHEME_REFUSED,
    WebhookCode.URL_ADDRESS_REFUSED,
    WebhookCode.URL_UNRESOLVABLE,
)


@documented(
    WebhookEndpointSerializer,
    list="List the clinic's webhook endpoints",
    retrieve="Get a webhook endpoint (never its secret)",
    partial_update="Change a webhook endpoint; `is_active: true` enables it again",
    destroy="Deactivate a webhook endpoint (nothing is deleted; its log is kept)",
)
class WebhookEndpointViewSet(
    IdempotentPostMixin,
    AuditedViewMixin,
    FilterListsOnlyMixin,
    ETagMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Where the clinic's change events are POSTed, signed (Standard Webhooks). No record
    history: an endpoint's versions would keep its secrets."""

    permission_classes = [IsClinicAdmin]
    queryset = WebhookEndpoint.objects.none()
    serializer_class = WebhookEndpointSerializer
    lookup_value_converter = "uuid"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]
    audit_resource = "webhook_endpoint"
    audit_patient_attr = ""
    audit_actions = {
        "enable": AuditAction.UPDATE,
        "rotate_secret": AuditAction.UPDATE,
        "send_test": AuditAction.CREATE,
    }
    error_codes = {
        ("create", "partial_update"): (*URL_CODES,),
        "send_test": (WebhookCode.ENDPOINT_INACTIVE,),
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return declared_queryset(self)
        return endpoint_list(user=request_user(self.request))

    def perform_create(self, serializer) -> None:
        endpoint = services.endpoint_create(
            clinic=request_user(self.request).staff_clinic, **serializer.validated_data
        )
        serializer.instance = endpoint

    @extend_schema(
        summary="Register a webhook endpoint; its secret is answered only now",
        responses={201: WebhookEndpointCreatedSerializer, 409: CONFLICT_RESPONSE},
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        body = WebhookEndpointCreatedSerializer(serializer.instance).data
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer) -> None:
        serializer.instance = services.endpoint_update(
            endpoint=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        services.endpoint_deactivate(endpoint=instance)

    @extend_schema(
        summary="Enable a webhook endpoint again (after a 410, failing, or deactivated)",
        description="Sending resumes where it stopped: the deliveries left pending first, "
        "then the events since, as far as the feed keeps them (CHANGE_FEED_RETENTION_DAYS).",
        request=None,
        parameters=[IF_MATCH_PARAMETER],
        responses={200: WebhookEndpointSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def enable(self, request: Request, pk=None) -> Response:
        endpoint = services.endpoint_enable(endpoint=self.get_object())
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Rotate the signing secret; the new one is answered only now",
        description="For WEBHOOK_SECRET_OVERLAP_HOURS (24 by default) each delivery carries "
        "the signatures of both secrets, so that the receiver can switch at its pace.",
        request=None,
        parameters=[IF_MATCH_PARAMETER],
        responses={200: RotatedSecretSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk=None) -> Response:
        endpoint, secret = services.endpoint_rotate_secret(endpoint=self.get_object())
        self.audit_changed("secret")
        body = {"secret": secret, "previous_secret_expires_at": endpoint.previous_secret_expires_at}
        return Response(RotatedSecretSerializer(body).data, headers={"ETag": endpoint.etag})

    @extend_schema(
        summary="Send a test event (`webhook.test`) now, through the delivery path",
        description="Answers the delivery; its attempts appear in the delivery log.",
        request=None,
        responses={202: WebhookDeliverySerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["post"], url_path="test")
    def send_test(self, request: Request, pk=None) -> Response:
        delivery = services.endpoint_send_test(endpoint=self.get_object())
        self.audit_touched(delivery)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryViewSet(
    IdempotentPostMixin, AuditedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """An endpoint's delivery log, newest first, and redelivery."""

    permission_classes = [IsClinicAdmin]
    queryset = WebhookDelivery.objects.none()
    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilter
    lookup_value_converter = "uuid"
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]
    audit_resource = "webhook_delivery"
    audit_patient_attr = ""
    audit_actions = {"redeliver": AuditAction.UPDATE}
    error_codes = {
        "redeliver": (WebhookCode.DELIVERY_PENDING, WebhookCode.ENDPOINT_INACTIVE),
    }

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if not getattr(self, "swagger_fake_view", False):
            self.get_endpoint()  # another clinic's endpoint is a 404 before anything else

    def get_endpoint(self) -> WebhookEndpoint:
        if not hasattr(self, "_endpoint"):
            self._endpoint = get_object_or_404(
                endpoint_list(user=request_user(self.request)), pk=self.kwargs["endpoint_pk"]
            )
        return self._endpoint

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return declared_queryset(self)
        return delivery_list(user=request_user(self.request), endpoint=self.get_endpoint())

    @extend_schema(
        summary="An endpoint's delivery log, newest first, with every attempt",
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Redeliver an event: the same body and `webhook-id`, on a fresh schedule",
        request=None,
        responses={202: WebhookDeliverySerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, *args, **kwargs) -> Response:
        delivery = self.get_object()
        delivery.endpoint = self.get_endpoint()
        services.delivery_redeliver(delivery=delivery)
        refreshed = self.get_queryset().get(pk=delivery.pk)
        return Response(WebhookDeliverySerializer(refreshed).data, status=status.HTTP_202_ACCEPTED)
