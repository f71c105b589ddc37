"""How a visit is billed: CPT lines, units, modifiers, diagnosis pointers and warnings, from
plain facts.

Pure functions over plain values (no ORM, no request), so that "how is 98941 decided?" has
one answer, tested by a table of cases in tests/billing/test_coding.py. Sources:
- CMT: CPT 98940 (1–2 spinal regions), 98941 (3–4), 98942 (5), 98943 (extraspinal, one or
  more regions); the five spinal regions are cervical, thoracic, lumbar, sacral and pelvic.
- Timed codes (97140, 97124, 97110, 97112) in 15-minute units by the CMS "8-minute rule"
  (Medicare Claims Processing Manual, ch. 5, §20.2): total timed minutes decide the units,
  which are then spread over the codes by their minutes.
- NCCI procedure-to-procedure edits (billing/ncci.py, a shipped table): a timed service paired
  with the visit's CMT is bundled (not billed, its minutes not counted) when done on a region
  the CMT line treats; on another region it takes modifier 59 if the edit allows a modifier.
- Medicare pays CMT only as active treatment of a subluxation: modifier AT, with an M99.0x
  code as the primary diagnosis. Payer modifiers (GP, GY, GA, GZ) are billing/payer_rules.py.
- CMS-1500: up to 12 diagnoses, primary first; each line points at up to 4 of them, those of
  the regions the line treats.
- Subluxation documentation (PART): two of the four findings, one of them A or R.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from billing.ncci import edit_between
from reference.cpt import TIMED_CODES

SPINAL_REGIONS = ("cervical", "thoracic", "lumbar", "sacral", "pelvic")
# CMS counts five extraspinal regions; 98943 covers one or more of them.
EXTRASPINAL_REGIONS = ("head", "upper_extremity", "lower_extremity", "rib_cage", "abdomen")
# Every warning the coding gives (the contract's enum), payer rules' included.
WARNING_CHOICES = [
    ("part_incomplete", "A subluxation lacks PART documentation (two findings, one A or R)."),
    ("cmt_without_subluxation", "Spinal CMT without an M99.00–M99.05 diagnosis to make primary."),
    ("cmt_without_plan", "CMT outside a treatment plan: no AT modifier."),
    ("maintenance_care", "Maintenance care: no AT modifier; Medicare needs an ABN."),
    ("bundled_with_cmt", "A timed service on a region the CMT treats is bundled: not billed."),
    ("timed_under_8_minutes", "Fewer than 8 timed minutes bill no unit."),
    ("no_diagnosis_for_region", "No diagnosis of a region the line treats: it points elsewhere."),
    ("too_many_diagnoses", "More than 12 diagnoses: a claim carries the first 12."),
    ("not_covered_for_chiropractors", "The payer does not pay a chiropractor for the code: GY."),
    ("maintenance_without_abn", "Maintenance CMT to Medicare without an ABN on file: GZ."),
    ("beyond_authorisation", "The visit falls outside the case's authorised visits or dates."),
    ("no_coverage", "No coverage in effect on the date of service: no payer rules applied."),
]
# M99.00–M99.05: segmental dysfunction of the head and the five spinal regions, the
# subluxation diagnoses that support spinal CMT (M99.06–M99.09 are extraspinal).
SPINAL_SUBLUXATIONS = ("M99.00", "M99.01", "M99.02", "M99.03", "M99.04", "M99.05")
SUBLUXATION_PREFIX = "M99.0"
# The region each segmental-dysfunction code names (ICD-10-CM M99.00–M99.09).
SUBLUXATION_REGIONS = {
    "M99.00": "head",
    "M99.01": "cervical",
    "M99.02": "thoracic",
    "M99.03": "lumbar",
    "M99.04": "sacral",
    "M99.05": "pelvic",
    "M99.06": "lower_extremity",
    "M99.07": "upper_extremity",
    "M99.08": "rib_cage",
    "M99.09": "abdomen",
}
PART_FINDINGS = frozenset("PART")
UNIT_MINUTES = 15
CLAIM_DIAGNOSES = 12  # CMS-1500 item 21, A–L
LINE_POINTERS = 4  # CMS-1500 item 24E
DISTINCT_REGION_MODIFIER = "59"
SPINAL_CMT_CODES = frozenset({"98940", "98941", "98942"})
ACTIVE_TREATMENT_MODIFIER = "AT"


@dataclass(frozen=True)
class Diagnosis:
    """A diagnosis of the visit and the body region it is in ('' when unknown)."""

    code: str
    region: str = ""

    @property
    def is_subluxation(self) -> bool:
        return self.code.startswith(SUBLUXATION_PREFIX)


@dataclass(frozen=True)
class TimedService:
    """Minutes of one timed service and the regions it was done on."""

    cpt: str
    minutes: int
    regions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class VisitFacts:
    """What a visit did, in billing terms. Regions are the five spinal ones and the five
    extraspinal ones (EXTRASPINAL_REGIONS)."""

    adjusted_regions: frozenset[str] = frozenset()
    timed: tuple[TimedService, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    has_plan: bool = True
    active_treatment: bool = True
    part_findings: Mapping[str, frozenset[str]] = field(default_factory=dict)
    service_date: date | None = None  # None: the NCCI edits in force now


@dataclass(frozen=True)
class BillingLine:
    cpt: str
    units: int
    modifiers: tuple[str, ...] = ()
    diagnosis_pointers: tuple[str, ...] = ()
    minutes: int | None = None
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodingWarning:
    code: str
    message: str


class TimedReason:
    WHOLE_UNITS = "whole_units"
    REMAINDER_UNIT = "remainder_unit"
    REMAINDER_TO_ANOTHER = "remainder_to_another"
    UNDER_8_MINUTES = "under_8_minutes"
    BUNDLED_WITH_CMT = "bundled_with_cmt"


TIMED_REASON_CHOICES = [
    (TimedReason.WHOLE_UNITS, "Its units are its whole 15 minutes; what is left over earned none."),
    (
        TimedReason.REMAINDER_UNIT,
        "Besides its whole 15 minutes, its minutes left over earned a unit (the most left over).",
    ),
    (
        TimedReason.REMAINDER_TO_ANOTHER,
        "Its minutes left over earned no unit: the visit's units went to services with more.",
    ),
    (TimedReason.UNDER_8_MINUTES, "The visit's timed minutes are under 8: no unit at all."),
    (
        TimedReason.BUNDLED_WITH_CMT,
        "Done on a region the CMT treats: bundled, its minutes not counted.",
    ),
]


@dataclass(frozen=True)
class TimedShare:
    """One timed service's minutes (grouped by code and modifier) and the units they earned."""

    cpt: str
    modifier: str
    minutes: int
    units: int
    reason: str


@dataclass(frozen=True)
class TimedMinutes:
    """How the 8-minute rule turned the visit's timed minutes into units, service by service:
    what a biller needs to explain a claim where some minutes earned nothing."""

    total: int  # the minutes counted: bundled ones are not
    units: int
    bundled: int
    services: tuple[TimedShare, ...]


@dataclass(frozen=True)
class Coding:
    lines: tuple[BillingLine, ...]
    diagnoses: tuple[str, ...]
    warnings: tuple[CodingWarning, ...]
    # None on codings frozen before the summary was kept.
    timed_minutes: TimedMinutes | None = None


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
    units, _ = _spread(minutes_by_code)
    return {code: n for code, n in units.items() if n}


def _spread(minutes_by_code: Mapping[str, int]) -> tuple[dict[str, int], set[str]]:
    """Units per code, and the codes whose minutes left over earned one of them."""
    total = timed_units(sum(minutes_by_code.values()))
    units = {code: minutes // UNIT_MINUTES for code, minutes in minutes_by_code.items()}
    left = total - sum(units.values())
    by_remainder = sorted(
        minutes_by_code,
        key=lambda code: (-(minutes_by_code[code] % UNIT_MINUTES), -minutes_by_code[code], code),
    )
    with_remainder = set(by_remainder[: max(left, 0)])
    for code in with_remainder:
        units[code] += 1
    return units, with_remainder


def _timed_minutes(
    minutes: Mapping[tuple[str, str], int], bundled: Mapping[str, int]
) -> TimedMinutes:
    keyed = {f"{cpt}-{modifier}": n for (cpt, modifier), n in minutes.items()}
    units, with_remainder = _spread(keyed)
    total = sum(minutes.values())
    shares = []
    for (cpt, modifier), n in sorted(minutes.items(), key=_timed_order):
        key = f"{cpt}-{modifier}"
        if total < 8:
            reason = TimedReason.UNDER_8_MINUTES
        elif key in with_remainder:
            reason = TimedReason.REMAINDER_UNIT
        elif n % UNIT_MINUTES:
            reason = TimedReason.REMAINDER_TO_ANOTHER
        else:
            reason = TimedReason.WHOLE_UNITS
        shares.append(TimedShare(cpt, modifier, n, units[key], reason))
    for cpt, n in sorted(bundled.items(), key=lambda item: TIMED_CODES.index(item[0])):
        shares.append(TimedShare(cpt, "", n, 0, TimedReason.BUNDLED_WITH_CMT))
    return TimedMinutes(total, sum(units.values()), sum(bundled.values()), tuple(shares))


def explain_share(share: TimedShare, total: int, units: int) -> str:
    """One sentence a biller can read out: the service's minutes, its units and why."""

    def unit(n: int) -> str:
        return f"{n} unit" + ("" if n == 1 else "s")

    said = f"{share.cpt}: {share.minutes} min, {unit(share.units)}"
    if share.reason == TimedReason.BUNDLED_WITH_CMT:
        return f"{said}: bundled with the CMT, its minutes are not counted."
    if share.reason == TimedReason.UNDER_8_MINUTES:
        return f"{said}: the visit's {total} timed minutes are fewer than 8."
    whole = share.minutes // UNIT_MINUTES
    left = share.minutes % UNIT_MINUTES
    if share.reason == TimedReason.REMAINDER_UNIT:
        return (
            f"{said}: {unit(whole)} for its whole 15 minutes and one for its {left} minutes "
            f"left over (the visit's {total} timed minutes bill {unit(units)})."
        )
    if share.reason == TimedReason.REMAINDER_TO_ANOTHER:
        return (
            f"{said}: its {left} minutes left over earned none; the visit's {total} timed "
            f"minutes bill {unit(units)}, given to the services with more minutes left over."
        )
    return f"{said}, for its whole 15 minutes."


def _timed_order(item: tuple[tuple[str, str], int]) -> tuple[int, str]:
    (cpt, modifier), _ = item
    return TIMED_CODES.index(cpt), modifier


def ordered_diagnoses(diagnoses: Iterable[Diagnosis]) -> tuple[Diagnosis, ...]:
    """Each code once, subluxation codes (M99.0x, spinal ones first) first as Medicare wants
    them primary; otherwise in the order given."""
    first: dict[str, Diagnosis] = {}
    for dx in diagnoses:
        first.setdefault(dx.code, dx)
    # Spinal subluxations (what spinal CMT is paid for) before extraspinal ones.
    return tuple(
        sorted(
            first.values(),
            key=lambda dx: 0 if dx.code in SPINAL_SUBLUXATIONS else 1 if dx.is_subluxation else 2,
        )
    )


# CMS-1500 item 21 names a claim's diagnoses A to L; a line points at them by letter (24E).
DIAGNOSIS_LETTERS = "ABCDEFGHIJKL"


def pointer_letters(diagnoses: Sequence[str], codes: Sequence[str]) -> list[str]:
    """The item 21 letters of `codes` among the claim's `diagnoses`, in the codes' order."""
    letters = dict(zip(diagnoses, DIAGNOSIS_LETTERS, strict=False))
    return [letters[code] for code in codes if code in letters]


def pointers(
    diagnoses: tuple[Diagnosis, ...], regions: Iterable[str], *, subluxations_first: bool
) -> tuple[str, ...]:
    """Up to four diagnoses of the regions a line treats, primary first; CMT lines put the
    subluxations first, timed lines the complaints."""
    wanted = set(regions)
    matching = [dx for dx in diagnoses if region_of(dx) in wanted]
    if not subluxations_first:
        matching.sort(key=lambda dx: dx.is_subluxation)
    return tuple(dx.code for dx in matching[:LINE_POINTERS])


def region_of(diagnosis: Diagnosis) -> str:
    return SUBLUXATION_REGIONS.get(diagnosis.code) or diagnosis.region


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


def _cmt(facts: VisitFacts) -> tuple[list[BillingLine], list[CodingWarning]]:
    lines, warnings = [], []
    spinal = tuple(region for region in SPINAL_REGIONS if region in facts.adjusted_regions)
    if code := cmt_code(len(spinal)):
        active = facts.has_plan and facts.active_treatment
        modifiers = (ACTIVE_TREATMENT_MODIFIER,) if active else ()
        lines.append(BillingLine(code, 1, modifiers, regions=spinal))
        if not any(dx.code in SPINAL_SUBLUXATIONS for dx in facts.diagnoses):
            warnings.append(
                CodingWarning(
                    "cmt_without_subluxation",
                    "Spinal CMT is coded but the visit has no M99.00–M99.05 (spinal subluxation) "
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
    extraspinal = tuple(
        region for region in EXTRASPINAL_REGIONS if region in facts.adjusted_regions
    )
    if extraspinal:
        lines.append(BillingLine("98943", 1, regions=extraspinal))
    return lines, warnings


def _pairing(service: TimedService, cmt_lines: list[BillingLine], day: date | None) -> str | None:
    """How the NCCI edits treat a timed service beside the visit's CMT: None when bundled,
    else the modifier it bills with ('' for none)."""
    modifier = ""
    for line in cmt_lines:
        edit = edit_between(line.cpt, service.cpt, day)
        if edit is None:
            continue
        # A service whose region is not documented cannot be shown to be distinct.
        if not edit.modifier_allowed or not service.regions or service.regions & set(line.regions):
            return None
        modifier = DISTINCT_REGION_MODIFIER
    return modifier


def _timed(
    facts: VisitFacts, cmt_lines: list[BillingLine]
) -> tuple[list[BillingLine], list[CodingWarning], TimedMinutes]:
    """Timed lines: bundled services are left out before the 8-minute rule is applied, so
    minutes nobody pays for never add a unit; the rest are grouped by code and modifier."""
    warnings = []
    minutes: dict[tuple[str, str], int] = {}
    regions: dict[tuple[str, str], set[str]] = {}
    bundled: dict[str, set[str]] = {}
    bundled_minutes: dict[str, int] = {}
    for service in facts.timed:
        modifier = _pairing(service, cmt_lines, facts.service_date)
        if modifier is None:
            bundled.setdefault(service.cpt, set()).update(service.regions)
            bundled_minutes[service.cpt] = bundled_minutes.get(service.cpt, 0) + service.minutes
            continue
        key = (service.cpt, modifier)
        minutes[key] = minutes.get(key, 0) + service.minutes
        regions.setdefault(key, set()).update(service.regions)
    for cpt, where in sorted(bundled.items()):
        place = f" ({', '.join(sorted(where))})" if where else " (no region recorded)"
        warnings.append(
            CodingWarning(
                "bundled_with_cmt",
                f"{cpt} was done on a region the CMT treats{place}; on the day of CMT it is "
                "bundled: not billed, and its minutes do not count toward the timed units.",
            )
        )
    summary = _timed_minutes(minutes, bundled_minutes)
    lines = []
    for share in summary.services:
        cpt, modifier, n, billed = share.cpt, share.modifier, share.minutes, share.units
        if billed:
            treated = tuple(r for r in _all_regions() if r in regions[(cpt, modifier)])
            lines.append(
                BillingLine(
                    cpt, billed, (modifier,) if modifier else (), minutes=n, regions=treated
                )
            )
    total = sum(minutes.values())
    if 0 < total < 8:
        warnings.append(
            CodingWarning(
                "timed_under_8_minutes", f"{total} timed minutes in all: fewer than 8 bill no unit."
            )
        )
    return lines, warnings, summary


def _all_regions() -> tuple[str, ...]:
    return SPINAL_REGIONS + EXTRASPINAL_REGIONS


def _pointed(
    lines: list[BillingLine], diagnoses: tuple[Diagnosis, ...]
) -> tuple[list[BillingLine], list[CodingWarning]]:
    """Each line points at the diagnoses of its regions; a line none of whose regions has a
    diagnosis points at the primary ones, with a warning."""
    pointed, unmatched, unpaid_cmt = [], [], []
    subluxations = tuple(dx for dx in diagnoses if dx.is_subluxation)
    complaints = tuple(dx for dx in diagnoses if not dx.is_subluxation)
    for line in lines:
        is_cmt = line.cpt not in TIMED_CODES
        found = pointers(diagnoses, line.regions, subluxations_first=is_cmt)
        if not found:
            fallback = subluxations + complaints if is_cmt else complaints or subluxations
            found = tuple(dx.code for dx in fallback[:LINE_POINTERS])
            if line.regions and diagnoses:
                unmatched.append(line)
        pointed.append(
            BillingLine(line.cpt, line.units, line.modifiers, found, line.minutes, line.regions)
        )
    for line in pointed:
        if (
            line.cpt in SPINAL_CMT_CODES
            and any(dx.code in SPINAL_SUBLUXATIONS for dx in diagnoses)
            and not (line.diagnosis_pointers and line.diagnosis_pointers[0] in SPINAL_SUBLUXATIONS)
        ):
            unpaid_cmt.append(line)
    warnings = [
        CodingWarning(
            "cmt_without_subluxation",
            f"{line.cpt} treats {', '.join(line.regions)}, where no M99.00–M99.05 "
            "(subluxation) is diagnosed, so its primary diagnosis is not a subluxation; "
            "Medicare will deny it. Diagnose the subluxation of the adjusted region.",
        )
        for line in unpaid_cmt
    ] + [
        CodingWarning(
            "no_diagnosis_for_region",
            f"No diagnosis is in the region {line.cpt} treats ({', '.join(line.regions)}): it "
            "points at the primary diagnoses. Add the condition of that region.",
        )
        for line in unmatched
    ]
    return pointed, warnings


def code_visit(facts: VisitFacts) -> Coding:
    everything = ordered_diagnoses(facts.diagnoses)
    diagnoses = everything[:CLAIM_DIAGNOSES]
    cmt_lines, cmt_warnings = _cmt(facts)
    timed_lines, timed_warnings, timed_minutes = _timed(facts, cmt_lines)
    lines, pointer_warnings = _pointed(cmt_lines + timed_lines, diagnoses)
    extra = []
    if len(everything) > CLAIM_DIAGNOSES:
        extra.append(
            CodingWarning(
                "too_many_diagnoses",
                f"{len(everything)} diagnoses: a claim carries {CLAIM_DIAGNOSES}; the rest "
                f"({', '.join(dx.code for dx in everything[CLAIM_DIAGNOSES:])}) are left off.",
            )
        )
    return Coding(
        tuple(lines),
        tuple(dx.code for dx in diagnoses),
        tuple(cmt_warnings + timed_warnings + pointer_warnings + extra + part_warnings(facts)),
        timed_minutes,
    )
