"""The feed's pages: the events after a cursor (the last `seq` read), in order."""

import re

from rest_framework import serializers
from rest_framework.response import Response

from api.errors import Gone
from api.pagination import CursorPagination
from changes.error_codes import FeedCode
from changes.selectors import feed_horizon
from clinics.request_user import request_user


class FeedPagination(CursorPagination):
    """`after` and `page_size`; the answer's `next_cursor` is the `after` of the next call,
    also when the page is empty, so that a poller never reads an event twice nor skips one."""

    after_query_param = "after"
    page_size = 100
    page_size_query_description = "Events per page (default 100, at most 100; more is refused)."
    error_codes = (
        *CursorPagination.error_codes,
        FeedCode.CURSOR_EXPIRED,
        FeedCode.CURSOR_AHEAD,
        FeedCode.INVALID_CURSOR,
    )

    def paginate_queryset(self, queryset, request, view=None):
        after = self._after(request)
        page_size = self.get_page_size(request)
        horizon = feed_horizon(clinic_id=request_user(request).staff_clinic_id)
        if after < horizon.purged_through:
            raise Gone(
                f"Events up to {horizon.purged_through} are no longer kept: read the records "
                "again, then follow the feed from its end.",
                code=FeedCode.CURSOR_EXPIRED,
            )
        if after > horizon.last_seq:
            raise serializers.ValidationError(
                {
                    self.after_query_param: [
                        serializers.ErrorDetail(
                            f"The feed ends at {horizon.last_seq}.", code=FeedCode.CURSOR_AHEAD
                        )
                    ]
                }
            )
        rows = list(queryset.filter(seq__gt=after).order_by("seq")[: page_size + 1])
        self.has_more = len(rows) > page_size
        page = rows[:page_size]
        # Every event numbered by the time the horizon was read has been considered, matched
        # by the filters or not: the next call need not look at them again.
        last_read = page[-1].seq if page else after
        self.next_after = last_read if self.has_more else max(last_read or 0, horizon.last_seq)
        return page

    def _after(self, request) -> int:
        raw = request.query_params.get(self.after_query_param, "0")
        if not re.fullmatch(r"[0-9]{1,18}", raw):
            raise serializers.ValidationError(
                {
                    self.after_query_param: [
                        serializers.ErrorDetail(
                            "A cursor is the `seq` of the last event read (a whole number), "
                            "or 0 for the feed's start.",
                            code=FeedCode.INVALID_CURSOR,
                        )
                    ]
                }
            )
        return int(raw)

    def get_paginated_response(self, data) -> Response:
        return Response(
            {"next_cursor": str(self.next_after), "has_more": self.has_more, "results": data}
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        results = schema
        if isinstance(schema, dict):  # spectacular also passes a sentinel
            results = {**schema, "description": "The events after `after`, in order."}
        return {
            "type": "object",
            "required": ["next_cursor", "has_more", "results"],
            "properties": {
                "next_cursor": {
                    "type": "string",
                    "description": "Pass it as `after` on the next call (store it once the "
                    "page's events are handled). Present on every page, the last included.",
                    "example": "977",
                },
                "has_more": {
                    "type": "boolean",
                    "example": False,
                    "description": "More events are waiting: call again at once. False: the "
                    "feed is read to its end; poll again later (or subscribe a webhook).",
                },
                "results": results,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.after_query_param,
                "required": False,
                "in": "query",
                "description": "The `next_cursor` of the previous call (the `seq` of the last "
                "event read); 0 or absent: from the oldest event kept. A cursor older than "
                "what the feed keeps answers 410 `cursor_expired`.",
                "schema": {"type": "string", "pattern": "^[0-9]{1,18}$", "default": "0"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": self.page_size_query_description,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                },
            },
        ]
