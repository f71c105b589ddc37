"""Optimistic concurrency: a version per row, exposed as `ETag` and checked against `If-Match`.

Clients that send `If-Match` with the ETag they read get 412 when someone else changed the row
meanwhile; clients that send no `If-Match` update unconditionally (last write wins).
"""

from typing import Any

from django.db import models
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import PreconditionFailed
from api.mixin_bases import GenericAPIViewBase


class VersionedModel(models.Model):
    """A row whose every save bumps `version`, the basis of its ETag."""

    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Increases by one with every change."
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


def if_match_satisfied(header: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.1: `*` or any listed tag equal to the current one (weakness ignored)."""
    if header is None:
        return True
    candidates = [tag.strip() for tag in header.split(",")]
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in candidates)


# The `version` field's description, the same on every versioned resource.
VERSION_HELP = {"help_text": "Increases with every change; the `ETag` is this number in quotes."}

IF_MATCH_PARAMETER = OpenApiParameter(
    name="If-Match",
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "The `ETag` you last read. When it no longer matches, nothing changes and the answer is "
        "412. Without this header the update is applied unconditionally."
    ),
)


class ETagMixin(GenericAPIViewBase):
    """For viewsets over a VersionedModel: send `ETag`, honour `If-Match` on writes.

    The object is re-read with `SELECT … FOR UPDATE` before the comparison, so two concurrent
    writers holding the same ETag cannot both succeed. Serializers expose `version`; any
    successful response whose body carries it gets the matching `ETag` header.
    """

    def get_object(self) -> Any:
        obj = super().get_object()
        if self.request.method in SAFE_METHODS:
            return obj
        locked = type(obj)._base_manager.select_for_update().get(pk=obj.pk)
        if not if_match_satisfied(self.request.headers.get("If-Match"), locked.etag):
            raise PreconditionFailed()
        return locked

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        data = getattr(response, "data", None)
        if response.status_code < 300 and isinstance(data, dict) and "version" in data:
            response["ETag"] = f'"{data["version"]}"'
        return super().finalize_response(request, response, *args, **kwargs)
