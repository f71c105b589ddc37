"""`make db-stop` stops the embedded PostgreSQL even when the processes that started it were
killed (pgserver itself waits for them to exit, which a killed process never does)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from pgserver.utils import PostmasterInfo

from config.embedded_db import stop_embedded_database

START_AND_DIE = """
import os, sys
from config.embedded_db import embedded_database_url
print(embedded_database_url(__import__("pathlib").Path(sys.argv[1])), flush=True)
os.kill(os.getpid(), 9)  # killed: never tells pgserver it is done
"""


@pytest.mark.django_db  # only for the suite's shared fixtures; the server here is its own
def test_db_stop_stops_a_server_whose_starters_were_killed(tmp_path):
    data_dir = tmp_path / "pgdata"
    started = subprocess.run(
        [sys.executable, "-c", START_AND_DIE, str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == -9 and started.stdout.startswith("postgresql://")
    info = PostmasterInfo.read_from_pgdata(data_dir)
    assert info is not None and info.is_running()

    assert stop_embedded_database(data_dir) is True

    assert PostmasterInfo.read_from_pgdata(data_dir) is None  # shut down cleanly
    assert stop_embedded_database(data_dir) is False


def test_without_database_url_the_settings_start_the_embedded_database(tmp_path):
    """`make run` on a fresh clone: no DATABASE_URL, so the settings start PostgreSQL in
    PGSERVER_DIR (read through django-environ like every setting)."""
    data_dir = tmp_path / "pgdata"
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "DATABASE_APP_URL", "PGSERVER_DIR"}
    }
    script = "import django; from django.conf import settings; django.setup(); print(settings.DATABASE_URL)"
    try:
        read = subprocess.run(
            [sys.executable, "-c", script],
            cwd=settings.BASE_DIR,
            env={
                **environment,
                "PGSERVER_DIR": str(data_dir),
                "DJANGO_SETTINGS_MODULE": "config.settings",
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert read.returncode == 0, read.stderr[-2000:]
        assert read.stdout.strip().splitlines()[-1].startswith("postgresql://")
    finally:
        stop_embedded_database(data_dir)
