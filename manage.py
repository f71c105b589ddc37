#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The development server serves requests as the API's database role, like wsgi.py;
    # every other command (migrate, create_clinic, …) works as the owner.
    if sys.argv[1:2] == ["runserver"]:
        os.environ.setdefault("SERVE_AS_APP_ROLE", "true")
        # A connection kept open belongs to its thread, and the development server starts a
        # thread per client connection: kept connections outlived their threads (300 requests,
        # 20 at a time, left 88 idle, and a burst exhausted PostgreSQL). It connects per request.
        os.environ.setdefault("DB_CONN_MAX_AGE", "0")
    # The job queue's worker fetches and finishes jobs, which the API role may not
    # (tenancy.row_security): it always works as the owner, whatever the environment says.
    if sys.argv[1:2] == ["procrastinate"]:
        os.environ["SERVE_AS_APP_ROLE"] = "false"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
