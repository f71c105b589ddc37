"""Second factors' recovery codes and break-glass grants.

The TOTP secrets themselves live in django-otp's `TOTPDevice` table, which row-level security
scopes through its user (tenancy.row_security).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenancy.models import ClinicScopedModel


class RecoveryCode(ClinicScopedModel):
    """A one-time code that stands in for the authenticator; only its SHA-256 is kept.

    Codes are marked used or retired (a new set replaces an old one), never deleted, so the
    trail of which code opened which session stays readable.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64, help_text="SHA-256 of the normalised code.")
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["clinic", "user", "digest"],
                condition=Q(used_at__isnull=True, retired_at__isnull=True),
                name="recovery_code_usable_idx",
            )
        ]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


class BreakGlassGrant(ClinicScopedModel):
    """Emergency read access to one patient's clinical record for a user whose role does not
    normally have it; given by the user themself with a reason, for a limited time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    reason = models.TextField(help_text="Why the record had to be opened.")
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-granted_at"]
        indexes = [
            models.Index(
                fields=["clinic", "user", "patient", "expires_at"], name="break_glass_active_idx"
            ),
            models.Index(fields=["clinic", "granted_at"], name="break_glass_granted_idx"),
            models.Index(
                fields=["clinic", "patient", "granted_at"], name="break_glass_patient_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")),
                name="break_glass_expires_after_grant",
            )
        ]

    def __str__(self) -> str:
        return f"break-glass {self.user_id} → {self.patient_id}"
