"""`Patient/{id}/$everything`: a patient's record across every type the caller may read.

One statement per resource type, whatever the number of visits, plans or scores: each type's
rows are read through its own selector, filtered by its `patient` reference parameter. A type
with more than EVERYTHING_MAX_PER_TYPE of the patient's resources is cut there, and the Bundle
says so in an OperationOutcome entry naming the search that pages through them all.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Model

from api.permissions import role_allows
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.search import ReferenceParameter

EVERYTHING_MAX_PER_TYPE = 1000


@dataclass
class Record:
    """A patient's resources, type by type, and the types cut short."""

    rows: list[tuple[ResourceKind, Model]] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)


def patient_column(kind: ResourceKind) -> str | None:
    parameter = kind.search.get("patient")
    if isinstance(parameter, ReferenceParameter) and parameter.target == "Patient":
        return parameter.column
    return None


def patient_record(
    request, *, patient: Model, user: User, kinds: Iterable[ResourceKind], types: set[str] | None
) -> Record:
    record = Record()
    for kind in kinds:
        column = patient_column(kind)
        if column is None or (types is not None and kind.name not in types):
            continue
        if not role_allows(request, kind.readers):
            continue  # the caller's record of the patient holds what their role reads
        rows = list(kind.rows(user).filter(**{column: patient.pk})[: EVERYTHING_MAX_PER_TYPE + 1])
        if len(rows) > EVERYTHING_MAX_PER_TYPE:
            record.cut.append(kind.name)
            rows = rows[:EVERYTHING_MAX_PER_TYPE]
        record.rows += [(kind, row) for row in rows]
    return record
