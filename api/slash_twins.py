"""`/api/v1/patients` and `/api/v1/patients/` are the same resource, as are
`/api/v1/auth/login` and `/api/v1/auth/login/`: the form the contract does not list is served
as the one it does, for every method (Django's APPEND_SLASH would redirect a GET and fail a
POST).

The last route under /api/v1/ catches the paths no other route matches, so a path in its
listed form is resolved once, as any other, and only the other form pays for a second look.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, re_path, resolve
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt  # the API's views are (bearer tokens, no cookies); the twin's view decides
def serve_slash_twin(request: HttpRequest, path: str) -> HttpResponse:
    """The view of the path with its trailing slash added or taken away, if there is one."""
    listed = request.path_info
    other = listed[:-1] if listed.endswith("/") else f"{listed}/"
    try:
        match = resolve(other, getattr(request, "urlconf", None))
    except Resolver404:
        raise Http404 from None
    if match.func is serve_slash_twin:
        raise Http404
    request.path = request.path.removesuffix(listed) + other
    request.path_info = other
    request.resolver_match = match
    response: HttpResponse = match.func(request, *match.args, **match.kwargs)
    return response


# Last in /api/v1/'s routes.
slash_twin_route = re_path(r"^(?P<path>.*)$", serve_slash_twin)
