from django.db import transaction
from django.urls import path

from accounts.auth.views import LoginVerifyView, LoginView, LogoutView, MeView

app_name = "auth"

urlpatterns = [
    # Outside a request transaction: see LoginView.
    path("login", transaction.non_atomic_requests(LoginView.as_view()), name="login"),
    path(
        "login/verify",
        transaction.non_atomic_requests(LoginVerifyView.as_view()),
        name="login-verify",
    ),
    path("logout", LogoutView.as_view(), name="logout"),
    path("me", MeView.as_view(), name="me"),
]
