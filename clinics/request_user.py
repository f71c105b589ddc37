"""The staff member a request is for, typed as the project's user."""

from django.http import HttpRequest
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from clinics.models import User


def request_user(request: Request | HttpRequest) -> User:
    """The request's user, for a view whose permission admits only signed-in staff (to the
    type checker `request.user` may still be anonymous; here it never is)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user
