from django.urls import path

from accounts.views import (
    MfaConfirmView,
    MfaDisableView,
    MfaEnrolView,
    MfaRecoveryCodesView,
    MfaStatusView,
)

app_name = "access"

urlpatterns = [
    path("auth/mfa", MfaStatusView.as_view(), name="mfa"),
    path("auth/mfa/enrol", MfaEnrolView.as_view(), name="mfa-enrol"),
    path("auth/mfa/confirm", MfaConfirmView.as_view(), name="mfa-confirm"),
    path("auth/mfa/recovery-codes", MfaRecoveryCodesView.as_view(), name="mfa-recovery-codes"),
    path("auth/mfa/disable", MfaDisableView.as_view(), name="mfa-disable"),
]
