"""The ceiling app's settings: the project's, with nothing between the server and the view."""

from config.settings import *  # noqa: F403

MIDDLEWARE = []
ROOT_URLCONF = "ops.loadtest.ceiling"
# A bare app reads without a request transaction.
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # noqa: F405
