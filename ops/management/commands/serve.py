"""`manage.py serve`: the production server (gunicorn, production settings) on this database."""

import os
import sys

from django.core.management.base import BaseCommand, CommandParser

from ops.loadtest.servers import ROOT, production_environment


class Command(BaseCommand):
    help = "Serve the API with gunicorn and production settings (workers for the cores)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))

    def handle(self, *args, bind: str, **options) -> None:
        environment = production_environment(BIND=bind)
        self.stdout.write(f"API: http://{bind}/api/v1/  (production settings, gunicorn)")
        self.stdout.flush()
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
        os.execve(sys.executable, [*command, "config.wsgi:application"], environment)
