"""`manage.py run_with_worker`: `make run`'s two processes, the development server and one job
worker, started together and stopped together."""

import os
import signal
import subprocess
import sys
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# What each child is given to stop (a worker finishes its jobs first), before it is killed.
STOP_MARGIN_SECONDS = 10


def _die_with_parent() -> None:
    """In the child before it starts (Linux): SIGTERM when this command's process dies, even
    by SIGKILL, so that no worker outlives it."""
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class Command(BaseCommand):
    help = (
        "Run the development server and one job worker; Ctrl-C (or SIGTERM) stops both. "
        "Either one exiting stops the other."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options) -> None:
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        commands = {
            "worker": [*manage, "procrastinate", "worker"],
            "server": [*manage, "runserver", addrport],
        }
        # Each child takes its own database role (manage.py): the server the API's, the worker
        # the owner's. They share this terminal and its process group, so Ctrl-C reaches both.
        children: dict[int, tuple[str, subprocess.Popen]] = {}
        asked_to_stop = []

        def stop(signum: int, frame: FrameType | None) -> None:
            asked_to_stop.append(signum)
            for _, child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGHUP, stop)
        for name, command in commands.items():
            if asked_to_stop:
                break
            child = subprocess.Popen(command, preexec_fn=_die_with_parent)
            children[child.pid] = (name, child)
            self.stdout.write(f"{name}: manage.py {' '.join(command[2:])} (pid {child.pid})")
            self.stdout.flush()

        if not children:
            return
        # Whichever ends first (Ctrl-C, a crash, a port in use), the other is stopped.
        pid, status = os.wait()
        first, ended = children[pid]
        ended.returncode = os.waitstatus_to_exitcode(status)
        if not asked_to_stop:
            self.stderr.write(f"The {first} exited ({ended.returncode}): stopping the rest.")
        for _, child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for name, child in children.values():
            try:
                child.wait(timeout=settings.JOB_SHUTDOWN_SECONDS + STOP_MARGIN_SECONDS)
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop: killed")
                child.kill()
                child.wait()
        if not asked_to_stop:
            raise CommandError(f"The {first} exited with status {ended.returncode}.")
