"""What a locked account is told: exactly what a wrong password is told (django-axes)."""

from django.http import HttpRequest, HttpResponse

from tenancy.request_context import django_request


def answer_as_a_wrong_password(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The login view has already answered as for a wrong password (authenticate() found no
    user); keep that answer, so that a lockout reveals nothing an attacker could count on."""
    if original_response is None:
        return HttpResponse(status=400)
    return original_response


def is_locked_out(request) -> bool:
    return bool(getattr(django_request(request), "axes_locked_out", False))
