"""The billing rules of billing/coding.py, case by case (no database)."""

import json
from dataclasses import asdict

import pytest

from billing.coding import (
    Diagnosis,
    TimedService,
    VisitFacts,
    code_visit,
    spread_units,
    timed_units,
)
from billing.visit_coding import coding_document, coding_from_document

C, T, L, S, P = "cervical", "thoracic", "lumbar", "sacral", "pelvic"
X, LEG = "upper_extremity", "lower_extremity"
FULL_PART = {region: frozenset("PAR") for region in (C, T, L, S, P)}
DX = ("M99.01", "M99.02", "M99.03", "M99.04", "M99.05", "M99.06", "M99.07", "M54.2")
# The body region of the complaint codes the cases use (M99.0x name their own).
REGION = {"M54.2": C, "M54.50": L, "M62.830": L, "M25.511": X, "M25.561": LEG}


def diagnoses_of(codes) -> tuple[Diagnosis, ...]:
    return tuple(Diagnosis(code, REGION.get(code, "")) for code in codes)


def facts(adjusted=(), timed=(), diagnoses=DX, active=True, part=None, plan=True) -> VisitFacts:
    return VisitFacts(
        adjusted_regions=frozenset(adjusted),
        timed=tuple(timed),
        diagnoses=diagnoses_of(diagnoses),
        has_plan=plan,
        active_treatment=active,
        part_findings=FULL_PART if part is None else part,
    )


def summary(coding) -> list[tuple]:
    return [(line.cpt, line.units, line.modifiers) for line in coding.lines]


def warning_codes(coding) -> list[str]:
    return [warning.code for warning in coding.warnings]


# (case, facts, expected lines as (cpt, units, modifiers), expected warning codes)
CASES = [
    ("nothing done", facts(), [], []),
    ("1 spinal region", facts([C]), [("98940", 1, ("AT",))], []),
    ("2 spinal regions", facts([C, T]), [("98940", 1, ("AT",))], []),
    ("3 spinal regions", facts([C, T, L]), [("98941", 1, ("AT",))], []),
    ("4 spinal regions", facts([C, T, L, S]), [("98941", 1, ("AT",))], []),
    ("5 spinal regions", facts([C, T, L, S, P]), [("98942", 1, ("AT",))], []),
    ("extraspinal only", facts([X]), [("98943", 1, ())], []),
    ("spinal + extraspinal", facts([C, L, X]), [("98940", 1, ("AT",)), ("98943", 1, ())], []),
    (
        "5 spinal + extraspinal",
        facts([C, T, L, S, P, X]),
        [("98942", 1, ("AT",)), ("98943", 1, ())],
        [],
    ),
    ("maintenance: no AT", facts([L], active=False), [("98940", 1, ())], ["maintenance_care"]),
    (
        "CMT without M99.0x",
        facts([L], diagnoses=("M54.50", "M62.830")),
        [("98940", 1, ("AT",))],
        ["cmt_without_subluxation"],
    ),
    (
        "no CMT, no M99 needed",
        facts(timed=[TimedService("97110", 15)], diagnoses=("M54.50",)),
        [("97110", 1, ())],
        [],
    ),
    ("7 timed minutes", facts(timed=[TimedService("97110", 7)]), [], ["timed_under_8_minutes"]),
    ("8 timed minutes", facts(timed=[TimedService("97110", 8)]), [("97110", 1, ())], []),
    ("22 timed minutes", facts(timed=[TimedService("97110", 22)]), [("97110", 1, ())], []),
    ("23 timed minutes", facts(timed=[TimedService("97110", 23)]), [("97110", 2, ())], []),
    ("37 timed minutes", facts(timed=[TimedService("97110", 37)]), [("97110", 2, ())], []),
    ("38 timed minutes", facts(timed=[TimedService("97110", 38)]), [("97110", 3, ())], []),
    ("53 timed minutes", facts(timed=[TimedService("97110", 53)]), [("97110", 4, ())], []),
    (
        "7 minutes split 4 + 3: no unit",
        facts(timed=[TimedService("97110", 4), TimedService("97112", 3)]),
        [],
        ["timed_under_8_minutes"],
    ),
    (
        "8 minutes split 5 + 3: one unit to the longer",
        facts(timed=[TimedService("97110", 5), TimedService("97112", 3)]),
        [("97110", 1, ())],
        [],
    ),
    (
        "22 minutes split 15 + 7",
        facts(timed=[TimedService("97110", 15), TimedService("97112", 7)]),
        [("97110", 1, ())],
        [],
    ),
    (
        "23 minutes split 15 + 8",
        facts(timed=[TimedService("97110", 15), TimedService("97112", 8)]),
        [("97110", 1, ()), ("97112", 1, ())],
        [],
    ),
    (
        "37 minutes split 30 + 7",
        facts(timed=[TimedService("97110", 30), TimedService("97112", 7)]),
        [("97110", 2, ())],
        [],
    ),
    (
        "38 minutes split 30 + 8",
        facts(timed=[TimedService("97110", 30), TimedService("97112", 8)]),
        [("97110", 2, ()), ("97112", 1, ())],
        [],
    ),
    (
        "40 minutes split 33 + 7 (CMS example)",
        facts(timed=[TimedService("97110", 33), TimedService("97140", 7, frozenset({C}))]),
        [("97140", 1, ()), ("97110", 2, ())],
        [],
    ),
    (
        "53 minutes split 38 + 15",
        facts(timed=[TimedService("97110", 38), TimedService("97124", 15)]),
        [("97124", 1, ()), ("97110", 3, ())],
        [],
    ),
    (
        "53 minutes split 30 + 23",
        facts(timed=[TimedService("97110", 30), TimedService("97124", 23)]),
        [("97124", 2, ()), ("97110", 2, ())],
        [],
    ),
    (
        "same code twice adds up",
        facts(timed=[TimedService("97110", 5), TimedService("97110", 5)]),
        [("97110", 1, ())],
        [],
    ),
    (
        "97140 on a region not adjusted takes 59",
        facts([L], timed=[TimedService("97140", 10, frozenset({C}))]),
        [("98940", 1, ("AT",)), ("97140", 1, ("59",))],
        [],
    ),
    (
        "97140 on an adjusted region is bundled: not billed",
        facts([C], timed=[TimedService("97140", 10, frozenset({C}))]),
        [("98940", 1, ("AT",))],
        ["bundled_with_cmt"],
    ),
    (
        "97140 without CMT needs no 59",
        facts(timed=[TimedService("97140", 10, frozenset({C}))]),
        [("97140", 1, ())],
        [],
    ),
    (
        "97124 massage on an adjusted region is bundled too",
        facts([C], timed=[TimedService("97124", 10, frozenset({C}))]),
        [("98940", 1, ("AT",))],
        ["bundled_with_cmt"],
    ),
    (
        "PART: one finding only",
        facts([C], part={C: frozenset("A")}),
        [("98940", 1, ("AT",))],
        ["part_incomplete"],
    ),
    (
        "PART: P and T, no A or R",
        facts([C], part={C: frozenset("PT")}),
        [("98940", 1, ("AT",))],
        ["part_incomplete"],
    ),
    ("PART: P and R suffice", facts([C], part={C: frozenset("PR")}), [("98940", 1, ("AT",))], []),
    ("PART: A and T suffice", facts([C], part={C: frozenset("AT")}), [("98940", 1, ("AT",))], []),
    (
        "PART: nothing recorded for one of two regions",
        facts([C, L], part={C: frozenset("PAR")}),
        [("98940", 1, ("AT",))],
        ["part_incomplete"],
    ),
    ("PART: not required for extraspinal", facts([X], part={}), [("98943", 1, ())], []),
    ("two extraspinal regions: one 98943", facts([X, LEG]), [("98943", 1, ())], []),
    (
        "only an extraspinal subluxation code",
        facts([L], diagnoses=("M99.07", "M54.50")),
        [("98940", 1, ("AT",))],
        ["cmt_without_subluxation"],
    ),
    ("CMT outside a plan: no AT", facts([L], plan=False), [("98940", 1, ())], ["cmt_without_plan"]),
    (
        "97140 partly on an adjusted region: that part bundled, the rest with 59",
        facts(
            [C],
            timed=[
                TimedService("97140", 15, frozenset({C})),
                TimedService("97140", 15, frozenset({L})),
            ],
        ),
        [("98940", 1, ("AT",)), ("97140", 1, ("59",))],
        ["bundled_with_cmt"],
    ),
    (
        "97140 on the legs after a shoulder adjustment takes 59",
        facts([X], timed=[TimedService("97140", 10, frozenset({LEG}))]),
        [("98943", 1, ()), ("97140", 1, ("59",))],
        [],
    ),
    (
        "97140 on the shoulder after a shoulder adjustment is bundled",
        facts([X], timed=[TimedService("97140", 10, frozenset({X}))]),
        [("98943", 1, ())],
        ["bundled_with_cmt"],
    ),
]


@pytest.mark.parametrize(
    ("case", "visit", "lines", "warnings"), CASES, ids=[case[0] for case in CASES]
)
def test_coding_rules(case, visit, lines, warnings):
    coding = code_visit(visit)

    assert summary(coding) == lines
    assert warning_codes(coding) == warnings


def test_the_table_has_at_least_30_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize(
    ("minutes", "units"),
    [
        (0, 0),
        (7, 0),
        (8, 1),
        (22, 1),
        (23, 2),
        (37, 2),
        (38, 3),
        (52, 3),
        (53, 4),
        (67, 4),
        (68, 5),
    ],
)
def test_eight_minute_rule(minutes, units):
    assert timed_units(minutes) == units


def test_units_never_exceed_the_total():
    assert spread_units({"97110": 7, "97112": 7, "97140": 7}) == {"97110": 1}


def test_subluxation_codes_are_primary_and_pointed_to_by_cmt():
    coding = code_visit(facts([C], diagnoses=("M54.2", "M99.01", "M62.830")))

    assert coding.diagnoses == ("M99.01", "M54.2", "M62.830")
    assert coding.lines[0].diagnosis_pointers[0] == "M99.01"


def test_timed_lines_point_to_the_complaint_diagnoses():
    coding = code_visit(
        facts([C], timed=[TimedService("97110", 15)], diagnoses=("M99.01", "M54.2"))
    )

    assert coding.lines[1].diagnosis_pointers == ("M54.2",)
    assert coding.lines[1].minutes == 15


def test_a_coding_document_holds_every_field_of_the_coding():
    coding = code_visit(facts([C, X], timed=[TimedService("97140", 20, frozenset({LEG}))]))

    assert coding_document(coding) == json.loads(json.dumps(asdict(coding)))
    assert coding_from_document(coding_document(coding)) == coding
