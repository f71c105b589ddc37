"""Multi-factor authentication: a TOTP authenticator (django-otp) and one-time recovery codes.

Login with a second factor is two requests. The password step answers a signed challenge
instead of a token; the second step sends it back with a code from the authenticator (or a
recovery code) and receives the token. A staff member whose role the clinic requires to use
a second factor, and who has none yet, enrols in the same two steps: the challenge carries a
new authenticator's secret, and the first code from it turns the authenticator on.
"""

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import segno
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.exceptions import Throttled

from accounts.error_codes import AccessCode
from accounts.models import RecoveryCode
from api.errors import Conflict
from clinics.models import Clinic, User

_CHALLENGE_SALT = "accounts.mfa.challenge"
# Unambiguous when read aloud or copied from paper: no 0/o, 1/l/i.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10


class LoginStep(StrEnum):
    """What a correct password leads to."""

    TOKEN = "token"  # no second factor: the token at once
    VERIFY = "verify"  # a code from the user's authenticator
    ENROL = "enrol"  # the clinic requires one and the user has none: set it up now


# What the second step asks for (the challenge's `step`).
CHALLENGE_STEPS = [
    (LoginStep.VERIFY.value, "Enter a code from your authenticator app (or a recovery code)"),
    (
        LoginStep.ENROL.value,
        "Set up an authenticator app (your clinic requires one), then its code",
    ),
]


class CodeThrottled(Throttled):
    """Wrong codes came too fast: the authenticator answers again after `wait` seconds (429
    with Retry-After)."""

    default_detail = "Too many wrong codes in a row."


class ChallengeInvalid(Exception):
    """The challenge is forged, expired, or was already used."""


@dataclass(frozen=True)
class Challenge:
    user_id: uuid.UUID
    step: LoginStep
    nonce: str
    device_id: int | None  # the authenticator an `enrol` challenge set up


def required_for(user: User) -> bool:
    """Whether the user's clinic requires a second factor of the user's role."""
    roles = Clinic.objects.filter(pk=user.staff_clinic_id).values_list(
        "mfa_required_roles", flat=True
    )
    return user.role in (roles.first() or [])


def devices(user: User) -> QuerySet[TOTPDevice]:
    found: QuerySet[TOTPDevice] = TOTPDevice.objects.filter(user_id=user.pk)
    return found


def is_enabled(user: User) -> bool:
    return devices(user).filter(confirmed=True).exists()


def login_step(user: User) -> LoginStep:
    if is_enabled(user):
        return LoginStep.VERIFY
    return LoginStep.ENROL if required_for(user) else LoginStep.TOKEN


def challenge_issue(
    user: User, step: LoginStep, device: TOTPDevice | None = None
) -> tuple[str, datetime]:
    """A signed, single-use challenge for the second step, and when it expires."""
    value = signing.dumps(
        {
            "user": str(user.pk),
            "step": str(step),
            "nonce": secrets.token_urlsafe(16),
            "device": device.pk if device is not None else None,
        },
        salt=_CHALLENGE_SALT,
    )
    return value, timezone.now() + timedelta(seconds=settings.MFA_CHALLENGE_SECONDS)


def challenge_read(value: str) -> Challenge:
    try:
        data = signing.loads(value, salt=_CHALLENGE_SALT, max_age=settings.MFA_CHALLENGE_SECONDS)
        return Challenge(
            user_id=uuid.UUID(data["user"]),
            step=LoginStep(data["step"]),
            nonce=data["nonce"],
            device_id=data["device"],
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise ChallengeInvalid from error


def challenge_spent(challenge: Challenge) -> bool:
    return cache.get(f"mfa-challenge:{challenge.nonce}") is not None


def challenge_spend(challenge: Challenge) -> bool:
    """Marks the challenge used (in the cache every worker shares); False if it already was."""
    return cache.add(
        f"mfa-challenge:{challenge.nonce}", True, timeout=settings.MFA_CHALLENGE_SECONDS
    )


def enrolment_start(user: User) -> TOTPDevice:
    """A new, not yet confirmed authenticator (replacing an earlier unconfirmed one)."""
    if is_enabled(user):
        raise Conflict(
            "A second factor is already on; turn it off before enrolling another authenticator.",
            code=AccessCode.MFA_ALREADY_ENABLED,
        )
    devices(user).filter(confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def otpauth_uri(device: TOTPDevice, user: User) -> str:
    """The key URI authenticator apps read (from a QR code or pasted)."""
    device.user = user
    uri: str = device.config_url
    return uri


def qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4)


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


def enrolment_confirm(user: User, code: str, device_id: int | None = None) -> list[str] | None:
    """Turns the pending authenticator (that one, when `device_id` names it) on when the code
    is right; its new recovery codes, or None for a wrong code."""
    pending = devices(user).select_for_update().filter(confirmed=False)
    if device_id is not None:
        pending = pending.filter(pk=device_id)
    device = pending.order_by("-pk").first()
    if device is None:
        raise Conflict(
            "There is no authenticator waiting to be confirmed; start the enrolment first.",
            code=AccessCode.MFA_NOT_ENROLLING,
        )
    if not _totp_accepts(device, code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_issue(user)


def second_factor_verify(user: User, code: str) -> bool:
    """Checks a code from the user's authenticator, or one of their unused recovery codes
    (which is then used up). Concurrent attempts with the same code: at most one succeeds."""
    normalised = _normalise(code)
    if normalised.isdigit():
        device = devices(user).select_for_update().filter(confirmed=True).order_by("pk").first()
        return device is not None and _totp_accepts(device, normalised)
    recovery = (
        RecoveryCode.objects.select_for_update()
        .filter(user_id=user.pk, digest=_digest(normalised), used_at__isnull=True, retired_at=None)
        .first()
    )
    if recovery is None:
        return False
    recovery.used_at = timezone.now()
    recovery.save(update_fields=["used_at"])
    return True


def recovery_codes_issue(user: User) -> list[str]:
    """A new set of recovery codes, replacing any unused ones; shown once, stored hashed."""
    retire_recovery_codes(user)
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(settings.MFA_RECOVERY_CODES)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(clinic_id=user.staff_clinic_id, user_id=user.pk, digest=_digest(code))
        for code in codes
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def retire_recovery_codes(user: User) -> None:
    RecoveryCode.objects.filter(user_id=user.pk, used_at=None, retired_at=None).update(
        retired_at=timezone.now()
    )


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user_id=user.pk, used_at=None, retired_at=None).count()


def mfa_disable(user: User) -> None:
    """Removes the authenticator (its secret goes with it) and retires the recovery codes."""
    devices(user).delete()
    retire_recovery_codes(user)


def is_authenticator_code(code: str) -> bool:
    """Digits (spaces and hyphens aside): a code from the app, not a recovery code."""
    return _normalise(code).isdigit()


def _totp_accepts(device: TOTPDevice, code: str) -> bool:
    """django-otp refuses a code at or before the last one accepted (no replay), and after
    wrong ones waits 1, 2, 4… seconds before it checks another (CodeThrottled)."""
    allowed, why = device.verify_is_allowed()
    if not allowed:
        wait = (why["locked_until"] - timezone.now()).total_seconds()
        raise CodeThrottled(wait=max(wait, 1))
    normalised = _normalise(code)
    return normalised.isdigit() and bool(device.verify_token(normalised))


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _digest(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()
