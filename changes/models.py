"""The change feed: one event per change of a clinic's record, written by the database in the
change's own transaction (changes.tracking), numbered after it commits (changes.numbering)."""

from django.db import models

from tenancy.models import ClinicScopedModel


class ChangeEvent(ClinicScopedModel):
    """A record of the clinic changed: which one, to which version, how, when and by whom.

    Only ids: the event says that a visit was signed, never what it says; a reader fetches the
    record with its own token, so that every read of PHI stays audited. Rows are inserted by
    the triggers of the tracked tables (changes.tracking), never by the API's code; `seq` is
    null until the numbering pass (changes.numbering) gives the clinic's committed events their
    place in its feed, contiguous and in commit order, so that a reader who keeps the last
    `seq` it read never misses nor repeats one.
    """

    id = models.BigAutoField(primary_key=True)
    seq = models.BigIntegerField(null=True, editable=False)
    occurred_at = models.DateTimeField()
    resource_type = models.CharField(max_length=32)
    resource_id = models.UUIDField()
    action = models.CharField(max_length=32)
    # `resource_type.action`, what readers filter and webhook endpoints subscribe to.
    type = models.CharField(max_length=65)
    version = models.PositiveIntegerField(null=True)
    patient_id = models.UUIDField(null=True)
    # Clinical events (a visit signed, a plan activated) are not the front desk's to read.
    clinical = models.BooleanField()
    actor_id = models.UUIDField(null=True)

    class Meta:
        indexes = [
            # The feed, by number; each filter it offers, by number within the filter.
            models.Index(fields=["clinic", "seq"], name="change_feed_idx"),
            models.Index(
                fields=["clinic", "seq"],
                condition=models.Q(clinical=False),
                name="change_feed_desk_idx",
            ),
            models.Index(fields=["clinic", "type", "seq"], name="change_feed_type_idx"),
            models.Index(
                fields=["clinic", "resource_type", "seq"], name="change_feed_resource_idx"
            ),
            models.Index(fields=["clinic", "resource_id", "seq"], name="change_feed_record_idx"),
            # What the numbering pass has still to number: small, numbered rows leave it.
            models.Index(
                fields=["clinic", "id"],
                condition=models.Q(seq__isnull=True),
                name="change_unnumbered_idx",
            ),
            # The retention pass, oldest first.
            models.Index(fields=["occurred_at"], name="change_occurred_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "seq"], name="change_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.seq or '-'} {self.type} {self.resource_id}"


class FeedHorizon(ClinicScopedModel):
    """A clinic's feed so far: the last number given, and the last one the retention pass
    removed (a cursor before it can no longer be followed without a gap)."""

    clinic = models.OneToOneField(
        "clinics.Clinic",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="+",
        editable=False,
        help_text="The clinic whose feed this is.",
    )
    last_seq = models.BigIntegerField(default=0)
    purged_through = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.clinic_id}: numbered to {self.last_seq}, kept after {self.purged_through}"
