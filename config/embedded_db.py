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


def stop_embedded_database(data_dir: Path) -> bool:
    """Stop the embedded server if it runs; whether it was running.

    pgserver stops its server only when the last process that asked for it exits, as listed in
    `.handle_pids.json`; processes killed on the way never leave that list, so this asks
    PostgreSQL itself (pg_ctl) and then forgets them.
    """
    import os

    # pgserver makes a function per PostgreSQL program when imported (setattr).
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir)
    if info is None or not info.is_running():
        return False
    # pgserver runs the server as its own system user when started by root.
    user = "pgserver" if os.name == "posix" and os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
    (data_dir / ".handle_pids.json").unlink(missing_ok=True)
    return True
