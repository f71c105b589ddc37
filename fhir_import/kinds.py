"""What each importable resource type is made into, declared once per type.

An `ImportKind` names the REST API's serializer that validates what was read (so an imported
record passes the same checks as one sent to the REST API), the service that writes it, the
roles that may write it (the REST API's own), and the elements it reads; every other element
of a resource is said not to be kept, in the entry's answer.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Model
from rest_framework import serializers

from clinics.models import User
from fhir_import.reading import Mapped
from patients.models import Patient

# Elements every resource has that say nothing the records would keep.
STRUCTURAL = frozenset({"resourceType", "id", "meta", "text", "language", "implicitRules"})


class Lookup(Protocol):
    """A reference resolved to a resource of the same Bundle (or contained), if it names one."""

    def __call__(self, reference: str, container: dict) -> dict | None: ...


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

    def patient_id(self, record: Model) -> Any:
        return record.pk if isinstance(record, Patient) else getattr(record, "patient_id", None)
