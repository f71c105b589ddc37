"""`GET /api/schema/`: the committed contract, `openapi.yaml`, as `make schema` built it and the
suite checks it against the code (tests/api/test_contract.py). Serving the file instead of
building the schema on request makes the docs (`/api/docs/`, `/api/redoc/`) ready at once:
a build takes tens of seconds of CPU in each new server process."""

import json
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

SCHEMA_FILE = Path(settings.BASE_DIR) / "openapi.yaml"


@cache
def schema_yaml() -> bytes:
    return SCHEMA_FILE.read_bytes()


@cache
def schema_json() -> bytes:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(schema_yaml(), Loader=loader)  # noqa: S506 (a safe loader)
    # Examples' dates are read as dates by YAML: JSON writes them back as the text they were.
    return json.dumps(document, ensure_ascii=False, default=str).encode()


class CommittedSchemaView(APIView):
    """The OpenAPI 3.1 document: YAML (`application/vnd.oai.openapi`) by default, JSON with
    `?format=json` or `Accept: application/vnd.oai.openapi+json`."""

    renderer_classes = [
        OpenApiYamlRenderer,
        OpenApiYamlRenderer2,
        OpenApiJsonRenderer,
        OpenApiJsonRenderer2,
    ]
    permission_classes = [AllowAny]
    authentication_classes: list = []
    schema = None  # the contract does not describe where it is served

    def get(self, request: Request) -> HttpResponse:
        body = schema_json() if request.accepted_renderer.format == "json" else schema_yaml()
        return HttpResponse(body, content_type=request.accepted_media_type)
