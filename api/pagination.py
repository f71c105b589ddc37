"""Cursor pagination for every list: stable under inserts and fast at any depth."""

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    page_size_query_description = "Rows per page (default 25, at most 100)."
    max_page_size = 100
    ordering = "-created_at"

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["next"]["description"] = "URL of the next page; null on the last page."
        properties["previous"]["description"] = "URL of the previous page; null on the first page."
        if isinstance(properties["results"], dict):  # spectacular also passes a sentinel
            properties["results"]["description"] = "The rows of this page."
        return response
