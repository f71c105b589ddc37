"""Bearer-token authentication for front-end apps (tokens are stored as digests by knox)."""

import re

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework import exceptions

_HEX_TOKEN = re.compile(rb"[0-9a-f]{16,256}")


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>`; idle and absolute expiry come from settings.REST_KNOX.

    Knox extends a token on use (the idle timeout) but, when the absolute lifetime cuts a
    renewal short, skips saving it; the lifetime is therefore enforced here on every request.
    """

    def authenticate_credentials(self, token: bytes):
        # Knox tokens are hex; anything else (non-UTF-8 bytes, NUL) is simply not a token.
        if not _HEX_TOKEN.fullmatch(token):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(token)

    def validate_user(self, auth_token):
        lifetime = knox_settings.AUTO_REFRESH_MAX_TTL
        if lifetime is not None and auth_token.created + lifetime <= timezone.now():
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().validate_user(auth_token)


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
