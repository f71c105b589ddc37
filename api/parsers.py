"""The one way a request body is read: JSON, bounded in size and in depth.

A body larger than API_MAX_BODY_BYTES (or, where a view reads larger documents, than its own
`max_body_bytes`: `LargeJSONParser`) answers 413 before it is read in full, and JSON nested
deeper than MAX_JSON_DEPTH answers 400 (`parse_error`): no body can make a worker recurse
until Python gives up, or hold it while megabytes are parsed and validated item by item.
A string holding a lone surrogate (`"\\ud800"`, valid JSON but not Unicode text, which neither
PostgreSQL nor the audit trail can store) answers 400 (`parse_error`) too.
"""

from collections.abc import Iterator

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils import json

from api.error_codes import ApiCode

# Our deepest body (a plan, its soft-tissue items, their muscles) nests four levels.
MAX_JSON_DEPTH = 32


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = "The request body is too large."


def _children(value: object) -> Iterator[object]:
    if isinstance(value, dict):
        yield from value.keys()
        yield from value.values()
    elif isinstance(value, list):
        yield from value


def _is_text(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def check_document(document: object) -> None:
    """Refuse a parsed document nested too deeply or holding a string that is not Unicode text
    (iteratively: no recursion)."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str) and not _is_text(value):
            raise exceptions.ParseError(
                "JSON parse error - a string holds a lone surrogate (such as \\ud800), "
                "which is not Unicode text."
            )
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise exceptions.ParseError(
                    f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
                )
            pending.extend((child, depth + 1) for child in _children(value))


def read_bounded(stream, *, limit: int, parser_context, strict: bool) -> object:
    """The JSON document of a body of at most `limit` bytes (see the module)."""
    request = (parser_context or {}).get("request")
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge(f"The request body is over {limit:,} bytes.")
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise RequestTooLarge(f"The request body is over {limit:,} bytes.")
    try:
        document = json.loads(
            body.decode(settings.DEFAULT_CHARSET),
            parse_constant=json.strict_constant if strict else None,
        )
    except RecursionError:
        raise exceptions.ParseError(
            f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
        ) from None
    except ValueError as error:
        raise exceptions.ParseError(f"JSON parse error - {error}") from None
    check_document(document)
    return document


class BoundedJSONParser(JSONParser):
    error_codes = (ApiCode.PARSE_ERROR, ApiCode.REQUEST_TOO_LARGE)

    def parse(self, stream, media_type=None, parser_context=None):
        return read_bounded(
            stream,
            limit=settings.API_MAX_BODY_BYTES,
            parser_context=parser_context,
            strict=self.strict,
        )


class LargeJSONParser(BaseParser):
    """JSON of a view that reads larger documents (a FHIR Bundle): bounded by the view's own
    `max_body_bytes` instead of API_MAX_BODY_BYTES.

    Not a JSONParser on purpose: DRF reads the whole body through Django (`request.body`,
    bounded by DATA_UPLOAD_MAX_MEMORY_SIZE, which is API_MAX_BODY_BYTES) before handing it to a
    JSONParser, but hands any other parser the request's stream, which `read_bounded` reads no
    further than the view's limit (tests/fhir_api/test_import.py, the import's own body limit,
    fails if DRF stops doing so).
    """

    media_type = "application/json"
    error_codes = (ApiCode.PARSE_ERROR, ApiCode.REQUEST_TOO_LARGE)

    def parse(self, stream, media_type=None, parser_context=None):
        view = (parser_context or {}).get("view")
        return read_bounded(
            stream,
            limit=int(getattr(view, "max_body_bytes", settings.API_MAX_BODY_BYTES)),
            parser_context=parser_context,
            strict=api_settings.STRICT_JSON,
        )
