"""The liveness and readiness probe: is the database answering?"""

from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import SERVICE_UNAVAILABLE_RESPONSE, ServiceUnavailable


class HealthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="healthz",
        summary="Health check: 200 when the database answers, 503 otherwise",
        responses={
            200: inline_serializer(
                "Health",
                {
                    "status": serializers.ChoiceField(
                        choices=["ok"], help_text="Always `ok` on 200."
                    ),
                    "database": serializers.ChoiceField(
                        choices=["ok"], help_text="The database answered."
                    ),
                },
            ),
            503: SERVICE_UNAVAILABLE_RESPONSE,
        },
        tags=["health"],
    )
    def get(self, request: Request) -> Response:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError as error:
            raise ServiceUnavailable(
                "The database is not answering.", code="database_unavailable"
            ) from error
        return Response({"status": "ok", "database": "ok"})
