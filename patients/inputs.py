"""What the patients' writes take: each service's keyword arguments, declared and typed.

A serializer is the shape of a request; its validated data is passed to the service as these
keywords (`tests/test_service_inputs.py` holds each serializer to its service's keywords). On
update every key is optional: only what is given changes."""

from datetime import date
from typing import TypedDict


class PatientFields(TypedDict, total=False):
    chart_number: str
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date
    sex_at_birth: str
    gender_identity: str
    phone: str
    email: str
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    country: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    preferred_contact_method: str
    appointment_reminders: bool
    occupation: str
    activity_level: str
    status: str


class ConditionFields(TypedDict, total=False):
    code: str
    body_region: str
    laterality: str
    onset_date: date | None
    cause: str
    pain_at_intake: int | None
    clinical_status: str
    verification_status: str
    resolved_on: date | None
    note: str
