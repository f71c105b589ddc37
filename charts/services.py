"""Writes of a visit that need billing as well as treatments: signing freezes its coding."""

from django.db import transaction

from billing.visit_coding import frozen_coding
from clinics.models import User
from treatments.visits import services as visits
from treatments.visits.models import Visit


@transaction.atomic
def visit_sign(*, visit: Visit, by: User) -> Visit:
    """Lock the visit with the coding derived from it now (`visit` read by
    billing.selectors.coded_visit_list, so that its coding reads nothing more)."""
    return visits.visit_sign(visit=visit, by=by, signed_coding=frozen_coding(visit))
