"""Printable billing documents (PDF, fpdf2): a visit's superbill and a patient's statement.

The PDF core fonts carry Windows-1252 only: a character outside it prints as "?" (names are
printed as recorded otherwise).
"""

from decimal import Decimal

from fpdf import FPDF

CURRENCY = "$"


def _text(value: object) -> str:
    return str(value).encode("cp1252", "replace").decode("cp1252")


def _money(value: Decimal | None) -> str:
    return "-" if value is None else f"{CURRENCY}{value:,.2f}"


class _Document(FPDF):
    def __init__(self, title: str, clinic: dict) -> None:
        super().__init__(format="Letter")
        self.set_title(title)
        self.set_creator("chiropractic practice API")
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()
        self.set_font("Helvetica", "B", 16)
        self.cell(0, 8, _text(clinic["name"]), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 9)
        for line in (
            clinic["address"],
            clinic["phone"],
            " · ".join(
                part
                for part in (
                    f"NPI {clinic['npi']}" if clinic["npi"] else "",
                    f"Tax id {clinic['tax_id']}" if clinic["tax_id"] else "",
                )
                if part
            ),
        ):
            if line:
                self.cell(0, 5, _text(line), new_x="LMARGIN", new_y="NEXT")
        self.ln(4)
        self.set_font("Helvetica", "B", 14)
        self.cell(0, 8, _text(title), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 10)

    def pairs(self, rows: list[tuple[str, str]]) -> None:
        for label, value in rows:
            self.set_font("Helvetica", "B", 10)
            self.cell(45, 6, _text(label))
            self.set_font("Helvetica", "", 10)
            self.cell(0, 6, _text(value), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def heading(self, text: str) -> None:
        self.set_font("Helvetica", "B", 11)
        self.cell(0, 7, _text(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 10)

    def text_table(
        self, header: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...]
    ) -> None:
        with self.table(col_widths=widths, text_align="LEFT", line_height=6) as table:
            table.row([_text(cell) for cell in header])
            for row in rows:
                table.row([_text(cell) for cell in row])
        self.ln(2)

    def total(self, label: str, amount: Decimal) -> None:
        self.set_font("Helvetica", "B", 11)
        self.cell(
            0, 8, _text(f"{label}: {_money(amount)}"), align="R", new_x="LMARGIN", new_y="NEXT"
        )
        self.set_font("Helvetica", "", 10)


def _line_rows(lines: list[dict]) -> list[tuple[str, ...]]:
    return [
        (
            str(line["date_of_service"]),
            line["cpt"],
            " ".join(line["modifiers"]),
            "".join(line["diagnosis_pointers"]),
            str(line["units"]),
            _money(line["charge"]),
        )
        for line in lines
    ]


LINE_HEADER = ("Date", "CPT", "Modifiers", "Dx", "Units", "Charge")
LINE_WIDTHS = (30, 20, 35, 20, 15, 30)


def superbill_pdf(claim: dict, displays: dict[str, str]) -> bytes:
    """The visit's superbill: what a self-paying patient sends their insurer."""
    pdf = _Document("Superbill", claim["billing_provider"])
    patient, provider = claim["patient"], claim["rendering_provider"]
    date_of_service = claim["lines"][0]["date_of_service"] if claim["lines"] else ""
    pdf.pairs(
        [
            ("Patient", patient["name"]),
            ("Date of birth", str(patient["birth_date"])),
            ("Account", patient["account_number"]),
            ("Date of service", str(date_of_service)),
            (
                "Provider",
                f"{provider['name']}" + (f", NPI {provider['npi']}" if provider["npi"] else ""),
            ),
            ("Place of service", "11 (office)"),
        ]
    )
    pdf.heading("Diagnoses (ICD-10-CM)")
    pdf.text_table(
        ("", "Code", "Description"),
        [(d["letter"], d["code"], displays.get(d["code"], "")) for d in claim["diagnoses"]],
        (10, 25, 135),
    )
    pdf.heading("Services")
    pdf.text_table(LINE_HEADER, _line_rows(claim["lines"]), LINE_WIDTHS)
    pdf.total("Total", claim["total_charge"])
    return bytes(pdf.output())


def statement_pdf(statement: dict) -> bytes:
    """A patient's statement of charges over a date range."""
    pdf = _Document("Statement", statement["clinic"])
    patient = statement["patient"]
    pdf.pairs(
        [
            ("Patient", patient["name"]),
            ("Account", patient["account_number"]),
            ("Address", patient["address"]),
            ("Period", f"{statement['date_from']} to {statement['date_to']}"),
        ]
    )
    rows: list[tuple[str, ...]] = []
    for visit in statement["visits"]:
        rows.extend(_line_rows(visit["lines"]))
    pdf.heading("Charges")
    pdf.text_table(LINE_HEADER, rows, LINE_WIDTHS)
    pdf.total("Total", statement["total_charge"])
    return bytes(pdf.output())
