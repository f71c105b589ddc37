"""Filters for the staff list and the practitioner directory."""

import django_filters

from api.filters import StrictBooleanFilter
from api.roles import Role
from clinics.models import User


class StaffFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, help_text="Only staff with this role.")
    is_active = StrictBooleanFilter(help_text="Only active (true) or deactivated (false) staff.")

    class Meta:
        model = User
        fields = ["role", "is_active"]


class PractitionerFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, help_text="Only this role's staff.")

    class Meta:
        model = User
        fields = ["role"]
