#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")
    # The development server serves requests as the API's database role, like wsgi.py;
    # every other command (migrate, create_clinic, …) works as the owner.
    if sys.argv[1:2] == ["runserver"]:
        os.environ.setdefault("SERVE_AS_APP_ROLE", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
