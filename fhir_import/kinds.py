"""What each importable resource type is made into, declared once per type.

An `ImportKind` names the REST API's serializer that validates what was read (so an imported
record passes the same checks as one sent to the REST API), the service that writes it, the
roles that may write it (the REST API's own), and the elements it reads; every other element
of a resource is said not to be kept, in the entry's answer.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Model, QuerySet
from rest_framework import serializers

from clinics.models import User
from fhir_import.reading import Mapped
from patients.models import Patient

# Elements every resource has that say nothing the records would keep.
STRUCTURAL = frozenset({"resourceType", "id", "meta", "text", "language", "implicitRules"})


class Lookup(Protocol):
    """The Bundle as one entry's read sees it: the resources its references name (another
    entry, or one contained in `container` as `#id`), and the entries that refer to it."""

    def __call__(self, reference: str, container: dict) -> dict | None: ...

    def referring(self, resource_type: str, element: str) -> list[tuple[str, dict]]:
        """The entries of `resource_type` whose `element` (a Reference, or a list of them)
        names this entry, as (a reference to each, its resource), in the Bundle's order."""
        ...

    def path_of(self, reference: str) -> str:
        """The element path of the entry a reference names (`Bundle.entry[5]`), for what an
        entry says of another it reads (a whole of its parts)."""
        ...


class Create(Protocol):
    def __call__(
        self, *, fields: dict[str, Any], patient: Patient | None, user: User, **options: Any
    ) -> Model: ...


@dataclass(frozen=True)
class ImportKind:
    name: str  # the FHIR resource type
    serializer: type[serializers.Serializer]  # the REST API's, validating what was read
    read: Callable[[dict, Lookup], Mapped]  # the resource as the serializer's input
    create: Create  # the service call that writes the validated fields
    writers: frozenset[str]  # the roles that may write such records (the REST API's)
    elements: frozenset[str]  # top-level elements read (the others are reported not kept)
    subject: str | None = None  # the element naming the record's patient
    patient_field: str | None = None  # the serializer's field for the patient, if it has one
    writers_reason: str = ""  # why the other roles may not, for their refusal
    # Import order: entries are written by rank, so that what an entry refers to (its patient,
    # the conditions a plan addresses) was written before it, whatever the Bundle's order.
    rank: int = 1
    # The ids of the parts a record was written with, by the field that listed them, in their
    # order (a plan: its goals and planned items), for the part entries' answers.
    part_ids: Callable[[Model], dict[str, list[Any]]] | None = None
    # The kinds whose import may write an entry of this kind as part of their record (a
    # visit's pain score before treatment: its Encounter's); unclaimed, it is written alone.
    claimed_by: frozenset[str] = frozenset()
    # The entry this one is written right after (a visit: its plan's), by its reference; and
    # what is done to a record once the entries that follow it are written (a plan reaches a
    # closed status only after its visits were logged against it while it was active).
    follows: Callable[[dict], str | None] | None = None
    finish: Callable[[Model, dict[str, Any]], Model] | None = None
    # The order of its entries among themselves (plans: the oldest first, so that a plan is
    # closed before a later one addressing the same condition becomes active).
    sort_key: Callable[[dict], str] | None = None
    # The user's records of this type (a selector), where another entry restates one named
    # by its id (fhir_import.reading.SameAs).
    records: Callable[[User], QuerySet[Any]] | None = None

    def patient_id(self, record: Model) -> Any:
        return record.pk if isinstance(record, Patient) else getattr(record, "patient_id", None)


@dataclass(frozen=True)
class PartKind:
    """A resource imported as part of another's record (a Goal: its CarePlan's), by the entry
    of that record, which reads it where it refers to it; its own entry is answered with the
    part it became. An entry that no imported record claims is refused."""

    name: str
    part_of: str  # the resource type whose import writes it
    elements: frozenset[str]  # top-level elements its whole reads (the others: not kept)
    how: str  # how its whole refers to it, for the refusal of an unclaimed entry
    # Whether an unclaimed part was taken off its whole, which then no longer names it: it is
    # answered with a note and nothing written, instead of refused.
    taken_off: Callable[[dict], bool] | None = None
    path: str = "resource"  # the element of it that names its whole, for that refusal
    subject: None = None
    rank: int = 9  # after every whole: by then each whole has claimed its parts
    follows: None = None
    finish: None = None
    sort_key: None = None
