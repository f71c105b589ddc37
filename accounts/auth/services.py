"""The writes of logging in and out: a session's token issued, or revoked."""

from dataclasses import dataclass
from datetime import datetime

from knox.models import AuthToken

from clinics.models import User


@dataclass(frozen=True)
class IssuedToken:
    """The bearer token, shown once: only its digest is stored."""

    token: str
    expiry: datetime | None


def token_issue(*, user: User) -> IssuedToken:
    instance, token = AuthToken.objects.create(user)
    return IssuedToken(token=token, expiry=instance.expiry)


def token_revoke(*, token: AuthToken) -> None:
    """Ends the session the token opened; the caller's other sessions stay."""
    token.delete()
