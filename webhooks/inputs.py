"""The fields an endpoint's writes take (webhooks.services)."""

from typing import TypedDict


class EndpointFields(TypedDict, total=False):
    url: str
    description: str
    event_types: list[str]
    is_active: bool
