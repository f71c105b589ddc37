"""Reads of outcome measures: scoped to the caller's clinic."""

from django.db.models import QuerySet

from clinics.models import User
from treatments.outcomes.models import OutcomeMeasure


def outcome_list(*, user: User) -> QuerySet[OutcomeMeasure]:
    return OutcomeMeasure.objects.for_clinic(user.clinic_id)
