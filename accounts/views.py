"""The user's own second factor."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import mfa
from accounts.auth.error_codes import AuthCode
from accounts.auth.serializers import MfaEnrolmentSerializer
from accounts.error_codes import AccessCode
from accounts.serializers import (
    MfaCodeSerializer,
    MfaDisableSerializer,
    MfaStatusSerializer,
    PasswordSerializer,
    RecoveryCodesSerializer,
)
from api.error_codes import ApiCode
from api.errors import CONFLICT_RESPONSE, Conflict, error_body
from audit.models import AuditAction
from audit.recording import Event, record
from clinics.request_user import request_user


class OwnSecondFactorView(APIView):
    """Each request leaves one audit event on the `mfa` resource. Codes are tried within the
    login throttle's budget per address."""

    audit_action: str = AuditAction.READ
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method != "OPTIONS":
            record(
                request,
                Event(
                    action=self.audit_action, resource_type="mfa", status_code=response.status_code
                ),
            )
        return response


def refused(attr: str, code: str, detail: str) -> Response:
    """A 400 answered, not raised: the request's transaction commits, so that the wrong
    password or code stays counted (django-otp's back-off, the account lockout)."""
    return Response(error_body(400, code, detail, attr), status=status.HTTP_400_BAD_REQUEST)


def wrong_code() -> Response:
    return refused("code", "invalid_code", "The code is not valid.")


def password_confirmed(request: Request, password: str) -> bool:
    """The caller's password, checked as a login checks it: a wrong one counts toward the
    account's lockout, and a locked account is refused whatever the password."""
    user = request_user(request)
    return (
        authenticate(request=request._request, username=user.username, password=password)
        is not None
    )


def code_confirmed(request: Request, code: str) -> bool:
    """A current code from the caller's authenticator (or a recovery code), counted like a
    password when wrong."""
    user = request_user(request)
    credentials = {"username": user.username}
    if not AxesProxyHandler.is_allowed(request._request, credentials):
        return False
    if mfa.second_factor_verify(user, code):
        return True
    user_login_failed.send(sender=user.__class__, credentials=credentials, request=request._request)
    return False


class MfaStatusView(OwnSecondFactorView):
    @extend_schema(
        operation_id="auth_mfa_status",
        summary="Your second factor: on or off, required or not",
        responses={200: MfaStatusSerializer},
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        enabled = mfa.is_enabled(user)
        body = {
            "enabled": enabled,
            "required": mfa.required_for(user),
            "recovery_codes_left": mfa.recovery_codes_left(user) if enabled else 0,
        }
        return Response(MfaStatusSerializer(body).data)


class MfaEnrolView(OwnSecondFactorView):
    error_codes = {
        "post": (
            AccessCode.MFA_ALREADY_ENABLED,
            AuthCode.INVALID_CREDENTIALS,
        ),
    }
    audit_action = AuditAction.MFA_ENROL

    @extend_schema(
        operation_id="auth_mfa_enrol",
        summary="Set up an authenticator app: its secret, key URI and QR code",
        description="Asks for the password again (a wrong one counts toward the lockout), then "
        "shows the new authenticator to add to an app (Google Authenticator, 1Password, "
        "Authy…). It is not used until `POST /api/v1/auth/mfa/confirm` proves the app shows "
        "the right codes. Starting again replaces an unconfirmed one.",
        request=PasswordSerializer,
        responses={201: MfaEnrolmentSerializer, 409: CONFLICT_RESPONSE},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not password_confirmed(request, serializer.validated_data["password"]):
            return refused("password", "invalid_credentials", "The password is not right.")
        user = request_user(request)
        device = mfa.enrolment_start(user)
        uri = mfa.otpauth_uri(device, user)
        body = {"secret": mfa.base32_secret(device), "otpauth_uri": uri, "qr_svg": mfa.qr_svg(uri)}
        return Response(MfaEnrolmentSerializer(body).data, status=status.HTTP_201_CREATED)


class MfaConfirmView(OwnSecondFactorView):
    error_codes = {
        "post": (
            AccessCode.MFA_NOT_ENROLLING,
            ApiCode.INVALID_CODE,
        ),
    }
    audit_action = AuditAction.MFA_ENABLE

    @extend_schema(
        operation_id="auth_mfa_confirm",
        summary="Turn the second factor on with a first code; receive recovery codes",
        request=MfaCodeSerializer,
        responses={200: RecoveryCodesSerializer, 409: CONFLICT_RESPONSE},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = MfaCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = mfa.enrolment_confirm(request_user(request), serializer.validated_data["code"])
        if codes is None:
            return wrong_code()
        return Response(RecoveryCodesSerializer({"recovery_codes": codes}).data)


class MfaRecoveryCodesView(OwnSecondFactorView):
    error_codes = {
        "post": (
            AccessCode.MFA_NOT_ENABLED,
            ApiCode.INVALID_CODE,
        ),
    }
    audit_action = AuditAction.RECOVERY_CODES

    @extend_schema(
        operation_id="auth_mfa_recovery_codes",
        summary="Replace your recovery codes (the unused old ones stop working)",
        description="Needs a current code from the authenticator app (not a recovery code).",
        request=MfaCodeSerializer,
        responses={200: RecoveryCodesSerializer, 409: CONFLICT_RESPONSE},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = MfaCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = serializer.validated_data["code"]
        user = request_user(request)
        if not mfa.is_enabled(user):
            raise Conflict("The second factor is off.", code=AccessCode.MFA_NOT_ENABLED)
        if not mfa.is_authenticator_code(code) or not code_confirmed(request, code):
            return wrong_code()
        codes = mfa.recovery_codes_issue(user)
        return Response(RecoveryCodesSerializer({"recovery_codes": codes}).data)


class MfaDisableView(OwnSecondFactorView):
    error_codes = {
        "post": (
            AccessCode.MFA_NOT_ENABLED,
            AccessCode.MFA_REQUIRED,
            ApiCode.INVALID_CODE,
            AuthCode.INVALID_CREDENTIALS,
        ),
    }
    audit_action = AuditAction.MFA_DISABLE

    @extend_schema(
        operation_id="auth_mfa_disable",
        summary="Turn your second factor off",
        description="Needs the password and a current code (or a recovery code); wrong ones "
        "count toward the lockout. Refused (409 `mfa_required`) when the clinic requires a "
        "second factor of your role; a clinic admin can reset a lost one instead "
        "(`POST /api/v1/staff/{id}/mfa-reset/`).",
        request=MfaDisableSerializer,
        responses={204: None, 409: CONFLICT_RESPONSE},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = MfaDisableSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request_user(request)
        if mfa.required_for(user):
            raise Conflict(
                "Your clinic requires a second factor of your role.", code=AccessCode.MFA_REQUIRED
            )
        if not mfa.is_enabled(user):
            raise Conflict("The second factor is off.", code=AccessCode.MFA_NOT_ENABLED)
        if not password_confirmed(request, serializer.validated_data["password"]):
            return refused("password", "invalid_credentials", "The password is not right.")
        if not code_confirmed(request, serializer.validated_data["code"]):
            return wrong_code()
        mfa.mfa_disable(user)
        return Response(status=status.HTTP_204_NO_CONTENT)
