"""drf-spectacular hooks that finish the contract where introspection cannot."""

import copy
import json
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.plumbing import is_serializer
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from drf_standardized_errors import openapi_serializers as standard
from drf_standardized_errors.openapi import AutoSchema
from drf_standardized_errors.openapi_utils import (
    get_filter_forms,
    get_form_fields_with_error_codes,
)
from inflection import camelize

from api.concurrency import IF_MATCH_PARAMETER, ETagMixin
from api.error_codes import (
    ApiCode,
    ErrorCodes,
    declared_by,
    declared_by_view,
    serializers_within,
)
from api.errors import (
    CONFLICT_RESPONSE,
    ERROR_RESPONSES,
    WRITE_ERRORS,
    ValidationErrorResponseSerializer,
)
from api.filters import FilterListsOnlyMixin
from api.serializers import CLINICAL_FIELDS_BY_COMPONENT

CLINICAL_NOTE = "Omitted for front-desk users, who do not read clinical data."


def mark_clinical_fields_optional(result: dict, generator, request, public) -> dict:
    """Fields hidden from the front desk are optional in responses, and say why."""
    schemas = result.get("components", {}).get("schemas", {})
    for component, fields in CLINICAL_FIELDS_BY_COMPONENT.items():
        schema = schemas.get(component)
        if schema is None:
            continue
        schema["required"] = [name for name in schema.get("required", []) if name not in fields]
        for name in fields:
            prop = schema["properties"][name]
            prop["description"] = f"{prop.get('description', '')} {CLINICAL_NOTE}".strip()
    return result


# Codes the framework answers with on any operation that documents the status.
FRAMEWORK_CODES: dict[int, set[str]] = {
    401: set(standard.ErrorCode401Enum.values),
    403: set(standard.ErrorCode403Enum.values),
    404: set(standard.ErrorCode404Enum.values),
    406: set(standard.ErrorCode406Enum.values),
    415: set(standard.ErrorCode415Enum.values),
    429: set(standard.ErrorCode429Enum.values),
    500: set(standard.ErrorCode500Enum.values),
}


class ApiAutoSchema(AutoSchema):
    """Error responses of drf-standardized-errors, with the codes each operation can answer.

    The `_should_add_*` and `_get_*` methods are the hooks drf-standardized-errors documents
    for choosing a view's error responses; they and the drf-spectacular helpers read here are
    seams declared in tests/test_framework_seams.py.

    The codes are what the operation's parts declare (api.error_codes), listed in
    each error response's description and in its `x-error-codes`; the enums of `code` in the
    error bodies are each operation's own (`give_each_operation_its_error_codes`). Validation errors
    keep one shape for every operation: a closed enum of attributes per operation would only
    multiply components.
    """

    def _get_serializer_for_validation_error_response(self):
        return ValidationErrorResponseSerializer

    # What a view declares that every one of its POSTs takes and answers besides its own
    # (idempotency.replay.IdempotentPostMixin: the Idempotency-Key, the replay header, codes).
    def _post_declaration(self, name: str, empty):
        return getattr(self.view, name, empty) if self.method == "POST" else empty

    def _document_post_headers(self, operation: dict) -> None:
        headers = self._post_declaration("post_success_headers", {})
        for key, response in operation.get("responses", {}).items():
            if key.startswith("2") and headers:
                response.setdefault("headers", {}).update(headers)

    def get_override_parameters(self):
        return [*super().get_override_parameters(), *self._post_declaration("post_parameters", [])]

    def _serializers_read(self) -> list[type]:
        if self.method not in {"POST", "PUT", "PATCH"}:
            return []
        serializer = self.get_request_serializer()
        if isinstance(serializer, PolymorphicProxySerializer):
            candidates = serializer.serializers
            candidates = candidates.values() if isinstance(candidates, dict) else candidates
        else:
            candidates = [serializer]
        return [
            candidate if isinstance(candidate, type) else type(candidate)
            for candidate in candidates
            if is_serializer(candidate)
        ]

    def error_codes(self) -> dict[int, set[str]]:
        """Every (status, code) this operation answers, but the framework's own: what its
        parts declare (api.error_codes)."""
        if getattr(self, "_error_codes", None) is None:
            codes: dict[int, set[str]] = defaultdict(set)
            for code in self._declared_codes():
                codes[code.status].add(str(code))
            for field_codes in self._get_validation_error_codes_by_field(
                self._determine_fields_with_error_codes()
            ).values():
                codes[400] |= field_codes
            if self._filters_the_object():
                # Its query parameters are read as a list's are (DRF's get_object filters).
                backends = [
                    backend()
                    for backend in getattr(self.view, "filter_backends", ())
                    if issubclass(backend, DjangoFilterBackend)
                ]
                for form in get_filter_forms(self.view, backends):
                    for form_field in get_form_fields_with_error_codes(form):
                        codes[400] |= set(form_field.error_codes)
            self._error_codes = dict(codes)
        return self._error_codes

    def _determine_fields_with_error_codes(self):
        # A body documented as a plain schema (a FHIR Bundle) has no serializer fields: its
        # view declares the codes it answers (`error_codes`).
        if self.method in {"POST", "PUT", "PATCH"} and not is_serializer(
            self.get_request_serializer()
        ):
            return []
        return super()._determine_fields_with_error_codes()

    def _filters_the_object(self) -> bool:
        """A detail operation finds its object through the view's filters, unless the view
        filters lists only."""
        return getattr(self.view, "detail", False) and not isinstance(
            self.view, FilterListsOnlyMixin
        )

    def _declared_codes(self) -> set[ErrorCodes]:
        view, method = self.view, self.method
        # Every operation reads the database, which may fail or not answer in time, and
        # every request has a bounded request line and headers (api.request_limits).
        declared: set[ErrorCodes] = {
            ApiCode.DATABASE_UNAVAILABLE,
            ApiCode.REQUEST_LINE_TOO_LONG,
            ApiCode.HEADERS_TOO_LARGE,
        }
        declared |= declared_by_view(view, method)
        declared |= declared_by(_permissions(view))
        serializers_read = self._serializers_read()
        for serializer in serializers_read:
            declared |= declared_by(serializers_within(serializer))
        if serializers_read:  # a value the database cannot hold
            declared.add(ApiCode.OUT_OF_RANGE)
        if method in {"POST", "PUT", "PATCH"}:
            declared |= declared_by(getattr(view, "parser_classes", ()))
        if method in {"PUT", "PATCH", "DELETE", "POST"} and getattr(view, "detail", False):
            if isinstance(view, ETagMixin):  # its get_object checks If-Match on writes
                declared.add(ApiCode.PRECONDITION_FAILED)
        declared |= set(self._post_declaration("post_error_codes", ()))
        if method == "GET" and self._is_list_view():
            declared |= declared_by(getattr(view, "filter_backends", ()))
            declared |= declared_by([self._get_paginator()])
        elif self._filters_the_object():
            declared |= declared_by(getattr(view, "filter_backends", ()))
        # What the exception handler makes of a database refusal of a model's write.
        writes_models = getattr(view, "queryset", None) is not None or hasattr(view, "get_queryset")
        if method in {"POST", "PUT", "PATCH", "DELETE"} and writes_models:
            declared.add(ApiCode.INTEGRITY_CONFLICT)
        if method == "DELETE" and writes_models:
            declared.add(ApiCode.PROTECTED)
        return declared

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if (
            status_code != "400"
            and status_code not in responses
            and self.error_codes().get(int(status_code))
        ):
            return True
        return super()._should_add_error_response(responses, status_code)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        for status, codes in sorted(self.error_codes().items()):
            key = str(status)
            if codes and key not in responses and status in ERROR_RESPONSES:
                responses[key] = self._get_response_for_code(ERROR_RESPONSES[status], key)
        return responses

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return operation
        self._document_post_headers(operation)
        codes = self.error_codes()
        for key, response in operation.get("responses", {}).items():
            status = int(key)
            if status < 400:
                continue
            listed = codes.get(status, set()) | FRAMEWORK_CODES.get(status, set())
            if status == 400 and self._should_add_parse_error_response():
                listed.add("parse_error")
            response["x-error-codes"] = sorted(listed)
            if listed:
                names = ", ".join(f"`{code}`" for code in sorted(listed))
                response["description"] = f"{response.get('description', '')}\n\nCodes: {names}."
        return operation

    # No body is read on GET and DELETE: they cannot answer a parse error nor 415.
    def _should_add_parse_error_response(self) -> bool:
        return (
            self.method in {"POST", "PUT", "PATCH"} and super()._should_add_parse_error_response()
        )

    def _should_add_http415_error_response(self) -> bool:
        return (
            self.method in {"POST", "PUT", "PATCH"} and super()._should_add_http415_error_response()
        )

    # A page that does not exist (a stale cursor) is a list's 404; an operation without a path
    # parameter and without a page (log in, who am I) has none.
    def _should_add_http404_error_response(self) -> bool:
        has_path_parameters = any(p["in"] == "path" for p in self._get_parameters())
        return has_path_parameters or (self._is_list_view() and self._get_paginator() is not None)

    def _should_add_validation_error_response(self) -> bool:
        if self.error_codes().get(400, set()) - {"parse_error"}:
            return True
        # Query parameters are validated as bodies are (a page size, a filter, a search term):
        # any operation that takes one may answer a validation error naming it.
        if super()._should_add_validation_error_response():
            return True
        if self.method == "GET" and self._is_list_view() and self._get_paginator() is not None:
            return True
        return any(
            is_serializer(parameter) or getattr(parameter, "location", None) == "query"
            for parameter in self.get_override_parameters()
        )

    def _get_http400_serializer(self):
        serializer = super()._get_http400_serializer()
        if not self._should_add_validation_error_response():
            return serializer
        codes_by_field = self._get_validation_error_codes_by_field(
            self._determine_fields_with_error_codes()
        )
        known = "\n".join(
            f"- `{field}`: {', '.join(sorted(codes))}"
            for field, codes in sorted(codes_by_field.items())
            if codes
        )
        description = (
            "The request was refused: each error names the field (`attr`) and the reason (`code`); "
            "nothing was written. Unknown body fields answer `unknown_field`."
        )
        if known:
            description += f"\n\nCodes the fields give:\n{known}"
        return OpenApiResponse(serializer, description=description)


def _permissions(view) -> list:
    try:  # views that choose their permissions per action
        return list(view.get_permissions())
    except Exception:  # one that needs a real request to choose
        return list(getattr(view, "permission_classes", ()))


def document_etag_headers(result: dict, generator, request, public) -> dict:
    """Responses carrying a versioned object also carry its `ETag` (api.concurrency)."""
    schemas = result.get("components", {}).get("schemas", {})
    header = {
        "schema": {"type": "string", "example": '"3"'},
        "description": "The object's version in quotes; send it back as `If-Match` when changing it.",
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if status not in {"200", "201"}:
                    continue
                ref = (
                    response.get("content", {})
                    .get("application/json", {})
                    .get("schema", {})
                    .get("$ref", "")
                )
                component = schemas.get(ref.rsplit("/", 1)[-1], {})
                if "version" in component.get("properties", {}):
                    response.setdefault("headers", {})["ETag"] = header
    return result


def documented(serializer, *, versioned: bool = True, **summaries: str):
    """`extend_schema_view` for a viewset: every action gets its summary; creates document
    409, and writes to a versioned resource `If-Match` with its 409 and 412 answers."""
    write_parameters = [IF_MATCH_PARAMETER] if versioned else []
    write_errors = WRITE_ERRORS if versioned else {409: CONFLICT_RESPONSE}
    views = {}
    for view_action, summary in summaries.items():
        if view_action in {"update", "partial_update"}:
            views[view_action] = extend_schema(
                summary=summary,
                parameters=write_parameters,
                responses={200: serializer, **write_errors},
            )
        elif view_action == "destroy":
            views[view_action] = extend_schema(
                summary=summary,
                parameters=write_parameters,
                responses={204: None, **write_errors},
            )
        elif view_action == "create":
            views[view_action] = extend_schema(
                summary=summary, responses={201: serializer, 409: CONFLICT_RESPONSE}
            )
        else:
            views[view_action] = extend_schema(summary=summary)
    return extend_schema_view(**views)


def document_retry_after_header(result: dict, generator, request, public) -> dict:
    """A 429 and a 503 say when to try again."""
    header = {
        "schema": {"type": "integer", "minimum": 0, "example": 5},
        "description": "Seconds to wait before trying again.",
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for status in ("429", "503"):
                if status in operation.get("responses", {}):
                    operation["responses"][status].setdefault("headers", {})["Retry-After"] = header
    return result


def document_request_id_header(result: dict, generator, request, public) -> dict:
    """Every answer carries `X-Request-ID` (api.middleware), the id its audit event and record
    history carry."""
    components = result.setdefault("components", {})
    components.setdefault("headers", {})["X-Request-ID"] = {
        "schema": {"type": "string", "format": "uuid"},
        "description": (
            "The request's id: the client's own `X-Request-ID` when it sent a UUID, else a new "
            "one. The audit trail and the record history name the request by it."
        ),
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                response.setdefault("headers", {})["X-Request-ID"] = {
                    "$ref": "#/components/headers/X-Request-ID"
                }
    return result


def merge_blank_alternatives(result: dict, generator, request, public) -> dict:
    """An optional formatted string (an email that may be empty) is one string, not
    `oneOf: [string(email), string(maxLength 0)]`, which clients type as `string | string`.
    The format moves into the description, with the empty value."""

    def visit(node):
        if isinstance(node, dict):
            options = node.get("oneOf")
            if (
                isinstance(options, list)
                and len(options) == 2
                and all(isinstance(o, dict) and o.get("type") == "string" for o in options)
                and options[1].get("maxLength") == 0
            ):
                merged = {k: v for k, v in options[0].items() if k not in {"format", "minLength"}}
                pattern = merged.get("pattern", "")
                if pattern.startswith("^") and pattern.endswith("$"):
                    merged["pattern"] = f"^(?:{pattern[1:-1]})?$"  # or empty
                fmt = options[0].get("format")
                note = f"A valid {fmt}, or empty for none." if fmt else "May be empty."
                description = node.get("description", "")
                node.pop("oneOf")
                node.update(merged)
                node["description"] = f"{description} {note}".strip()
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(result.get("components", {}))
    return result


def mark_response_fields_required(result: dict, generator, request, public) -> dict:
    """Every field of an answer is always sent, so each is `required` in the answer's schema
    (drf-spectacular leaves optional whatever is optional to write, and clients would type
    every read `| undefined`). Fields the front desk does not see are made optional again by
    mark_clinical_fields_optional, which runs after this."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") or not isinstance(schema.get("properties"), dict):
            continue
        schema["required"] = sorted(set(schema.get("required", [])) | set(schema["properties"]))
    return result


def allow_null_for_empty_choices_in_requests(result: dict, generator, request, public) -> dict:
    """In a request, an optional choice may be left empty as `""` or as `null` (both mean
    none; api.serializers); answers always send `""`."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if not name.endswith("Request"):
            continue
        for prop in (schema.get("properties") or {}).values():
            options = prop.get("oneOf")
            if not isinstance(options, list):
                continue
            refs = [option.get("$ref", "") for option in options]
            if any(ref.endswith("/BlankEnum") for ref in refs) and not any(
                ref.endswith("/NullEnum") for ref in refs
            ):
                options.append({"$ref": "#/components/schemas/NullEnum"})
    if "NullEnum" not in schemas:
        schemas["NullEnum"] = {"enum": [None]}
    return result


def give_each_operation_its_error_codes(result: dict, generator, request, public) -> dict:
    """Each error response's `code` is an enum of the codes that operation answers with that
    status (its `x-error-codes`), so a generated client types a booking's 409 as the booking's
    seven codes, not as every 409 of the API.

    A status every operation answers with the same codes (401, 404, 503…) keeps one shared
    component, `ErrorResponse<status>`, and its enum `ErrorCode<status>Enum`. A status whose
    codes differ between operations (400, 409) gets a component per operation,
    `<OperationId>ErrorResponse<status>` (`<OperationId>ValidationErrorResponse` for 400),
    and the shared one is dropped. A parse error keeps its own `ParseErrorResponse`.
    """
    schemas = result.get("components", {}).get("schemas", {})
    found: dict[str, list[tuple[str, dict, frozenset[str]]]] = defaultdict(list)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                # Only the API's own error body (FHIR answers an OperationOutcome).
                if (
                    status.isdigit()
                    and int(status) >= 400
                    and "application/json" in response.get("content", {})
                ):
                    codes = frozenset(response.get("x-error-codes", ())) - {"parse_error"}
                    found[status].append((operation["operationId"], response, codes))
    for status, uses in found.items():
        shared_item, shared_response, shared_enum = (
            ("ValidationErrorItem", "ValidationErrorResponse", "ValidationErrorCodeEnum")
            if status == "400"
            else (f"Error{status}", f"ErrorResponse{status}", f"ErrorCode{status}Enum")
        )
        if shared_item not in schemas:
            continue
        variants = {codes for _, _, codes in uses if codes}
        if len(variants) == 1:
            schemas[shared_enum] = {
                "enum": sorted(variants.pop()),
                "type": "string",
                "description": f"The codes the API answers {status} with.",
            }
            schemas[shared_item]["properties"]["code"] = {
                "$ref": f"#/components/schemas/{shared_enum}"
            }
            continue
        for operation_id, response, codes in uses:
            if not codes:
                continue
            name = camelize(operation_id)
            own_item, own_response = (
                (f"{name}ValidationErrorItem", f"{name}ValidationErrorResponse")
                if status == "400"
                else (f"{name}Error{status}", f"{name}ErrorResponse{status}")
            )
            item = copy.deepcopy(schemas[shared_item])
            item["properties"]["code"] = {
                "type": "string",
                "enum": sorted(codes),
                "description": f"The codes `{operation_id}` answers {status} with.",
            }
            body = copy.deepcopy(schemas[shared_response])
            body["properties"]["errors"]["items"] = {"$ref": f"#/components/schemas/{own_item}"}
            schemas[own_item], schemas[own_response] = item, body
            # The 400 body is the operation's own oneOf of validation and parse errors.
            content = response["content"]["application/json"]
            target = content["schema"]
            if target.get("$ref", "").endswith(f"ErrorResponse{status}") and status == "400":
                target = schemas[target["$ref"].rsplit("/", 1)[-1]]
            _replace_ref(target, shared_response, own_response)
            _replace_ref(content["schema"], shared_response, own_response)
        for unused in (shared_item, shared_response, shared_enum):
            schemas.pop(unused, None)
    return result


def _replace_ref(node, old: str, new: str) -> None:
    """Points every reference to component `old` within `node` at component `new`."""
    old_ref, new_ref = f"#/components/schemas/{old}", f"#/components/schemas/{new}"
    if isinstance(node, dict):
        for key, value in node.items():
            if value == old_ref:
                node[key] = new_ref
            else:
                _replace_ref(value, old, new)
    elif isinstance(node, list):
        for value in node:
            _replace_ref(value, old, new)


@cache
def answer_examples(folder: Path) -> Callable[[str, str], OpenApiExample]:
    """An app's examples of whole answers, kept as `<name>.json` files in `folder` beside
    the serializers they exemplify: `answer_example(title, name)` for the contract."""

    def answer_example(title: str, name: str) -> OpenApiExample:
        value = json.loads((folder / f"{name}.json").read_text())
        return OpenApiExample(title, value=value, response_only=True)

    return answer_example


def document_errors_as_json(result: dict, generator, request, public) -> dict:
    """Errors answer JSON on every operation, also where the success is a document (PDF,
    iCalendar): their responses list application/json only."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                content = response.get("content")
                if not status.isdigit() or int(status) < 400 or not content:
                    continue
                if set(content) != {"application/json"}:
                    media = content.get("application/json") or next(iter(content.values()))
                    response["content"] = {"application/json": media}
    return result
