"""The project: settings, root URLs and the WSGI and ASGI entry points."""
