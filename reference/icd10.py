"""ICD-10-CM codes: normalisation, lookup and picker search over the shipped code list.

The code list is the one shipped by the `simple-icd-10-cm` package (the CDC's ICD-10-CM
release); a code is billable when it is a leaf of the classification.
"""

import re
from dataclasses import dataclass
from functools import cache

import simple_icd_10_cm as icd

# The codes a chiropractic clinic uses most (DOMAIN.md), ranked first in searches, with the
# everyday words staff type for them.
CHIROPRACTIC_CODES: dict[str, str] = {
    "M62.830": "back spasm",
    "M62.831": "calf spasm cramp",
    "M62.838": "",
    "M54.2": "neck pain",
    "M54.50": "lumbago lbp",
    "M54.59": "lumbago",
    "M54.6": "mid back pain",
    "M99.00": "subluxation",
    "M99.01": "subluxation",
    "M99.02": "subluxation",
    "M99.03": "subluxation",
    "M99.04": "subluxation",
    "M99.05": "subluxation",
    "M99.06": "subluxation",
    "M99.07": "subluxation",
    "M99.08": "subluxation",
    "M99.09": "subluxation",
    "M53.0": "",
    "S13.4XXA": "whiplash",
    "S16.1XXA": "neck strain whiplash",
    "S39.012A": "low back strain",
    "G44.209": "headache",
}
_CHIROPRACTIC_RANK = {code: rank for rank, code in enumerate(CHIROPRACTIC_CODES)}
_CODE_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{0,4})?$")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def _word_starts(text: str) -> str:
    """` low back pain unspecified`: each word preceded by a space, for word-prefix matching."""
    return " " + _NON_WORD.sub(" ", text.casefold())


@dataclass(frozen=True)
class Icd10Code:
    code: str
    description: str
    billable: bool

    @property
    def chiropractic(self) -> bool:
        return self.code in _CHIROPRACTIC_RANK


def normalize(raw: str) -> str:
    """`m5450`, `M54.50` and ` M54.50 ` all become `M54.50`; unknown shapes are only upper-cased."""
    compact = raw.strip().upper().replace(".", "")
    if len(compact) > 3 and _CODE_SHAPE.match(compact):
        return f"{compact[:3]}.{compact[3:]}"
    return compact


def lookup(raw: str) -> Icd10Code | None:
    """The code, its official description and billability; None when it does not exist."""
    code = normalize(raw)
    if not _CODE_SHAPE.match(code) or not icd.is_valid_item(code):
        return None
    return Icd10Code(code=code, description=icd.get_description(code), billable=icd.is_leaf(code))


@cache
def _codes() -> tuple[tuple[Icd10Code, str, str], ...]:
    """Every category and subcategory with its undotted code and searchable description."""
    entries = []
    for code in icd.get_all_codes(with_dots=True):
        if not icd.is_category_or_subcategory(code) and not icd.is_extended_subcategory(code):
            continue
        description = icd.get_description(code)
        entry = Icd10Code(code=code, description=description, billable=icd.is_leaf(code))
        searchable = _word_starts(f"{description} {CHIROPRACTIC_CODES.get(code, '')}")
        entries.append((entry, code.replace(".", ""), searchable))
    return tuple(entries)


def warm() -> None:
    """Load the code list and its search index (about a second) ahead of the first request."""
    _codes()


def search(query: str, *, billable_only: bool = False, limit: int = 20) -> list[Icd10Code]:
    """Codes that start with `query`, or whose description has a word starting with each word.

    Chiropractic codes come first, then billable codes, then by code.
    """
    words = [" " + word for word in _word_starts(query).split()]
    if not words:
        return []
    code_prefix = query.strip().upper().replace(".", "")
    matches = [
        entry
        for entry, compact, description in _codes()
        if (compact.startswith(code_prefix) or all(word in description for word in words))
        and (entry.billable or not billable_only)
    ]
    matches.sort(
        key=lambda entry: (
            _CHIROPRACTIC_RANK.get(entry.code, len(_CHIROPRACTIC_RANK)),
            not entry.billable,
            entry.code,
        )
    )
    return matches[:limit]
