"""The first answer to each `Idempotency-Key`, kept so that a retry gets it again."""

from django.db import models

from tenancy.models import ClinicScopedModel


class IdempotentRequest(ClinicScopedModel):
    """A POST that succeeded under a key: what it was (its fingerprint) and what it answered.

    Written in the request's own transaction, so it exists exactly when the request's writes
    do: a request that failed left neither, and its retry runs afresh.
    """

    user = models.ForeignKey(
        "clinics.User", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the method, path and body the key was first used with."
    )
    status_code = models.PositiveSmallIntegerField()
    content = models.TextField(help_text="The answer's body, as sent.")
    content_type = models.CharField(max_length=100)
    etag = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "user", "key"], name="idempotency_one_answer_per_key"
            )
        ]
