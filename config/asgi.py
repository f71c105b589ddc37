"""ASGI entry point for production servers."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Requests are served as the API's database role, under row-level security.
os.environ.setdefault("SERVE_AS_APP_ROLE", "true")
application = get_asgi_application()
