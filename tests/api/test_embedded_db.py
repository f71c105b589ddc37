"""`make db-stop` stops the embedded PostgreSQL even when the processes that started it were
killed (pgserver itself waits for them to exit, which a killed process never does)."""

import subprocess
import sys

import pytest
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
