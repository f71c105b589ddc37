"""Login, logout and the current user."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from drf_spectacular.utils import OpenApiExample, extend_schema
from knox.models import AuthToken
from rest_framework import status
from rest_framework.exceptions import ParseError, UnsupportedMediaType, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from api.auth.lockout import is_locked_out
from api.auth.serializers import CurrentUserSerializer, LoginResponseSerializer, LoginSerializer
from audit.models import AuditAction
from audit.recording import Event, record
from clinics.selectors import user_with_clinic


class LoginView(APIView):
    """Served outside a request transaction (api.auth.urls): a refused login must stay counted
    by the lockout and the throttle; a successful one is its own transaction."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        operation_id="auth_login",
        summary="Log in and receive a bearer token",
        request=LoginSerializer,
        responses={200: LoginResponseSerializer},
        examples=[
            OpenApiExample(
                "Chiropractor login",
                value={"username": "dr.palmer", "password": "correct-horse-battery"},
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
                instance, token = AuthToken.objects.create(user)
                user_logged_in.send(sender=user.__class__, request=request, user=user)
                request.user = user
                body = {
                    "token": token,
                    "expiry": instance.expiry,
                    "user": user_with_clinic(user.pk),
                }
                record(request, self.login_event(request, status.HTTP_200_OK))
                return Response(LoginResponseSerializer(body).data)
        # Refused after the transaction committed, so the failed attempt stays counted.
        raise ValidationError(serializer.errors)

    def login_event(self, request: Request, status_code: int) -> Event:
        try:
            username = request.data.get("username") if isinstance(request.data, dict) else ""
        except (ParseError, UnsupportedMediaType):  # a throttled request's body is never read
            username = ""
        if status_code < 400:
            action = AuditAction.LOGIN
        elif is_locked_out(request):
            action = AuditAction.LOCKOUT
        else:
            action = AuditAction.LOGIN_FAILED
        return Event(
            action=action,
            resource_type="session",
            status_code=status_code,
            username=username if isinstance(username, str) else "",
            # A failed login is shown to the clinic of the user of that name, if any.
            clinic_id=getattr(request._request, "login_clinic_id", None),
        )

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if not getattr(request._request, "audit_event_recorded", False):
            record(request, self.login_event(request, response.status_code))
        return response


class LogoutView(APIView):
    @extend_schema(
        operation_id="auth_logout",
        summary="Revoke the token this request was made with",
        request=None,
        responses={204: None},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        request._auth.delete()
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
