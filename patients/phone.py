"""Phone numbers: parsed and validated with libphonenumber, stored in E.164."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError

from patients.error_codes import PatientCode


def normalize_phone(raw: str) -> str:
    """`(617) 555-0123` becomes `+16175550123`; numbers without a country code are read in
    settings.PHONE_DEFAULT_REGION. Raises ValidationError when the number cannot exist."""
    try:
        number = phonenumbers.parse(raw, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            "Enter a valid phone number.", code=PatientCode.INVALID_PHONE
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("Enter a valid phone number.", code=PatientCode.INVALID_PHONE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
