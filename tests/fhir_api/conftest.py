"""The calendar of tests/scheduling (an adjustment type that is the clinic's default for a
regular visit, a working week, a booking day two weeks ahead), for the FHIR scheduling types."""

# Fixtures are found by name in a conftest's namespace: imported, they serve here too.
from tests.scheduling.conftest import (  # noqa: F401
    adjustment_type,
    booking,
    booking_day,
    working_week,
)
