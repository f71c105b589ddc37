"""Bearer-token authentication for front-end apps (tokens are stored as digests by knox)."""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from rest_framework import exceptions

from tenancy.request_context import open_token_context

_HEX_TOKEN = re.compile(rb"[0-9a-f]{16,256}")


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>`; idle and absolute expiry come from settings.REST_KNOX.

    The token is found by its digest (knox's primary key) in one statement that also checks
    both expiries, extends the idle one and opens the request's clinic context for row-level
    security (tenancy.row_security). An expired token is refused at once; `purge_expired_tokens`
    deletes its row later.
    """

    def authenticate(self, request):
        self._request = request
        return super().authenticate(request)

    def authenticate_credentials(self, token: bytes):
        # Knox tokens are hex; anything else (non-UTF-8 bytes, NUL) is simply not a token.
        if not _HEX_TOKEN.fullmatch(token):
            raise exceptions.AuthenticationFailed("Invalid token.")
        found = open_token_context(digest=hash_token(token.decode()), request=self._request)
        if found is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return found


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"
    priority = 1

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The token returned by `POST /api/v1/auth/login`.",
        }
