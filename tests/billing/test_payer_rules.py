"""Payer rules, NCCI pairs, bundled minutes and diagnosis pointers, case by case (no database).

Each case is the visit's facts, the payer (None: no coverage), whether an ABN is on file, and
the lines and warnings expected. The five problems of the billing issue each have cases here:
NCCI pairs beyond 97140, bundled minutes, pointers by region, payer rules, and (in the API
tests) coding status and corrections.
"""

from datetime import date

import pytest

from billing.coding import TimedService, VisitFacts, code_visit
from billing.ncci import edit_between
from billing.payer_rules import PayerType, apply_payer_rules
from tests.billing.test_coding import FULL_PART, LEG, C, L, P, S, T, X, diagnoses_of

MEDICARE, COMMERCIAL = PayerType.MEDICARE, PayerType.COMMERCIAL
DX = ("M99.01", "M99.02", "M99.03", "M99.04", "M99.05", "M99.06", "M54.50", "M25.511")
CMT_REGIONS = {"98940": [L], "98941": [C, T, L], "98942": [C, T, L, S, P]}


def facts(adjusted=(), timed=(), diagnoses=DX, active=True, plan=True, day=None) -> VisitFacts:
    return VisitFacts(
        adjusted_regions=frozenset(adjusted),
        timed=tuple(timed),
        diagnoses=diagnoses_of(diagnoses),
        has_plan=plan,
        active_treatment=active,
        part_findings=FULL_PART,
        service_date=day,
    )


def timed(cpt, minutes, *regions) -> TimedService:
    return TimedService(cpt, minutes, frozenset(regions))


def billed(visit, payer=None, abn=False):
    return apply_payer_rules(code_visit(visit), payer, abn_on_file=abn)


def pair_cases() -> list[tuple]:
    """Each NCCI pair × the same or another region × Medicare or commercial."""
    cases = []
    for cmt, regions in CMT_REGIONS.items():
        for code in ("97140", "97124", "97112"):
            for payer in (MEDICARE, COMMERCIAL):
                same = facts(regions, [timed(code, 15, L)])
                cases.append(
                    (
                        f"{cmt}+{code} same region, {payer}",
                        same,
                        payer,
                        False,
                        [(cmt, 1, ("AT",))],
                        ["bundled_with_cmt"],
                    )
                )
                other = facts(regions, [timed(code, 15, X)])
                extra = ("GP", "GY") if payer == MEDICARE else ()
                warnings = ["not_covered_for_chiropractors"] if payer == MEDICARE else []
                cases.append(
                    (
                        f"{cmt}+{code} other region, {payer}",
                        other,
                        payer,
                        False,
                        [(cmt, 1, ("AT",)), (code, 1, ("59", *extra))],
                        warnings,
                    )
                )
    return cases


CASES = [
    *pair_cases(),
    (
        "bundled minutes do not count: 22 min 97110 + 3 min 97140 on the adjusted lumbar",
        facts([L], [timed("97110", 22, L), timed("97140", 3, L)]),
        COMMERCIAL,
        False,
        [("98940", 1, ("AT",)), ("97110", 1, ())],
        ["bundled_with_cmt"],
    ),
    (
        "without the bundled service the same visit bills the same",
        facts([L], [timed("97110", 22, L)]),
        COMMERCIAL,
        False,
        [("98940", 1, ("AT",)), ("97110", 1, ())],
        [],
    ),
    (
        "the bundled 97140 never takes the 59 line's unit",
        facts([L], [timed("97140", 8, L), timed("97140", 8, X)]),
        COMMERCIAL,
        False,
        [("98940", 1, ("AT",)), ("97140", 1, ("59",))],
        ["bundled_with_cmt"],
    ),
    (
        "a service with no region recorded cannot be shown distinct: bundled",
        facts([L], [timed("97140", 15)]),
        COMMERCIAL,
        False,
        [("98940", 1, ("AT",))],
        ["bundled_with_cmt"],
    ),
    (
        "97110 is not paired with CMT: billed beside it on the same region",
        facts([L], [timed("97110", 15, L)]),
        COMMERCIAL,
        False,
        [("98940", 1, ("AT",)), ("97110", 1, ())],
        [],
    ),
    (
        "only the table's pairs bundle: 98943 with 97124 on the same limb is billed",
        facts([X], [timed("97124", 15, X)]),
        COMMERCIAL,
        False,
        [("98943", 1, ()), ("97124", 1, ())],
        [],
    ),
    (
        "Medicare: GP on therapy codes without CMT, and GY for a chiropractor",
        facts(timed=[timed("97110", 15, L)]),
        MEDICARE,
        False,
        [("97110", 1, ("GP", "GY"))],
        ["not_covered_for_chiropractors"],
    ),
    (
        "Medicaid: GP, no GY",
        facts(timed=[timed("97110", 15, L)]),
        PayerType.MEDICAID,
        False,
        [("97110", 1, ("GP",))],
        [],
    ),
    (
        "Medicare: active spinal CMT takes AT only",
        facts([C, T, L]),
        MEDICARE,
        False,
        [("98941", 1, ("AT",))],
        [],
    ),
    (
        "Medicare: maintenance CMT with an ABN on file takes GA",
        facts([L], active=False),
        MEDICARE,
        True,
        [("98940", 1, ("GA",))],
        ["maintenance_care"],
    ),
    (
        "Medicare: maintenance CMT without an ABN takes GZ",
        facts([L], active=False),
        MEDICARE,
        False,
        [("98940", 1, ("GZ",))],
        ["maintenance_care", "maintenance_without_abn"],
    ),
    (
        "Medicare: CMT outside a plan is not active treatment: GZ",
        facts([L], plan=False),
        MEDICARE,
        False,
        [("98940", 1, ("GZ",))],
        ["cmt_without_plan", "maintenance_without_abn"],
    ),
    (
        "Medicare: extraspinal CMT takes GY",
        facts([L, X]),
        MEDICARE,
        False,
        [("98940", 1, ("AT",)), ("98943", 1, ("GY",))],
        ["not_covered_for_chiropractors"],
    ),
    (
        "commercial: maintenance CMT takes nothing",
        facts([L], active=False),
        COMMERCIAL,
        False,
        [("98940", 1, ())],
        ["maintenance_care"],
    ),
    (
        "self-pay adds nothing",
        facts([L, X], [timed("97140", 15, LEG)]),
        PayerType.SELF_PAY,
        False,
        [("98940", 1, ("AT",)), ("98943", 1, ()), ("97140", 1, ("59",))],
        [],
    ),
    (
        "personal injury adds nothing",
        facts([L], [timed("97124", 20, X)]),
        PayerType.PERSONAL_INJURY,
        False,
        [("98940", 1, ("AT",)), ("97124", 1, ("59",))],
        [],
    ),
    (
        "no coverage: the derived lines as they are",
        facts([L], [timed("97110", 15, L)]),
        None,
        False,
        [("98940", 1, ("AT",)), ("97110", 1, ())],
        [],
    ),
    (
        "an NCCI edit applies only from its date: before it, no pairing",
        facts([L], [timed("97140", 15, L)], day=date(1999, 12, 31)),
        COMMERCIAL,
        False,
        [("98940", 1, ("AT",)), ("97140", 1, ())],
        [],
    ),
]


@pytest.mark.parametrize(
    ("case", "visit", "payer", "abn", "lines", "warnings"), CASES, ids=[c[0] for c in CASES]
)
def test_payer_rules(case, visit, payer, abn, lines, warnings):
    coding = billed(visit, payer, abn)

    assert [(line.cpt, line.units, line.modifiers) for line in coding.lines] == lines
    assert [warning.code for warning in coding.warnings] == warnings


def test_the_table_has_at_least_40_cases():
    assert len(CASES) >= 40


def pointers_of(coding) -> dict[str, tuple[str, ...]]:
    return {line.cpt: line.diagnosis_pointers for line in coding.lines}


def test_each_cmt_line_points_at_its_own_regions():
    coding = code_visit(facts([L, X], diagnoses=("M99.01", "M99.02", "M99.03", "M99.04", "M99.07")))

    assert pointers_of(coding) == {"98940": ("M99.03",), "98943": ("M99.07",)}
    assert coding.warnings == ()


def test_a_cmt_line_points_at_subluxations_then_complaints_of_its_regions():
    coding = code_visit(facts([C, L], diagnoses=("M54.50", "M54.2", "M99.03", "M99.01", "M25.511")))

    assert coding.diagnoses == ("M99.03", "M99.01", "M54.50", "M54.2", "M25.511")
    assert pointers_of(coding)["98940"] == ("M99.03", "M99.01", "M54.50", "M54.2")


def test_a_timed_line_points_at_the_complaints_of_its_regions_first():
    coding = code_visit(
        facts([L], [timed("97140", 15, X)], diagnoses=("M99.03", "M99.07", "M25.511"))
    )

    assert pointers_of(coding)["97140"] == ("M25.511", "M99.07")


def test_at_most_four_pointers_a_line():
    coding = code_visit(facts([C, T, L, S, P]))

    assert len(pointers_of(coding)["98942"]) == 4
    assert pointers_of(coding)["98942"] == ("M99.01", "M99.02", "M99.03", "M99.04")


def test_a_line_with_no_diagnosis_of_its_region_points_at_the_primary_and_warns():
    coding = code_visit(facts([C], diagnoses=("M99.03", "M54.50")))

    assert pointers_of(coding)["98940"] == ("M99.03", "M54.50")
    assert "no_diagnosis_for_region" in [w.code for w in coding.warnings]


def test_a_claim_carries_twelve_diagnoses():
    codes = [f"M99.0{n}" for n in range(10)] + ["M54.50", "M54.2", "M25.511"]
    coding = code_visit(facts([L], diagnoses=codes))

    assert len(coding.diagnoses) == 12
    assert coding.diagnoses[-1] == "M54.2"
    assert [w.code for w in coding.warnings] == ["too_many_diagnoses"]


def test_the_ncci_table_names_its_source_and_dates():
    edit = edit_between("98941", "97124", date(2026, 11, 26))

    assert edit is not None
    assert edit.modifier_allowed
    assert "NCCI" in edit.source
    assert edit_between("98941", "97110", date(2026, 11, 26)) is None


def test_cmt_whose_regions_have_no_subluxation_warns():
    coding = code_visit(facts([L], diagnoses=("M99.01", "M54.50")))

    assert pointers_of(coding)["98940"] == ("M54.50",)
    assert [w.code for w in coding.warnings] == ["cmt_without_subluxation"]


def test_spinal_subluxations_come_before_extraspinal_ones():
    coding = code_visit(facts([L, X], diagnoses=("M99.07", "M54.50", "M99.03")))

    assert coding.diagnoses == ("M99.03", "M99.07", "M54.50")
