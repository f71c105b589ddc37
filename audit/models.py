"""The audit trail: one append-only event per request that touches PHI, sealed in signed batches."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class AuditAction(models.TextChoices):
    LIST = "list", "Listed records"
    SEARCH = "search", "Searched records"
    READ = "read", "Read a record"
    CREATE = "create", "Created a record"
    UPDATE = "update", "Changed a record"
    ARCHIVE = "archive", "Archived a patient"
    RESTORE = "restore", "Restored a patient"
    SIGN = "sign", "Signed a visit"
    AMEND = "amend", "Amended a signed visit"
    DISCARD = "discard", "Discarded, removed or marked entered in error"
    EXPORT = "export", "Exported records"
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Failed to log in"
    LOGOUT = "logout", "Logged out"
    LOCKOUT = "lockout", "Refused to log in: the account is locked"
    UNLOCK = "unlock", "Unlocked a staff member's account"
    ROLE_CHANGE = "role_change", "Changed a staff member's role"
    DEACTIVATE = "deactivate", "Deactivated a staff member"
    REACTIVATE = "reactivate", "Reactivated a staff member"
    MFA_CHALLENGE = "mfa_challenge", "Gave the right password; asked for the second factor"
    MFA_ENROL = "mfa_enrol", "Started setting up an authenticator"
    MFA_ENABLE = "mfa_enable", "Turned on the second factor"
    MFA_DISABLE = "mfa_disable", "Turned off a second factor (their own, or a staff member's)"
    RECOVERY_CODES = "recovery_codes", "Issued new recovery codes"
    BREAK_GLASS = "break_glass", "Opened a patient's clinical record by break-glass"
    BREAK_GLASS_READ = "break_glass_read", "Read clinical records under a break-glass grant"
    BREAK_GLASS_END = "break_glass_end", "Ended a break-glass grant early"


class AuditEvent(models.Model):
    """Who did what to which records, from where, and how it ended.

    Rows are only ever inserted, by the database function `audit_append()`, as a plain INSERT
    that locks nothing; a trigger refuses DELETE, TRUNCATE and every UPDATE but the sealer's
    numbering. `hmac` is the writer's HMAC of the content (audit.row_hmac) under a key kept
    out of the database. `seq` is null until the sealer (audit.sealing) numbers the event,
    contiguously within its clinic, into a signed seal (AuditSeal). `manage.py verify_audit`
    checks both. Clinic and user are plain identifiers, not foreign keys, so that the trail
    stands on its own.

    The table is partitioned by month of `occurred_at` (audit.partitions, migration 0007). In
    the database its primary key is (id, occurred_at), since PostgreSQL requires a partitioned
    table's unique keys to hold the partition key; `id` alone stays the primary key here, as
    every id is drawn from the one sequence and Django only ever looks rows up by it. No
    Django migration reads the difference: the model's state was never changed.
    """

    id = models.BigAutoField(primary_key=True)
    clinic_id = models.UUIDField(null=True, blank=True)
    seq = models.BigIntegerField(null=True, editable=False)
    occurred_at = models.DateTimeField()
    user_id = models.UUIDField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.UUIDField(null=True, blank=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    resource_type = models.CharField(max_length=40)
    object_ids = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    patient_ids = ArrayField(models.UUIDField(), default=list, blank=True)
    status_code = models.PositiveSmallIntegerField()
    changed_fields = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    # HMAC-SHA256 of the content under AUDIT_HMAC_KEY, a key the database does not hold.
    hmac = models.CharField(max_length=64, editable=False)

    class Meta:
        # Each index serves a filter or an ordering the trail's endpoints offer (audit.filters),
        # the sealer or the proofs, and no other is made; ids grow with time, so "newest first"
        # is by id. Each is a partitioned index (one index per monthly partition).
        indexes = [
            # The clinic's trail, newest first (and ?ordering=occurred_at, oldest first).
            models.Index(fields=["clinic_id", "id"], name="audit_event_clinic_idx"),
            # ?user=, ?action=, ?resource_type=: newest first within the filter.
            models.Index(fields=["clinic_id", "user_id", "id"], name="audit_event_user_idx"),
            models.Index(fields=["clinic_id", "action", "id"], name="audit_event_action_idx"),
            models.Index(
                fields=["clinic_id", "resource_type", "id"], name="audit_event_resource_idx"
            ),
            # ?request_id=: the event of one request (X-Request-ID).
            models.Index(fields=["clinic_id", "request_id"], name="audit_event_request_idx"),
            # A seal's events, by number (proofs, verify_audit).
            models.Index(fields=["clinic_id", "seq"], name="audit_event_seq_idx"),
            # What the sealer has still to number: small, since sealed rows leave it.
            models.Index(
                fields=["clinic_id", "id"],
                condition=models.Q(seq__isnull=True),
                name="audit_event_unsealed_idx",
            ),
            # ?occurred_after=/?occurred_before=, within the partitions the range leaves.
            models.Index(fields=["clinic_id", "occurred_at"], name="audit_event_time_idx"),
            # ?patient= and a patient's access log: events whose patient_ids hold the patient.
            GinIndex(fields=["patient_ids"], name="audit_event_patients_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.resource_type}"


class AuditSeal(models.Model):
    """A signed batch of one clinic's events: events `first_seq`..`last_seq`, hashed as RFC 6962
    Merkle leaves (audit.seal_format) under `root`, linked to the clinic's previous seal by
    `prev_hash`, signed with the Ed25519 key kept out of the database (audit.seal_keys). Each is
    also written to a store outside PostgreSQL (audit.seal_store). Append-only."""

    id = models.BigAutoField(primary_key=True)
    clinic_id = models.UUIDField(null=True, blank=True)
    number = models.BigIntegerField()
    first_seq = models.BigIntegerField()
    last_seq = models.BigIntegerField()
    tree_size = models.IntegerField()
    root = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()
    key_id = models.CharField(max_length=64)
    signature = models.CharField(max_length=88)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic_id", "number"],
                nulls_distinct=False,
                name="audit_seal_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, first_seq__gte=1, tree_size__gte=1)
                & models.Q(last_seq=models.F("first_seq") + models.F("tree_size") - 1),
                name="audit_seal_range",
            ),
        ]
        # The seal that holds an event (proofs: the first whose last_seq reaches its seq).
        indexes = [models.Index(fields=["clinic_id", "last_seq"], name="audit_seal_last_seq_idx")]

    def __str__(self) -> str:
        return (
            f"{self.clinic_id or 'no clinic'} seal {self.number}: {self.first_seq}-{self.last_seq}"
        )


class AuditCheckpoint(models.Model):
    """The last seal `verify_audit` found intact, per clinic (the nil UUID for events of no
    clinic): the next run starts after it. Not readable by the API role."""

    chain_key = models.UUIDField(primary_key=True)
    number = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    verified_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.chain_key}: seal {self.number}"
