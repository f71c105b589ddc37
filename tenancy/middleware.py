"""The request's id and the end of its clinic context."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tenancy.request_context import REQUEST_ID_HEADER, close_context_if_nested, request_id_for


class RequestContextMiddleware:
    """Gives every request an id (echoed as `X-Request-ID`, recorded in audit and history) and
    makes sure its clinic context never outlives it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        try:
            response = self.get_response(request)
        finally:
            close_context_if_nested(request)
        response[REQUEST_ID_HEADER] = str(request_id)
        return response
