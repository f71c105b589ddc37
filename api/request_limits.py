"""How long a request line and its headers may be under /api/: past that, 414 or 431 in the
one error shape.

The production server (gunicorn.conf.py) reads lines and headers well past these bounds, so
that what a client sends too long reaches the API and is refused in JSON, as every other
answer is, instead of in the server's own HTML page. Past the server's bounds (a request line
of 1 MiB, a header of 64 KiB, 200 headers) the server still answers itself.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from api.errors import error_body

MAX_REQUEST_LINE_BYTES = 8 * 1024
MAX_HEADER_BYTES = 8 * 1024
# A client holds one version of a resource: a few tags at most (RFC 9110 allows a list).
MAX_IF_MATCH_TAGS = 50


def _too_large(request: HttpRequest) -> bool:
    for name, value in request.META.items():
        if name.startswith("HTTP_") and isinstance(value, str) and len(value) > MAX_HEADER_BYTES:
            return True
    if_match: str = request.META.get("HTTP_IF_MATCH", "")
    return if_match.count(",") >= MAX_IF_MATCH_TAGS


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            if len(request.get_full_path()) > MAX_REQUEST_LINE_BYTES:
                return JsonResponse(
                    error_body(
                        414,
                        "request_line_too_long",
                        f"The path and query are longer than {MAX_REQUEST_LINE_BYTES:,} bytes.",
                    ),
                    status=414,
                )
            if _too_large(request):
                return JsonResponse(
                    error_body(
                        431,
                        "headers_too_large",
                        f"A header is longer than {MAX_HEADER_BYTES:,} bytes, or If-Match "
                        f"names more than {MAX_IF_MATCH_TAGS} entity tags.",
                    ),
                    status=431,
                )
        return self.get_response(request)
