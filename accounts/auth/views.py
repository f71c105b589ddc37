"""Login, logout and the current user."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError, UnsupportedMediaType, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import mfa
from accounts.auth.error_codes import AuthCode
from accounts.auth.lockout import is_locked_out
from accounts.auth.serializers import (
    CurrentUserSerializer,
    LoginResponseSerializer,
    LoginSerializer,
    MfaChallengeSerializer,
    MfaLoginResponseSerializer,
    MfaVerifySerializer,
)
from accounts.auth.services import token_issue, token_revoke
from accounts.mfa import ChallengeInvalid, LoginStep
from api.context import context_of
from api.error_codes import ApiCode
from api.errors import Conflict
from audit.models import AuditAction
from audit.recording import Event, record
from clinics.models import User
from clinics.selectors import user_with_clinic
from tenancy.request_context import open_user_context


class LoginStepView(APIView):
    """A step of logging in. Served outside a request transaction (accounts.auth.urls): a refused
    attempt must stay counted by the lockout and the throttle; a successful one is its own
    transaction."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"  # one budget per address for both steps

    def logged_in(self, request: Request, user: User, **extra) -> dict:
        """Issues the token and writes the login's event; the response body."""
        issued = token_issue(user=user)
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        request.user = user
        record(request, self.login_event(request, status.HTTP_200_OK))
        return {
            "token": issued.token,
            "expiry": issued.expiry,
            "user": user_with_clinic(user.pk),
            **extra,
        }

    def login_event(self, request: Request, status_code: int) -> Event:
        username = context_of(request).login.username
        if username is None:
            try:
                username = request.data.get("username") if isinstance(request.data, dict) else ""
            except (ParseError, UnsupportedMediaType):  # a throttled request's body is never read
                username = ""
        if status_code == status.HTTP_202_ACCEPTED:
            action = AuditAction.MFA_CHALLENGE
        elif status_code < 400:
            action = AuditAction.LOGIN
        elif is_locked_out(request):
            action = AuditAction.LOCKOUT
        else:
            action = AuditAction.LOGIN_FAILED
        return Event(
            action=action,
            resource_type="session",
            status_code=status_code,
            # What a successful second step changed: an authenticator enrolled, a code used.
            changed_fields=context_of(request).login.changed_fields if status_code < 400 else [],
            username=username if isinstance(username, str) else "",
            # A failed login is shown to the clinic of the user of that name, if any.
            clinic_id=context_of(request).login.clinic_id,
        )

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if not context_of(request).audit.recorded:
            record(request, self.login_event(request, response.status_code))
        return response


LOGIN_DESCRIPTION = """Answers the token at once (200), unless the staff member has a second
factor or their clinic requires one of their role: then it answers 202 with a challenge for
`POST /api/v1/auth/login/verify`, which gives the token. When the clinic requires a second
factor and the staff member has none, the challenge carries a new authenticator to set up
(`enrolment`).

After `LOGIN_FAILURE_LIMIT` wrong passwords or codes (default 10) the account is locked for
`LOGIN_LOCKOUT_MINUTES` (default 15) or until a clinic admin unlocks it; a locked account is
answered exactly as a wrong password is. Each address may try `LOGIN_THROTTLE_RATE` (default
10/min) logins and codes, right or wrong.

The two answers have different bodies: branch on the status code (200 `LoginResponse`, 202
`MfaChallenge`)."""


class LoginView(LoginStepView):
    error_codes = {
        "post": (AuthCode.INVALID_CREDENTIALS,),
    }

    @extend_schema(
        operation_id="auth_login",
        summary="Log in: a bearer token, or a challenge for the second factor",
        description=LOGIN_DESCRIPTION,
        request=LoginSerializer,
        responses={200: LoginResponseSerializer, 202: MfaChallengeSerializer},
        examples=[
            OpenApiExample(
                "The demo chiropractor (make run loads it)",
                value={"username": "dr.demo@demo", "password": "lumbar-lighthouse-2026"},
                request_only=True,
            )
        ],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = LoginSerializer(data=request.data, context={"request": request})
        with transaction.atomic():
            if serializer.is_valid():
                user = serializer.validated_data["user"]
                step = mfa.login_step(user)
                if step is LoginStep.TOKEN:
                    return Response(LoginResponseSerializer(self.logged_in(request, user)).data)
                return self.challenge(request, user, step)
        # Refused after the transaction committed, so the failed attempt stays counted.
        raise ValidationError(serializer.errors)

    def challenge(self, request: Request, user: User, step: LoginStep) -> Response:
        device, enrolment = None, None
        if step is LoginStep.ENROL:
            try:
                device = mfa.enrolment_start(user)
            except Conflict:  # enrolled by a concurrent login meanwhile
                step = LoginStep.VERIFY
        if device is not None:
            uri = mfa.otpauth_uri(device, user)
            enrolment = {
                "secret": mfa.base32_secret(device),
                "otpauth_uri": uri,
                "qr_svg": mfa.qr_svg(uri),
            }
        value, expires_at = mfa.challenge_issue(user, step, device)
        body = {"challenge": value, "expires_at": expires_at, "step": step, "enrolment": enrolment}
        request.user = user
        record(request, self.login_event(request, status.HTTP_202_ACCEPTED))
        return Response(MfaChallengeSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class LoginVerifyView(LoginStepView):
    error_codes = {
        "post": (
            ApiCode.INVALID_CODE,
            AuthCode.INVALID_CHALLENGE,
        ),
    }

    @extend_schema(
        operation_id="auth_login_verify",
        summary="Log in, second step: the code from the authenticator, or a recovery code",
        description="Sends back the challenge of `POST /api/v1/auth/login` with a six-digit "
        "code from the authenticator app or one of the recovery codes (each works once). A "
        "challenge works once and for `MFA_CHALLENGE_SECONDS` (default 300). When the "
        "challenge enrolled a new authenticator, its first code turns it on and the answer "
        "carries the recovery codes, shown this once. Wrong codes count toward the account's "
        "lockout like wrong passwords.",
        request=MfaVerifySerializer,
        responses={200: MfaLoginResponseSerializer},
        examples=[
            OpenApiExample(
                "A code from the authenticator app",
                value={"challenge": "eyJ1c2VyIjoi…", "code": "492039"},
                request_only=True,
            )
        ],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = MfaVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = serializer.validated_data["code"]
        with transaction.atomic():
            try:
                challenge = mfa.challenge_read(serializer.validated_data["challenge"])
            except ChallengeInvalid:
                raise ValidationError(
                    {"challenge": ["The challenge is not valid or has expired; log in again."]},
                    code=AuthCode.INVALID_CHALLENGE,
                ) from None
            context_of(request).login.clinic_id = open_user_context(
                user_id=challenge.user_id, request=request
            )
            user = User.objects.select_related("clinic").filter(pk=challenge.user_id).first()
            if user is not None and user.is_clinic_staff and user.staff_clinic.is_active:
                context_of(request).login.username = user.username
                codes = self.second_factor(request, user, challenge, code)
                if codes is not None:
                    body = self.logged_in(request, user, recovery_codes=codes)
                    return Response(MfaLoginResponseSerializer(body).data)
        # Refused after the transaction committed, so the failed attempt stays counted.
        raise ValidationError({"code": ["The code is not valid."]}, code=ApiCode.INVALID_CODE)

    def second_factor(
        self, request: Request, user: User, challenge: mfa.Challenge, code: str
    ) -> list[str] | None:
        """The recovery codes to show ([] unless just enrolled) when the code is right."""
        http_request = request._request
        credentials = {"username": user.username}
        if not AxesProxyHandler.is_allowed(http_request, credentials):
            # What django-axes reads of a request it refused (its own attribute).
            http_request.axes_locked_out = True  # type: ignore[attr-defined]
            accepted = None
        elif mfa.challenge_spent(challenge):
            accepted = None
        elif challenge.step is LoginStep.ENROL:
            try:
                accepted = mfa.enrolment_confirm(user, code, challenge.device_id)
            except Conflict:  # its authenticator was replaced or reset meanwhile
                accepted = None
            if accepted is not None:
                context_of(http_request).login.changed_fields = ["mfa_enabled", "recovery_codes"]
        else:
            accepted = [] if mfa.second_factor_verify(user, code) else None
            if accepted is not None and not mfa.is_authenticator_code(code):
                context_of(http_request).login.changed_fields = ["recovery_codes"]  # one used up
        if accepted is not None and not mfa.challenge_spend(challenge):
            accepted = None
        if accepted is None:
            user_login_failed.send(
                sender=user.__class__, credentials=credentials, request=http_request
            )
        return accepted


class LogoutView(APIView):
    @extend_schema(
        operation_id="auth_logout",
        summary="Revoke the token this request was made with",
        request=None,
        responses={204: None},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        token_revoke(token=request.auth)
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        record(
            request,
            Event(
                action=AuditAction.LOGOUT, resource_type="session", status_code=response.status_code
            ),
        )
        return response


class MeView(APIView):
    @extend_schema(
        operation_id="auth_me",
        summary="The logged-in user, their clinic and role",
        responses={200: CurrentUserSerializer},
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        return Response(CurrentUserSerializer(request.user).data)
