"""How a visit is billed: CPT lines, units, modifiers and warnings, from plain facts.

Pure functions over plain values (no ORM, no request), so that "how is 98941 decided?" has
one answer, tested by a table of cases in tests/treatments/test_coding.py. Sources:
- CMT: CPT 98940 (1–2 spinal regions), 98941 (3–4), 98942 (5), 98943 (extraspinal, one or
  more regions); the five spinal regions are cervical, thoracic, lumbar, sacral and pelvic.
- Timed codes (97140, 97124, 97110, 97112) in 15-minute units by the CMS "8-minute rule"
  (Medicare Claims Processing Manual, ch. 5, §20.2): total timed minutes decide the units,
  which are then spread over the codes by their minutes.
- NCCI: 97140 on the day of CMT is bundled unless done on a different region, then it takes
  modifier 59.
- Medicare pays CMT only as active treatment of a subluxation: modifier AT, with an M99.0x
  code as the primary diagnosis.
- Subluxation documentation (PART): two of the four findings, one of them A or R.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from reference.cpt import TIMED_CODES

SPINAL_REGIONS = ("cervical", "thoracic", "lumbar", "sacral", "pelvic")
# CMS counts five extraspinal regions; 98943 covers one or more of them.
EXTRASPINAL_REGIONS = ("head", "upper_extremity", "lower_extremity", "rib_cage", "abdomen")
# Every warning the coding gives (the contract's enum).
WARNING_CHOICES = [
    ("part_incomplete", "A subluxation lacks PART documentation (two findings, one A or R)."),
    ("cmt_without_subluxation", "Spinal CMT without an M99.00–M99.05 diagnosis to make primary."),
    ("cmt_without_plan", "CMT outside a treatment plan: no AT modifier."),
    ("maintenance_care", "Maintenance care: no AT modifier; Medicare needs an ABN."),
    ("manual_therapy_bundled", "97140 on an adjusted region is bundled with CMT."),
    ("timed_under_8_minutes", "Fewer than 8 timed minutes bill no unit."),
]
MANUAL_THERAPY = "97140"
# M99.00–M99.05: segmental dysfunction of the head and the five spinal regions, the
# subluxation diagnoses that support spinal CMT (M99.06–M99.09 are extraspinal).
SPINAL_SUBLUXATIONS = ("M99.00", "M99.01", "M99.02", "M99.03", "M99.04", "M99.05")
SUBLUXATION_PREFIX = "M99.0"
PART_FINDINGS = frozenset("PART")
UNIT_MINUTES = 15


@dataclass(frozen=True)
class TimedService:
    """Minutes of one timed service and the CMT regions it was done on."""

    cpt: str
    minutes: int
    regions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class VisitFacts:
    """What a visit did, in billing terms. Regions are the five spinal ones and the five
    extraspinal ones (EXTRASPINAL_REGIONS)."""

    adjusted_regions: frozenset[str] = frozenset()
    timed: tuple[TimedService, ...] = ()
    diagnoses: tuple[str, ...] = ()
    has_plan: bool = True
    active_treatment: bool = True
    part_findings: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class BillingLine:
    cpt: str
    units: int
    modifiers: tuple[str, ...] = ()
    diagnosis_pointers: tuple[str, ...] = ()
    minutes: int | None = None


@dataclass(frozen=True)
class CodingWarning:
    code: str
    message: str


@dataclass(frozen=True)
class Coding:
    lines: tuple[BillingLine, ...]
    diagnoses: tuple[str, ...]
    warnings: tuple[CodingWarning, ...]


def cmt_code(spinal_regions: int) -> str | None:
    """98940 for 1–2 spinal regions, 98941 for 3–4, 98942 for 5; None for none."""
    if spinal_regions <= 0:
        return None
    if spinal_regions <= 2:
        return "98940"
    if spinal_regions <= 4:
        return "98941"
    return "98942"


def timed_units(total_minutes: int) -> int:
    """CMS 8-minute rule: 8–22 minutes = 1 unit, 23–37 = 2, 38–52 = 3, 53–67 = 4, …"""
    if total_minutes < 8:
        return 0
    return (total_minutes + 7) // UNIT_MINUTES


def spread_units(minutes_by_code: Mapping[str, int]) -> dict[str, int]:
    """Units per code: each code's whole 15-minute units first, then the units left over go
    to the codes with the most minutes left over (ties: more minutes in all, then code)."""
    total = timed_units(sum(minutes_by_code.values()))
    units = {code: minutes // UNIT_MINUTES for code, minutes in minutes_by_code.items()}
    left = total - sum(units.values())
    by_remainder = sorted(
        minutes_by_code,
        key=lambda code: (-(minutes_by_code[code] % UNIT_MINUTES), -minutes_by_code[code], code),
    )
    for code in by_remainder[:left]:
        units[code] += 1
    return {code: n for code, n in units.items() if n}


def ordered_diagnoses(diagnoses: tuple[str, ...]) -> tuple[str, ...]:
    """Subluxation codes (M99.0x) first, as Medicare wants them primary; otherwise plan order."""
    unique = tuple(dict.fromkeys(diagnoses))
    return tuple(sorted(unique, key=lambda code: not code.startswith(SUBLUXATION_PREFIX)))


def part_warnings(facts: VisitFacts) -> list[CodingWarning]:
    warnings = []
    for region in SPINAL_REGIONS:
        if region not in facts.adjusted_regions:
            continue
        found = facts.part_findings.get(region, frozenset()) & PART_FINDINGS
        if len(found) < 2 or not found & {"A", "R"}:
            recorded = "".join(sorted(found, key="PART".index)) or "none"
            warnings.append(
                CodingWarning(
                    "part_incomplete",
                    f"Subluxation at {region} is not documented: PART needs two findings, one of "
                    f"them A or R (recorded: {recorded}).",
                )
            )
    return warnings


def _cmt(
    facts: VisitFacts, subluxations: tuple[str, ...], others: tuple[str, ...]
) -> tuple[list[BillingLine], list[CodingWarning]]:
    lines, warnings = [], []
    spinal = [region for region in SPINAL_REGIONS if region in facts.adjusted_regions]
    if code := cmt_code(len(spinal)):
        active = facts.has_plan and facts.active_treatment
        lines.append(BillingLine(code, 1, ("AT",) if active else (), (subluxations + others)[:4]))
        if not any(dx in SPINAL_SUBLUXATIONS for dx in subluxations):
            warnings.append(
                CodingWarning(
                    "cmt_without_subluxation",
                    "Spinal CMT is coded but the plan has no M99.00–M99.05 (spinal subluxation) "
                    "diagnosis to make primary; Medicare will deny it.",
                )
            )
        if not facts.has_plan:
            warnings.append(
                CodingWarning(
                    "cmt_without_plan",
                    "CMT outside a treatment plan is not active treatment: no AT modifier.",
                )
            )
        elif not facts.active_treatment:
            warnings.append(
                CodingWarning(
                    "maintenance_care",
                    "Maintenance care is not active treatment: no AT modifier, and Medicare does "
                    "not pay it (an ABN is needed).",
                )
            )
    if facts.adjusted_regions - set(SPINAL_REGIONS):
        lines.append(BillingLine("98943", 1, (), (subluxations + others)[:4]))
    return lines, warnings


def _timed(
    facts: VisitFacts, cmt_billed: bool, pointers: tuple[str, ...]
) -> tuple[list[BillingLine], list[CodingWarning]]:
    """Timed lines. 97140 done on an adjusted region is bundled with CMT; 97140 done on other
    regions is billed apart with modifier 59, its minutes kept on a line of their own."""
    warnings = []
    minutes: dict[tuple[str, str], int] = {}
    bundled_regions: set[str] = set()
    for service in facts.timed:
        modifier = ""
        if service.cpt == MANUAL_THERAPY and cmt_billed:
            overlap = service.regions & facts.adjusted_regions
            bundled_regions |= overlap
            modifier = "" if overlap else "59"
        key = (service.cpt, modifier)
        minutes[key] = minutes.get(key, 0) + service.minutes
    if bundled_regions:
        warnings.append(
            CodingWarning(
                "manual_therapy_bundled",
                f"97140 was done on an adjusted region ({', '.join(sorted(bundled_regions))}); on "
                "the day of CMT that part is bundled and will not be paid separately.",
            )
        )
    units = spread_units({f"{cpt}-{modifier}": n for (cpt, modifier), n in minutes.items()})
    lines = []
    for (cpt, modifier), n in sorted(
        minutes.items(), key=lambda item: (TIMED_CODES.index(item[0][0]), item[0][1])
    ):
        billed = units.get(f"{cpt}-{modifier}", 0)
        if billed:
            lines.append(BillingLine(cpt, billed, (modifier,) if modifier else (), pointers, n))
    total = sum(minutes.values())
    if 0 < total < 8:
        warnings.append(
            CodingWarning(
                "timed_under_8_minutes", f"{total} timed minutes in all: fewer than 8 bill no unit."
            )
        )
    return lines, warnings


def code_visit(facts: VisitFacts) -> Coding:
    diagnoses = ordered_diagnoses(facts.diagnoses)
    subluxations = tuple(code for code in diagnoses if code.startswith(SUBLUXATION_PREFIX))
    others = tuple(code for code in diagnoses if not code.startswith(SUBLUXATION_PREFIX))
    cmt_lines, cmt_warnings = _cmt(facts, subluxations, others)
    timed_lines, timed_warnings = _timed(facts, bool(cmt_lines), (others or subluxations)[:4])
    return Coding(
        tuple(cmt_lines + timed_lines),
        diagnoses,
        tuple(cmt_warnings + timed_warnings + part_warnings(facts)),
    )
