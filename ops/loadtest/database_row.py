"""The database row: a patient retrieve's own SQL under pgbench, with and without its audit event.

No server and no Python between: 16 pgbench clients (two threads) connect as the API role and
run, in one clinic, the three round trips of the project's retrieve. The first opens the
clinic context from a real token's digest with the request's own statement (BEGIN travelling
with it, tenancy.request_context); the second reads a random patient of the clinic with its
active conditions as the ceiling's floor does (ops.loadtest.ceiling); the third commits, after
the event's `audit_append(…)` in the audited scripts (audit.recording). The ratio of the
audited script's throughput to the unaudited one's is what the audit trail costs the database.
"""

import re
import secrets
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from knox.models import AuthToken

from ops.loadtest.ceiling import PATIENT_DOCUMENT
from ops.loadtest.dataset import LoadClinic, patients_of
from ops.loadtest.servers import production_environment

CLIENTS = 16
THREADS = 2

# pgbench substitutes :name from -D; `\;` sends the statements around it in one Query message.
OPEN_CONTEXT = (
    "BEGIN \\; SELECT set_config('role', ':role', true), "
    "set_config('statement_timeout', ':statement_timeout', true), "
    "set_config('lock_timeout', ':lock_timeout', true), r.* "
    "FROM api_open_token_context(':digest', gen_random_uuid(), :idle, :max, :refresh) AS r;"
)
# The dataset derives a patient's id from its clinic and number (ops.loadtest.dataset).
PATIENT_ID = "md5(':clinic' || ':' || :n || ':patient')::uuid"
READ_PATIENT = " ".join(
    PATIENT_DOCUMENT.replace("%s", "':clinic'::uuid", 1).replace("%s", PATIENT_ID, 1).split()
)
# The retrieve's event as audit.recording.write sends it (its HMAC: a SHA-256 hex digest).
APPEND = (
    "SELECT audit_append(':clinic'::uuid, now(), ':doctor'::uuid, ':username', 'chiropractor', "
    "'127.0.0.1'::inet, 'loadtest/1.0', gen_random_uuid(), 'GET', "
    "'/api/v1/patients/' || " + PATIENT_ID + " || '/', 'read', 'patient', "
    "ARRAY[" + PATIENT_ID + "::text], ARRAY[" + PATIENT_ID + "], 200, '{}'::text[], ':hmac')"
)
RELAXED_COMMIT = "SET LOCAL synchronous_commit = off"

SCRIPTS = {
    "unaudited": "COMMIT;",
    "audited": f"{APPEND} \\; COMMIT;",
    "audited, commit not waiting": f"{RELAXED_COMMIT} \\; {APPEND} \\; COMMIT;",
}


@dataclass
class DatabaseRow:
    name: str
    tps: list[float] = field(default_factory=list)
    latency_ms: list[float] = field(default_factory=list)

    @property
    def median_tps(self) -> float:
        return statistics.median(self.tps) if self.tps else 0.0


def available() -> bool:
    return shutil.which("pgbench") is not None


def _script(last: str) -> str:
    return "\n".join(["\\set n random(1, :patients)", OPEN_CONTEXT, f"{READ_PATIENT};", last, ""])


def _variables(load: LoadClinic) -> dict[str, str]:
    knox = settings.REST_KNOX
    token = AuthToken.objects.create(load.doctor)[0]
    return {
        "role": settings.DATABASE_APP_ROLE,
        "statement_timeout": str(settings.DB_STATEMENT_TIMEOUT_MS),
        "lock_timeout": str(settings.DB_LOCK_TIMEOUT_MS),
        "digest": token.digest,
        "idle": str(int(knox["TOKEN_TTL"].total_seconds())),
        "max": str(int(knox["AUTO_REFRESH_MAX_TTL"].total_seconds())),
        "refresh": str(knox["MIN_REFRESH_INTERVAL"]),
        "clinic": str(load.clinic.pk),
        "doctor": str(load.doctor.pk),
        "username": load.doctor.username,
        "patients": str(patients_of(load.clinic)),
        "hmac": secrets.token_hex(32),
    }


def _pgbench(url: str, script: Path, variables: dict[str, str], seconds: float) -> tuple:
    defines = [f"-D{name}={value}" for name, value in variables.items()]
    command = ["pgbench", "-n", "-M", "simple", "-c", str(CLIENTS), "-j", str(THREADS)]
    command += ["-T", str(max(1, round(seconds))), "-f", str(script), *defines, url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    tps = re.search(r"^tps = ([\d.]+)", done.stdout, re.MULTILINE)
    latency = re.search(r"^latency average = ([\d.]+) ms", done.stdout, re.MULTILINE)
    if done.returncode or tps is None or latency is None:
        raise RuntimeError(f"pgbench failed: {(done.stderr or done.stdout)[-1500:]}")
    return float(tps.group(1)), float(latency.group(1))


def measure(
    load: LoadClinic, *, seconds: float, rounds: int, say: Callable[[str], None] = print
) -> list[DatabaseRow]:
    """Each script for `seconds`, interleaved, `rounds` times, on `load`'s clinic."""
    url = production_environment()["DATABASE_APP_URL"]
    variables = _variables(load)
    rows = {name: DatabaseRow(name) for name in SCRIPTS}
    with tempfile.TemporaryDirectory() as folder:
        scripts = {}
        for index, (name, last) in enumerate(SCRIPTS.items()):
            scripts[name] = Path(folder) / f"script{index}.sql"
            scripts[name].write_text(_script(last))
        for round_number in range(rounds):
            for name, script in scripts.items():
                tps, latency = _pgbench(url, script, variables, seconds)
                rows[name].tps.append(tps)
                rows[name].latency_ms.append(latency)
                say(f"  database row, round {round_number + 1}, {name}: {tps:,.0f} tps")
    return list(rows.values())


def report(rows: list[DatabaseRow], say: Callable[[str], None]) -> None:
    """tps (median and spread), mean latency, and each round's ratio to the unaudited run's."""
    say(
        f"\nDatabase row: pgbench, {CLIENTS} clients, one clinic, as the API role; "
        "a retrieve's three round trips, no server."
    )
    say(f"{'script':<30}{'tps':>8}{'spread':>16}{'mean ms':>9}{'÷ unaudited':>13}{'spread':>14}")
    reference = rows[0]
    for row in rows:
        ratios = [tps / base for tps, base in zip(row.tps, reference.tps, strict=True)]
        spread = f"{min(row.tps):,.0f}–{max(row.tps):,.0f}"
        ratio_spread = f"{min(ratios):.2f}–{max(ratios):.2f}"
        say(
            f"{row.name:<30}{row.median_tps:>8,.0f}{spread:>16}"
            f"{statistics.median(row.latency_ms):>9.2f}"
            f"{statistics.median(ratios):>13.2f}{ratio_spread:>14}"
        )
