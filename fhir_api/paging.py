"""Pages of a FHIR search: `_count` rows (20 by default, at most 100) and a `next` link."""

import re

from rest_framework import serializers
from rest_framework.exceptions import NotFound

from api.error_codes import ApiCode
from api.pagination import CursorPagination
from fhir_api.error_codes import FhirCode


class FhirPagination(CursorPagination):
    """Cursor pages (stable under inserts, as fast deep as shallow) in FHIR's parameters.

    `_count` asks for a page size; FHIR lets a server answer fewer, so more than 100 is
    answered 100 at a time, with a `next` link, rather than refused.
    """

    page_size = 20
    max_page_size = 100
    page_size_query_param = "_count"
    cursor_query_param = "_cursor"
    error_codes = (ApiCode.INVALID_PAGE_SIZE,)

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
            raise serializers.ValidationError(
                {
                    self.page_size_query_param: [
                        serializers.ErrorDetail(
                            "A whole number of at least 1 (pages hold at most "
                            f"{self.max_page_size}).",
                            code=ApiCode.INVALID_PAGE_SIZE,
                        )
                    ]
                }
            )
        return min(int(raw), self.max_page_size)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise serializers.ValidationError(
                {
                    self.cursor_query_param: [
                        serializers.ErrorDetail(
                            "Not a cursor of this search: follow the Bundle's `next` link.",
                            code=FhirCode.INVALID_SEARCH_VALUE,
                        )
                    ]
                }
            ) from None

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        return (view.kind.ordering,)
