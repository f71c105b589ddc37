"""National Provider Identifiers: 10 digits, the last a Luhn check digit computed over the
first nine with the prefix 80840 (the NPI's issuer prefix), as CMS defines it."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

NPI_PREFIX = "80840"


def npi_check_digit(first_nine: str) -> int:
    """The Luhn check digit of `80840` + the first nine digits."""
    total = 0
    for position, digit in enumerate(reversed(NPI_PREFIX + first_nine)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


# Ten digits, or empty for none: a pattern the contract shows, so that clients and the fuzz
# tests send digits; validate_npi then checks the digit that ends them.
npi_shape = RegexValidator(r"^([0-9]{10})?$", "An NPI is 10 digits.", code="invalid_npi")


def validate_npi(value: str) -> None:
    """The check digit of ten digits (npi_shape refuses anything else)."""
    if (
        len(value) == 10
        and value.isascii()
        and value.isdigit()
        and npi_check_digit(value[:9]) != int(value[9])
    ):
        raise ValidationError(
            "This NPI's check digit is wrong (Luhn over 80840 and the first nine digits).",
            code="invalid_npi",
        )
