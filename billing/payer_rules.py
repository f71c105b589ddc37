"""Payer rules: the modifiers and warnings a payer type adds to a visit's derived lines.

The rules are data (RULES, one row per payer type) read by one small pure function, so a
payer type that changes its policy is a change of its row. Sources (DOMAIN.md, CMS):
- GP on the "always therapy" codes (97110, 97112, 97124, 97140) for Medicare.
- Medicare pays a chiropractor only for spinal CMT (98940–98942): anything else a DC bills
  takes GY (statutorily excluded) and the patient pays.
- Maintenance CMT (no AT) to Medicare takes GA with a signed ABN on file, GZ without.
- AT stays on active CMT for every payer (billing/coding.py); commercial, personal-injury,
  workers' compensation and self-pay add nothing by default.
"""

from dataclasses import dataclass, replace
from enum import StrEnum

from billing.coding import (
    ACTIVE_TREATMENT_MODIFIER,
    SPINAL_CMT_CODES,
    BillingLine,
    Coding,
    CodingWarning,
)
from reference.cpt import TIMED_CODES

MAX_MODIFIERS = 4  # CMS-1500 item 24D


class PayerType(StrEnum):
    MEDICARE = "medicare"
    MEDICAID = "medicaid"
    COMMERCIAL = "commercial"
    PERSONAL_INJURY = "personal_injury"
    WORKERS_COMPENSATION = "workers_compensation"
    SELF_PAY = "self_pay"


PAYER_TYPE_CHOICES = [
    (PayerType.MEDICARE.value, "Medicare"),
    (PayerType.MEDICAID.value, "Medicaid"),
    (PayerType.COMMERCIAL.value, "Commercial insurance"),
    (PayerType.PERSONAL_INJURY.value, "Personal injury"),
    (PayerType.WORKERS_COMPENSATION.value, "Workers' compensation"),
    (PayerType.SELF_PAY.value, "Self-pay"),
]

PAYER_LABELS = dict(PAYER_TYPE_CHOICES)


@dataclass(frozen=True)
class PayerRules:
    therapy_modifier: str = ""  # on the always-therapy codes
    # Codes the payer pays a chiropractor for; None: every code.
    pays_chiropractors_for: frozenset[str] | None = None
    excluded_modifier: str = ""  # on what it does not pay a chiropractor for
    maintenance_with_abn: str = ""
    maintenance_without_abn: str = ""


RULES: dict[PayerType, PayerRules] = {
    PayerType.MEDICARE: PayerRules(
        therapy_modifier="GP",
        pays_chiropractors_for=SPINAL_CMT_CODES,
        excluded_modifier="GY",
        maintenance_with_abn="GA",
        maintenance_without_abn="GZ",
    ),
    PayerType.MEDICAID: PayerRules(therapy_modifier="GP"),
    PayerType.COMMERCIAL: PayerRules(),
    PayerType.PERSONAL_INJURY: PayerRules(),
    PayerType.WORKERS_COMPENSATION: PayerRules(),
    PayerType.SELF_PAY: PayerRules(),
}


def _with(line: BillingLine, *modifiers: str) -> BillingLine:
    added = tuple(m for m in modifiers if m and m not in line.modifiers)
    return replace(line, modifiers=(line.modifiers + added)[:MAX_MODIFIERS])


def apply_payer_rules(coding: Coding, payer: PayerType | None, *, abn_on_file: bool) -> Coding:
    """The coding as the payer wants it billed; None (no coverage) changes nothing."""
    if payer is None:
        return coding
    rules = RULES[payer]
    lines, warnings = [], list(coding.warnings)
    excluded: list[str] = []
    for line in coding.lines:
        if line.cpt in TIMED_CODES:
            line = _with(line, rules.therapy_modifier)
        if line.cpt in SPINAL_CMT_CODES and ACTIVE_TREATMENT_MODIFIER not in line.modifiers:
            line = _with(
                line, rules.maintenance_with_abn if abn_on_file else rules.maintenance_without_abn
            )
            if not abn_on_file and rules.maintenance_without_abn:
                warnings.append(
                    CodingWarning(
                        "maintenance_without_abn",
                        f"{line.cpt} is maintenance care, which {PAYER_LABELS[payer]} does not pay, and "
                        f"no ABN is on file: it takes {rules.maintenance_without_abn} and the "
                        "patient cannot be asked to pay. Have the patient sign an ABN.",
                    )
                )
        if (
            rules.pays_chiropractors_for is not None
            and line.cpt not in rules.pays_chiropractors_for
        ):
            line = _with(line, rules.excluded_modifier)
            excluded.append(line.cpt)
        lines.append(line)
    if excluded:
        warnings.append(
            CodingWarning(
                "not_covered_for_chiropractors",
                f"{PAYER_LABELS[payer]} pays a chiropractor only for spinal CMT (98940–98942): "
                f"{', '.join(dict.fromkeys(excluded))} take {rules.excluded_modifier} and are "
                "the patient's to pay.",
            )
        )
    return Coding(tuple(lines), coding.diagnoses, tuple(warnings), coding.timed_minutes)
