"""The roles a clinic's staff member holds: what the permissions (api.permissions) grant by."""

from django.db import models


class Role(models.TextChoices):
    CHIROPRACTOR = "chiropractor", "Chiropractor"
    FRONT_DESK = "front_desk", "Front desk"
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"
