"""The embedded PostgreSQL a newcomer gets when no DATABASE_URL is configured."""

from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit


def embedded_database_url(data_dir: Path) -> str:
    """Start (or reuse) a project-local PostgreSQL server and return its URL.

    The server keeps running after this process exits, so that every manage.py command and
    test run reuses it instead of paying the start-up again; `make db-stop` stops it.
    """
    import warnings

    # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); pgserver copes.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    server = pgserver.get_server(data_dir, cleanup_mode=None)
    return server.get_uri()


def url_with_user(url: str, user: str) -> str:
    """The same database URL, connecting as `user` without a password (trusted local servers)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(user)}@{host}"))
