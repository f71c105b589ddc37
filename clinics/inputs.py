"""What the staff writes take, declared and typed (`tests/test_service_inputs.py` holds each
serializer to its service's keywords)."""

from typing import TypedDict


class StaffChanges(TypedDict, total=False):
    first_name: str
    last_name: str
    email: str
    role: str
    npi: str
    calendar_colour: str
