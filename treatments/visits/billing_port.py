"""What treatments asks of billing, which sits above it: billing reads visits and plans, while
a visit shows its coding and freezes it when signed, and a plan's progress shows its case's
authorisation. Treatments never imports billing; the billing app's config answers these calls,
found through the app registry, so that imports run one way (as plan progress reads the
calendar through `apps.get_model`)."""

from typing import Protocol
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import Expression

from api.nested_reads import Nested


class VisitBilling(Protocol):
    def visit_reads(self) -> tuple[Nested, ...]:
        """What a page of visits reads, in its own statement, for their coding."""
        ...

    def coding_answer(self, visit, *, clinical: bool, single: bool) -> dict:
        """The visit's Coding as the API shows it."""
        ...

    def coding_to_freeze(self, visit) -> dict:
        """The coding a visit keeps from its signing on."""
        ...

    def plan_case(self, zone: ZoneInfo) -> Expression:
        """A column of a query of plans: the plan's case as a document (id,
        authorisation_number, authorised_visits, authorised_from, authorised_to) with the
        signed visits its authorisation has counted (visits_used), on the clinic's days."""
        ...


def billing() -> VisitBilling:
    return apps.get_app_config("billing")  # type: ignore[return-value]
