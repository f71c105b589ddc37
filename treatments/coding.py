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

SPINAL_REGIONS = ("cervical", "thoracic", "lumbar", "sacral", "pelvic")
EXTRASPINAL = "extraspinal"
TIMED_CODES = ("97140", "97124", "97110", "97112")
MANUAL_THERAPY = "97140"
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
    adjusted_regions: frozenset[str] = frozenset()
    timed: tuple[TimedService, ...] = ()
    diagnoses: tuple[str, ...] = ()
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


def code_visit(facts: VisitFacts) -> Coding:
    diagnoses = ordered_diagnoses(facts.diagnoses)
    subluxations = tuple(code for code in diagnoses if code.startswith(SUBLUXATION_PREFIX))
    others = tuple(code for code in diagnoses if not code.startswith(SUBLUXATION_PREFIX))
    lines: list[BillingLine] = []
    warnings: list[CodingWarning] = []

    spinal = [region for region in SPINAL_REGIONS if region in facts.adjusted_regions]
    cmt_lines = []
    if code := cmt_code(len(spinal)):
        cmt_lines.append(code)
    if EXTRASPINAL in facts.adjusted_regions:
        cmt_lines.append("98943")
    for code in cmt_lines:
        cmt_modifiers = ("AT",) if facts.active_treatment and code != "98943" else ()
        lines.append(BillingLine(code, 1, cmt_modifiers, (subluxations + others)[:4]))
    if cmt_lines and not subluxations:
        warnings.append(
            CodingWarning(
                "cmt_without_subluxation",
                "CMT is coded but the plan has no M99.0x (subluxation) diagnosis to make primary; "
                "Medicare will deny it.",
            )
        )
    if cmt_lines and not facts.active_treatment:
        warnings.append(
            CodingWarning(
                "maintenance_care",
                "Maintenance care is not active treatment: no AT modifier, and Medicare does not "
                "pay it (an ABN is needed).",
            )
        )

    minutes_by_code: dict[str, int] = {}
    regions_by_code: dict[str, frozenset[str]] = {}
    for service in facts.timed:
        minutes_by_code[service.cpt] = minutes_by_code.get(service.cpt, 0) + service.minutes
        regions_by_code[service.cpt] = (
            regions_by_code.get(service.cpt, frozenset()) | service.regions
        )
    for code, units in sorted(
        spread_units(minutes_by_code).items(), key=lambda item: TIMED_CODES.index(item[0])
    ):
        modifiers: tuple[str, ...] = ()
        if code == MANUAL_THERAPY and cmt_lines:
            bundled = regions_by_code[code] & facts.adjusted_regions
            if bundled:
                warnings.append(
                    CodingWarning(
                        "manual_therapy_bundled",
                        f"97140 was done on an adjusted region ({', '.join(sorted(bundled))}); "
                        "on the day of CMT it is bundled and will not be paid separately.",
                    )
                )
            else:
                modifiers = ("59",)
        lines.append(
            BillingLine(code, units, modifiers, (others or subluxations)[:4], minutes_by_code[code])
        )
    untimed = sum(minutes_by_code.values())
    if 0 < untimed < 8:
        warnings.append(
            CodingWarning(
                "timed_under_8_minutes",
                f"{untimed} timed minutes in all: fewer than 8 bill no unit.",
            )
        )

    warnings += part_warnings(facts)
    return Coding(tuple(lines), diagnoses, tuple(warnings))
