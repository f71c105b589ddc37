"""WSGI entry point for production servers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Requests are served as the API's database role, under row-level security.
os.environ.setdefault("SERVE_AS_APP_ROLE", "true")
application = get_wsgi_application()
