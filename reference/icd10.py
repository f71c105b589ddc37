"""ICD-10-CM codes: normalisation, lookup and picker search over the shipped code list.

The code list is the one shipped by the `simple-icd-10-cm` package (the CDC's ICD-10-CM
release), loaded into reference_icd10code by migrations (reference.icd10_loading); a code is
billable when it is a leaf of the classification. Searches are one indexed statement: a
prefix of the code, or a word-prefix full-text match of its description.
"""

import re

from django.db import connection

from reference.models import Icd10Code

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
_CODE_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{0,4})?$")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def search_words(text: str) -> str:
    """`Low back pain, unspecified` → `low back pain unspecified`: the words searched."""
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def normalize(raw: str) -> str:
    """`m5450`, `M54.50` and ` M54.50 ` all become `M54.50`; unknown shapes are only upper-cased."""
    compact = raw.strip().upper().replace(".", "")
    if len(compact) > 3 and _CODE_SHAPE.match(compact):
        return f"{compact[:3]}.{compact[3:]}"
    return compact


def lookup(raw: str) -> Icd10Code | None:
    """The code, its official description and billability; None when it does not exist."""
    code = normalize(raw)
    if not _CODE_SHAPE.match(code):
        return None
    found: Icd10Code | None = Icd10Code.objects.filter(code=code).first()
    return found


def displays_of(codes: list[str]) -> dict[str, str]:
    """Each code's official description, in one statement."""
    return dict(Icd10Code.objects.filter(code__in=codes).values_list("code", "description"))


def _like_prefix(text: str) -> str:
    """`text` as the start of a LIKE pattern: its own `%`, `_` and backslashes literal."""
    return re.sub(r"([\\%_])", r"\\\1", text) + "%"


SEARCH = """
    SELECT code, compact, description, billable, search_words FROM reference_icd10code
    WHERE (compact LIKE %s OR to_tsvector('simple'::regconfig, search_words)
                               @@ to_tsquery('simple'::regconfig, %s))
      AND (billable OR NOT %s)
    ORDER BY coalesce(array_position(%s::text[], code::text), %s), NOT billable, code
    LIMIT %s
"""


def search(query: str, *, billable_only: bool = False, limit: int = 20) -> list[Icd10Code]:
    """Codes that start with `query`, or whose description has a word starting with each word.

    Chiropractic codes come first, then billable codes, then by code.
    """
    words = search_words(query).split()
    if not words:
        return []
    code_prefix = query.strip().upper().replace(".", "")
    with connection.cursor() as cursor:
        cursor.execute(
            SEARCH,
            [
                _like_prefix(code_prefix),
                " & ".join(f"{word}:*" for word in words),
                billable_only,
                list(CHIROPRACTIC_CODES),
                len(CHIROPRACTIC_CODES) + 1,  # after every ranked one (1-based)
                limit,
            ],
        )
        return [Icd10Code(*row) for row in cursor.fetchall()]
