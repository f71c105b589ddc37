"""The ceiling app's WSGI entry point (see ops.loadtest.ceiling)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ops.loadtest.ceiling_settings")
application = get_wsgi_application()
