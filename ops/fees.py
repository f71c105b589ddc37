"""A chiropractic clinic's fees for the codes a visit bills: the demo clinic's and the load
test's clinics' fee schedule."""

from decimal import Decimal

TYPICAL_FEES = {
    "98940": Decimal("55.00"),
    "98941": Decimal("65.00"),
    "98942": Decimal("75.00"),
    "98943": Decimal("45.00"),
    "97140": Decimal("40.00"),
    "97124": Decimal("35.00"),
    "97110": Decimal("40.00"),
    "97112": Decimal("42.00"),
}
