"""How data is tied to a clinic: the clinic-scoped base model, its queryset and the check.

Every clinical table carries `clinic_id` as its tenant key, so that the data can later be
distributed by clinic (Citus-style) without a redesign: unique constraints and indexes start
with the clinic, and rows of one clinic only ever point at rows of the same clinic.
"""

from typing import Any, ClassVar, Self

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import models

from api.retention import CurrentRowsManager


class ClinicScopedQuerySet(models.QuerySet):
    def for_clinic(self, clinic_id: object) -> Self:
        return self.filter(clinic_id=clinic_id)


ClinicScopedManager = models.Manager.from_queryset(ClinicScopedQuerySet)


class CurrentClinicRowsManager(CurrentRowsManager, ClinicScopedManager):
    """The current rows (api.retention) of a clinic-scoped model, still read by clinic."""


class ClinicScopedModel(models.Model):
    """Base of every clinical model: the row belongs to one clinic."""

    clinic = models.ForeignKey(
        "clinics.Clinic",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        # Every index of a clinical table leads with the clinic; a lone one would be dead weight.
        db_index=False,
        help_text="The clinic (tenant) this record belongs to.",
    )

    objects: ClassVar[ClinicScopedManager[Any]] = ClinicScopedManager()

    class Meta:
        abstract = True


@checks.register(checks.Tags.models)
def check_tenant_models_are_clinic_scoped(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse to start when a model of a tenant app forgets its clinic.

    Shared reference data (segments, code lists) opts out with `shared_across_clinics = True`.
    History tables (django-pghistory) copy their tracked row's `clinic`, which must be scoped.
    """
    errors: list[checks.CheckMessage] = []
    for app_label in settings.TENANT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if getattr(model, "shared_across_clinics", False):
                continue
            tracked = getattr(model, "pgh_tracked_model", None)
            if tracked is not None and issubclass(tracked, ClinicScopedModel):
                continue
            if not issubclass(model, ClinicScopedModel):
                errors.append(
                    checks.Error(
                        f"{model._meta.label} is in a tenant app but is not clinic-scoped.",
                        hint="Inherit tenancy.models.ClinicScopedModel, or set "
                        "shared_across_clinics = True for reference data.",
                        obj=model,
                        id="tenancy.E001",
                    )
                )
    return errors
