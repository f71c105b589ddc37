"""Response headers every API answer carries, and the request's id and database context."""

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

from api.context import context_of
from api.database_faults import unavailable_response
from api.errors import error_body


class NoStoreMiddleware:
    """API answers hold patient data: no browser or proxy may keep a copy (HIPAA)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/v1/"):
            response["Cache-Control"] = "no-store"
        return response


class JsonErrorsMiddleware:
    """Every answer under /api/ is JSON: an error page Django renders itself (an unknown URL,
    a bad Host header, or in development its debug pages) becomes the API's error shape."""

    # A request Django refuses before any view (a bad Host header, a malformed body) is, to
    # the contract, one that could not be parsed.
    CODES = {400: "parse_error", 403: "permission_denied", 404: "not_found", 405: "not_allowed"}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 500 and context_of(request).database_fault:
            # Not the 500 page: the database failed. The headers the inner middleware added
            # (CORS, X-Request-ID, no-store) stay, so a browser can read the answer.
            return self._with_headers_of(response, unavailable_response())
        if (
            response.status_code >= 400
            and request.path.startswith("/api/v1/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            code = self.CODES.get(status, "error" if status >= 500 else "client_error")
            detail = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
            converted = JsonResponse(error_body(status, code, f"{detail}."), status=status)
            return self._with_headers_of(response, converted)
        return response

    @staticmethod
    def _with_headers_of(original: HttpResponse, converted: HttpResponse) -> HttpResponse:
        for header, value in original.items():
            if header.lower() not in {"content-type", "content-length"} and header not in converted:
                converted[header] = value
        return converted
