"""What billing's writes take: each service's keyword arguments, declared and typed.

A serializer is the shape of a request; its validated data is passed to the service as these
keywords (`tests/test_service_inputs.py` holds each serializer to its service's keywords)."""

from datetime import date
from decimal import Decimal
from typing import TypedDict

from billing.models import Coverage
from patients.models import Patient
from treatments.models import TreatmentPlan


class CoverageFields(TypedDict, total=False):
    patient: Patient
    payer_name: str
    payer_type: str
    payer_id: str
    member_id: str
    group_number: str
    subscriber_relationship: str
    subscriber_name: str
    subscriber_birth_date: date | None
    priority: str
    starts_on: date
    ends_on: date | None


class CaseFields(TypedDict, total=False):
    patient: Patient
    coverage: Coverage
    plan: TreatmentPlan | None
    title: str
    claim_number: str
    authorisation_number: str
    authorised_visits: int | None
    authorised_from: date | None
    authorised_to: date | None
    referring_provider: str
    referring_npi: str
    contact_role: str
    contact_name: str
    contact_phone: str
    abn_signed_on: date | None


class FeeFields(TypedDict, total=False):
    cpt: str
    modifier: str
    charge: Decimal
    effective_from: date
    effective_to: date | None


class ClaimAdjustment(TypedDict):
    """A CAS adjustment of a remittance: group, reason (CARC) and amount."""

    group: str
    reason: str
    amount: Decimal
