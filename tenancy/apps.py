from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = "Tenancy: the clinic context, row-level security and the database backend"

    def ready(self) -> None:
        from tenancy import models  # noqa: F401  (registers the tenancy system check)

        # Django's hook for schema-level setup: every migrate re-applies grants and policies,
        # so a table added by any later migration is protected as soon as it exists.
        post_migrate.connect(_secure_database, dispatch_uid="tenancy.secure_database")


def _secure_database(sender, using: str, **kwargs) -> None:
    from django.db import connections

    from tenancy.row_security import secure_database

    # post_migrate is sent once per app with models, after all migrations ran; act once.
    if sender.label == "clinics":
        secure_database(connections[using])
