"""JSON answers rendered by orjson: the same bytes as DRF's JSONRenderer, several times faster
on a page of a hundred nested rows.

What orjson writes differently is handed to DRF's own encoder (dates, times and decimals
through its `default`, as DRF formats them) or to DRF's renderer altogether (an indent asked
for in the Accept header, an integer past 64 bits, text that is not valid Unicode). Line and
paragraph separators are escaped as DRF does. One difference is kept: a float that is not a
number (none can be stored through the API: every number has a range) is written as null,
where DRF's renderer would fail the whole answer with a 500.
"""

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from api.mixin_bases import APIViewBase

_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)
_SEPARATORS = (("\u2028".encode(), b"\\u2028"), ("\u2029".encode(), b"\\u2029"))


_default = JSONEncoder().default


class OrjsonRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        for raw, escaped in _SEPARATORS:
            if raw in rendered:
                rendered = rendered.replace(raw, escaped)
        return rendered


class DocumentRenderer(BaseRenderer):
    """A document the view made itself (its bytes), passed through; subclasses name its type."""

    def render(
        self,
        data: bytes,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return data


class PdfRenderer(DocumentRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"


class ErrorsAsJsonMixin(APIViewBase):
    """For views that answer documents (PDF): errors still answer in the API's one JSON
    shape, whatever the client accepted."""

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and response.status_code >= 400:
            # DRF renders with the request's negotiated renderer.
            request.accepted_renderer = OrjsonRenderer()
            request.accepted_media_type = OrjsonRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
