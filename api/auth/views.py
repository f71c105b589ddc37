"""Login, logout and the current user."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from drf_spectacular.utils import OpenApiExample, extend_schema
from knox.models import AuthToken
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from api.auth.serializers import CurrentUserSerializer, LoginResponseSerializer, LoginSerializer
from clinics.selectors import user_with_clinic


class LoginView(APIView):
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
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        instance, token = AuthToken.objects.create(user)
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        body = {"token": token, "expiry": instance.expiry, "user": user_with_clinic(user.pk)}
        return Response(LoginResponseSerializer(body).data)


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


class MeView(APIView):
    @extend_schema(
        operation_id="auth_me",
        summary="The logged-in user, their clinic and role",
        responses={200: CurrentUserSerializer},
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        return Response(CurrentUserSerializer(request.user).data)
