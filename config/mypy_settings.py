"""mypy's first plugin: django-stubs imports the settings without starting a database server.

django-stubs imports `config.settings` to learn the models. With no DATABASE_URL the settings
start the embedded PostgreSQL (config.embedded_db); type checking reads no database, so this
gives them a URL that is only parsed. A DATABASE_URL already set is kept.
"""

import os

from mypy.plugin import Plugin

os.environ.setdefault("DATABASE_URL", "postgres://types-only@localhost/types-only")


def plugin(version: str) -> type[Plugin]:
    return Plugin
