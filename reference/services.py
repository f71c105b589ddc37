"""Writes to the reference vocabulary: a clinic adding its own techniques and exercises."""

from django.core.exceptions import ValidationError
from django.db import transaction

from api.error_codes import ApiCode
from clinics.models import Clinic
from reference.models import ClinicExtensibleModel


@transaction.atomic
def reference_entry_add(
    *, clinic: Clinic, model: type[ClinicExtensibleModel], data: dict
) -> ClinicExtensibleModel:
    """Add a clinic's own entry; its code must differ from shipped entries and the clinic's own."""
    if model.objects.available_to(clinic.pk).filter(code=data.get("code")).exists():
        raise ValidationError(
            {"code": ValidationError("This code is already in use.", code=ApiCode.UNIQUE)}
        )
    entry = model(clinic=clinic, **data)
    entry.full_clean()
    entry.save()
    return entry
