"""The Django admin's login, held to the API login's per-address budget.

django-axes already counts its wrong passwords per account (the same lock as the API's); this
adds the address throttle, counted in the same shared cache under the same key as
`POST /api/v1/auth/login`, so an address cannot get twice the tries by using both doors.
"""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from rest_framework.throttling import SimpleRateThrottle


class LoginAddressThrottle(SimpleRateThrottle):
    scope = "login"  # ScopedRateThrottle's scope on the API's login views: the same counter

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def throttled_admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    if request.method == "POST":
        throttle = LoginAddressThrottle()
        # The throttle reads only the request's address (its META) and no view.
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            wait = throttle.wait()
            response = HttpResponse(
                "Too many logins from this address; try again in a minute.\n",
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(int(wait or 60))
            return response
    return admin.site.login(request, extra_context)
