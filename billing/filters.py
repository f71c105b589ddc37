"""The searches of billing records: one patient's coverage and cases, a code's fees."""

import django_filters

from billing.models import Coverage, CoveragePriority, FeeScheduleEntry, InsuranceCase
from billing.payer_rules import PAYER_TYPE_CHOICES
from reference.cpt import CPT_CHOICES


class CoverageFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(
        field_name="patient_id", help_text="Only this patient's coverage."
    )
    payer_type = django_filters.MultipleChoiceFilter(
        choices=PAYER_TYPE_CHOICES, help_text="Only coverage of these payer types."
    )
    priority = django_filters.ChoiceFilter(
        choices=CoveragePriority.choices, help_text="Only primary or only secondary coverage."
    )

    class Meta:
        model = Coverage
        fields = ["patient", "payer_type", "priority"]


class InsuranceCaseFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(
        field_name="patient_id", help_text="Only this patient's cases."
    )
    plan = django_filters.UUIDFilter(field_name="plan_id", help_text="Only this plan's case.")
    coverage = django_filters.UUIDFilter(
        field_name="coverage_id", help_text="Only cases billed under this coverage."
    )

    class Meta:
        model = InsuranceCase
        fields = ["patient", "plan", "coverage"]


class FeeScheduleFilter(django_filters.FilterSet):
    cpt = django_filters.MultipleChoiceFilter(
        choices=CPT_CHOICES, help_text="Only fees of these codes."
    )

    class Meta:
        model = FeeScheduleEntry
        fields = ["cpt"]
