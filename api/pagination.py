"""Cursor pagination for every list: stable under inserts and fast at any depth."""

import re
from urllib.parse import parse_qs, urlsplit

from rest_framework import pagination, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.error_codes import ApiCode, ErrorCodes


class CursorPagination(pagination.CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    page_size_query_description = "Rows per page (default 25, at most 100; more is refused)."
    max_page_size = 100
    ordering = "-created_at"
    # A cursor carries the last row's ordering value (a name of at most 150 characters),
    # base64-encoded: far below this. A longer one is refused before it is decoded.
    max_cursor_length = 1024
    error_codes: tuple[ErrorCodes, ...] = (ApiCode.INVALID_PAGE_SIZE,)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and len(encoded) > self.max_cursor_length:
            raise NotFound(self.invalid_cursor_message)
        return super().decode_cursor(request)

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # Refused rather than cut down, so that a client never mistakes a short page for all.
        if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= self.max_page_size:
            raise serializers.ValidationError(
                {
                    self.page_size_query_param: [
                        serializers.ErrorDetail(
                            f"A whole number from 1 to {self.max_page_size}.",
                            code=ApiCode.INVALID_PAGE_SIZE,
                        )
                    ]
                }
            )
        return int(raw)

    def get_paginated_response(self, data) -> Response:
        next_link, previous_link = self.get_next_link(), self.get_previous_link()
        return Response(
            {
                "next": next_link,
                "previous": previous_link,
                "next_cursor": self._cursor_of(next_link),
                "previous_cursor": self._cursor_of(previous_link),
                "results": data,
            }
        )

    def _cursor_of(self, link: str | None) -> str | None:
        if link is None:
            return None
        return parse_qs(urlsplit(link).query).get(self.cursor_query_param, [None])[0]

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["next"]["description"] = "URL of the next page; null on the last page."
        properties["next"]["example"] = (
            "https://api.example-clinic.com/api/v1/patients/?cursor=cD0yMDI2LTExLTI1"
        )
        properties["previous"]["description"] = "URL of the previous page; null on the first page."
        properties["previous"]["example"] = None
        properties["next_cursor"] = {
            "description": "The `cursor` query parameter of the next page (what `next` carries); "
            "null on the last page.",
            "example": "cD0yMDI2LTExLTI1",
        }
        properties["previous_cursor"] = {
            "description": "The `cursor` query parameter of the previous page; null on the "
            "first page.",
            "example": None,
        }
        # OpenAPI 3.1 writes null as a type (DRF's base still writes 3.0's `nullable`).
        for name in ("next", "previous", "next_cursor", "previous_cursor"):
            properties[name].pop("nullable", None)
            properties[name]["type"] = ["string", "null"]
        if isinstance(properties["results"], dict):  # spectacular also passes a sentinel
            properties["results"]["description"] = "The rows of this page."
        properties["results"] = properties.pop("results")  # last, after the paging fields
        # Always sent, so that generated clients need not treat them as optional.
        response["required"] = ["next", "previous", "next_cursor", "previous_cursor", "results"]
        return response

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["schema"] = {"type": "string", "maxLength": self.max_cursor_length}
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters
