"""NCCI procedure-to-procedure edits between CMT and the timed codes, read from a shipped table.

The pairs are data (`ncci_ptp_edits.csv`, one row an edit as CMS publishes it: column 1 code,
column 2 code, modifier indicator), so a quarterly CMS update is a change of rows, not of code.
`applies_from` and `deleted_on` bound the dates of service an edit applies to; `source` says
where the row comes from. Modifier indicator 1: a distinct-region modifier (59/XS) lets both
codes be paid; 0: never; 9: the edit no longer applies.
"""

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("ncci_ptp_edits.csv")


@dataclass(frozen=True)
class PtpEdit:
    column_1: str
    column_2: str
    modifier_indicator: str
    applies_from: date
    deleted_on: date | None
    source: str

    @property
    def modifier_allowed(self) -> bool:
        return self.modifier_indicator == "1"

    def applies_on(self, day: date | None) -> bool:
        if self.modifier_indicator == "9":
            return False
        if day is None:
            return self.deleted_on is None
        return self.applies_from <= day and (self.deleted_on is None or day < self.deleted_on)


@cache
def edits() -> dict[tuple[str, str], tuple[PtpEdit, ...]]:
    table: dict[tuple[str, str], list[PtpEdit]] = {}
    with TABLE.open(newline="", encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            edit = PtpEdit(
                column_1=row["column_1"],
                column_2=row["column_2"],
                modifier_indicator=row["modifier_indicator"],
                applies_from=date.fromisoformat(row["applies_from"]),
                deleted_on=date.fromisoformat(row["deleted_on"]) if row["deleted_on"] else None,
                source=row["source"],
            )
            table.setdefault((edit.column_1, edit.column_2), []).append(edit)
    return {pair: tuple(found) for pair, found in table.items()}


def edit_between(column_1: str, column_2: str, day: date | None) -> PtpEdit | None:
    """The edit in force on `day` (None: the current one) between the two codes, if any."""
    for edit in edits().get((column_1, column_2), ()):
        if edit.applies_on(day):
            return edit
    return None
