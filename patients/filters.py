"""Searches the front desk and the chiropractor run over patients and conditions."""

import django_filters
from django.db.models import QuerySet

from api.filters import key_starts_with
from patients.models import (
    BodyRegion,
    ClinicalStatus,
    Condition,
    Patient,
    PatientStatus,
    VerificationStatus,
    search_key,
)
from reference import icd10


class PatientFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(
        method="filter_name",
        help_text="Start of the given or family name, any case, accents ignored; several words "
        "must each start a name (`mar gar` finds María García).",
    )
    chart_number = django_filters.CharFilter(help_text="Exact chart number.")
    date_of_birth = django_filters.DateFilter(help_text="Exact date of birth (YYYY-MM-DD).")
    phone = django_filters.CharFilter(
        method="filter_phone",
        help_text="The phone number or its last digits, in any format: `555-0100` finds "
        "`(617) 555-0100`.",
    )
    email = django_filters.CharFilter(method="filter_email", help_text="Exact email, any case.")
    status = django_filters.MultipleChoiceFilter(
        choices=PatientStatus.choices,
        help_text="Only patients with these statuses. Without it, archived patients are left out.",
    )

    class Meta:
        model = Patient
        fields = ["name", "chart_number", "date_of_birth", "phone", "email", "status"]

    def filter_name(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in search_key(value).split():
            queryset = queryset.filter(
                key_starts_with("given_name_key", word) | key_starts_with("family_name_key", word)
            )
        return queryset

    def filter_phone(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        digits = "".join(ch for ch in reversed(value) if ch.isdigit())
        return (
            queryset.filter(key_starts_with("phone_digits_reversed", digits))
            if digits
            else queryset.none()
        )

    def filter_email(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(email=value.strip().lower())

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=[PatientStatus.ACTIVE, PatientStatus.INACTIVE])
        return super().filter_queryset(queryset)


class ConditionFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(
        field_name="patient_id", help_text="Only this patient's conditions."
    )
    code = django_filters.CharFilter(
        method="filter_code",
        help_text="ICD-10-CM code or its start, with or without the dot: `M99.0` finds M99.00–M99.09.",
    )
    clinical_status = django_filters.MultipleChoiceFilter(
        choices=ClinicalStatus.choices, help_text="Only these clinical statuses."
    )
    verification_status = django_filters.MultipleChoiceFilter(
        choices=VerificationStatus.choices,
        help_text="Only these verification statuses. Without it, conditions entered in error are left out.",
    )
    body_region = django_filters.MultipleChoiceFilter(
        choices=BodyRegion.choices, help_text="Only these body regions."
    )
    onset_after = django_filters.DateFilter(
        field_name="onset_date", lookup_expr="gte", help_text="Onset on or after this date."
    )
    onset_before = django_filters.DateFilter(
        field_name="onset_date", lookup_expr="lte", help_text="Onset on or before this date."
    )

    class Meta:
        model = Condition
        fields = ["patient", "code", "clinical_status", "verification_status", "body_region"]

    def filter_code(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(code__startswith=icd10.normalize(value))

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if not self.form.cleaned_data.get("verification_status"):
            queryset = queryset.exclude(verification_status=VerificationStatus.ENTERED_IN_ERROR)
        return super().filter_queryset(queryset)
