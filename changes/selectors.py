"""Reads of the change feed: the caller's clinic only (row-level security says the same), and
for a role that may not read clinical records, none of their events."""

import uuid

from django.db.models import QuerySet

from api.permissions import CLINICAL_ROLES
from changes.models import ChangeEvent, FeedHorizon
from clinics.models import User


def change_event_list(*, user: User) -> QuerySet[ChangeEvent]:
    events = ChangeEvent.objects.filter(clinic_id=user.staff_clinic_id, seq__isnull=False)
    if user.role not in CLINICAL_ROLES:
        events = events.filter(clinical=False)
    return events


def feed_horizon(*, clinic_id: uuid.UUID) -> FeedHorizon:
    """The clinic's horizon; an empty one before its first event is numbered."""
    horizon = FeedHorizon.objects.filter(clinic_id=clinic_id).first()
    return horizon if horizon is not None else FeedHorizon(clinic_id=clinic_id)
