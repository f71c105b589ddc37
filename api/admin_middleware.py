"""Sessions, the session's user and messages are the Django admin's: the API authenticates
every request by its bearer token and keeps nothing in a session. Django's middleware for them
is kept (the admin needs it, and its checks look for it) but works only for the admin's
paths; an API request passes by untouched, as it did in substance before (it never reads a
session), without the cost. CSRF protection stays Django's own, for every path.
"""

from collections.abc import Awaitable

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponseBase

from api.mixin_bases import MiddlewareBase

ADMIN_PATH = "/admin/"


class _AdminPathsOnly(MiddlewareBase):
    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if request.path_info.startswith(ADMIN_PATH):
            return super().__call__(request)
        return self.get_response(request)


class AdminSessionMiddleware(_AdminPathsOnly, SessionMiddleware):
    pass


class AdminAuthenticationMiddleware(_AdminPathsOnly, AuthenticationMiddleware):
    pass


class AdminMessageMiddleware(_AdminPathsOnly, MessageMiddleware):
    pass
