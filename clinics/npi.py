"""National Provider Identifiers: 10 digits, the last a Luhn check digit computed over the
first nine with the prefix 80840 (the NPI's issuer prefix), as CMS defines it."""

import re

from django.core.exceptions import ValidationError

NPI_PREFIX = "80840"
NPI_SHAPE = re.compile(r"[0-9]{10}")


def npi_check_digit(first_nine: str) -> int:
    """The Luhn check digit of `80840` + the first nine digits."""
    total = 0
    for position, digit in enumerate(reversed(NPI_PREFIX + first_nine)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def validate_npi(value: str) -> None:
    if not NPI_SHAPE.fullmatch(value):
        raise ValidationError("An NPI is 10 digits.", code="invalid_npi")
    if npi_check_digit(value[:9]) != int(value[9]):
        raise ValidationError(
            "This NPI's check digit is wrong (Luhn over 80840 and the first nine digits).",
            code="invalid_npi",
        )
