"""Clinical rows are never deleted: a row replaced while a record is drafted is marked removed
and kept, and the default manager shows only the current ones."""

from django.db import models


class CurrentRowsManager(models.Manager):
    """Rows not marked removed; `all_rows` on the model reaches the removed ones too."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(removed_at__isnull=True)
