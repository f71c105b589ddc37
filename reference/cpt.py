"""The CPT codes a chiropractic visit is billed with: the contract's enums (plain data)."""

TIMED_CODES = ("97140", "97124", "97110", "97112")

# Every code a billing line can carry, with what it is (the contract's enum).
CPT_CHOICES = [
    ("98940", "CMT, spinal, 1–2 regions"),
    ("98941", "CMT, spinal, 3–4 regions"),
    ("98942", "CMT, spinal, 5 regions"),
    ("98943", "CMT, extraspinal, one or more regions"),
    ("97140", "Manual therapy techniques, each 15 minutes"),
    ("97124", "Massage, each 15 minutes"),
    ("97110", "Therapeutic exercise, each 15 minutes"),
    ("97112", "Neuromuscular re-education, each 15 minutes"),
]
TIMED_CPT_CHOICES = [(code, label) for code, label in CPT_CHOICES if code in TIMED_CODES]
