"""Counts of every clinical table, to show that no request deletes a clinical row."""

from django.apps import apps
from django.db import connection

from tenancy.models import ClinicScopedModel


def clinical_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, ClinicScopedModel) and not model._meta.proxy
    )


def row_counts() -> dict[str, int]:
    """Rows of each clinical table, all clinics, in one statement."""
    tables = clinical_tables()
    query = " UNION ALL ".join(f"SELECT %s, count(*) FROM {table}" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(query, tables)
        return dict(cursor.fetchall())


def decreased(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {
        table: (before[table], after[table]) for table in before if after[table] < before[table]
    }
