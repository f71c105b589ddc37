from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReferenceConfig(AppConfig):
    name = "reference"
    verbose_name = "Reference data"

    def ready(self) -> None:
        # The shipped catalogue is loaded by a data migration; after a database is flushed
        # (tests that commit are cleaned up so) only post_migrate runs again, and the
        # catalogue must come back with it. Loading is idempotent.
        post_migrate.connect(_sync_catalog, sender=self, dispatch_uid="reference.sync_catalog")


def _sync_catalog(sender, apps=None, **kwargs) -> None:
    from django.apps import apps as installed_apps

    from reference.loading import sync_catalog

    # `apps` is the migrated state after migrate; a flush sends none (the models as they are).
    sync_catalog(apps or installed_apps)
