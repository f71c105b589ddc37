"""Writes to the reference vocabulary: a clinic adding its own techniques and exercises."""

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction

from api.error_codes import ApiCode
from clinics.models import Clinic
from reference.models import THERAPEUTIC_EXERCISE, ClinicExtensibleModel, Exercise, Technique

_Entry = TypeVar("_Entry", bound=ClinicExtensibleModel)


def _added(entry: _Entry) -> _Entry:
    """Save a clinic's own entry; its code must differ from shipped entries and the clinic's
    own."""
    taken = type(entry).objects.available_to(entry.clinic_id).filter(code=entry.code)
    if taken.exists():
        raise ValidationError(
            {"code": ValidationError("This code is already in use.", code=ApiCode.UNIQUE)}
        )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def technique_add(*, clinic: Clinic, code: str, name: str, description: str = "") -> Technique:
    return _added(Technique(clinic=clinic, code=code, name=name, description=description))


@transaction.atomic
def exercise_add(
    *,
    clinic: Clinic,
    code: str,
    name: str,
    body_region: str,
    default_sets: int,
    default_repetitions: int,
    default_hold_seconds: int,
    description: str = "",
    cpt_code: str = THERAPEUTIC_EXERCISE,
) -> Exercise:
    return _added(
        Exercise(
            clinic=clinic,
            code=code,
            name=name,
            description=description,
            body_region=body_region,
            default_sets=default_sets,
            default_repetitions=default_repetitions,
            default_hold_seconds=default_hold_seconds,
            cpt_code=cpt_code,
        )
    )
