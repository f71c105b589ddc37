"""The liveness and readiness probe: is the database answering, within a short time?

The probe opens its own connection rather than the request's: a database that accepts
connections and then never answers (a frozen server) would hold a pooled connection's query
forever, and the probe must answer within HEALTH_TIMEOUT_SECONDS whatever the database does.
"""

import asyncio

import psycopg
from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.database_faults import database_unavailable
from api.errors import SERVICE_UNAVAILABLE_RESPONSE


def connection_parameters() -> dict:
    """What psycopg needs to connect as the request's connection does."""
    parameters = connection.get_connection_params()
    parameters.pop("cursor_factory", None)  # Django's own sync classes
    parameters.pop("context", None)
    return parameters


async def _probe(parameters: dict, timeout: float) -> None:
    parameters = {**parameters, "connect_timeout": max(1, int(timeout))}
    async with await psycopg.AsyncConnection.connect(**parameters, autocommit=True) as probe:
        await probe.execute("SELECT 1")


def database_answers(timeout: float, parameters: dict | None = None) -> bool:
    """True when a fresh connection to the database runs `SELECT 1` within `timeout` s."""
    try:
        asyncio.run(
            asyncio.wait_for(_probe(parameters or connection_parameters(), timeout), timeout)
        )
    except (TimeoutError, psycopg.Error, OSError):
        return False
    return True


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok"], help_text="Always `ok` on 200.")
    database = serializers.ChoiceField(choices=["ok"], help_text="The database answered.")


class HealthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="healthz",
        summary="Health check: 200 when the database answers, 503 otherwise",
        description="Answers within `HEALTH_TIMEOUT_SECONDS` (default 2) whatever the database "
        "does: 503 when it refuses connections, fails, or does not answer in time.",
        responses={
            200: HealthSerializer,
            503: SERVICE_UNAVAILABLE_RESPONSE,
        },
        tags=["health"],
    )
    def get(self, request: Request) -> Response:
        if not database_answers(settings.HEALTH_TIMEOUT_SECONDS):
            raise database_unavailable()
        return Response({"status": "ok", "database": "ok"})
