"""The database connection, typed as this project's backend (tenancy.postgres.base)."""

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections

from tenancy.postgres.base import DatabaseWrapper


def backend_connection(alias: str = DEFAULT_DB_ALIAS) -> DatabaseWrapper:
    """`django.db.connection` (or another alias's), as the wrapper the settings configure, so
    that its own methods (`execute_first`, `execute_at_commit`) are type-checked."""
    wrapper = connections[alias]
    if not isinstance(wrapper, DatabaseWrapper):
        raise ImproperlyConfigured(f"The {alias!r} database's ENGINE must be tenancy.postgres.")
    return wrapper
