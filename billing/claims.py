"""Claim data: the CMS-1500 fields one signed visit fills, and a statement of visits.

Item numbers follow the CMS-1500 (02/12) form: 1a member id, 2 patient, 3 birth date and sex,
4 insured, 5 address, 6 relationship, 9/9a/9d the other insured, 11 group, 11d another plan,
14 initial treatment date (qualifier 454, the plan's start), 17 referring provider,
21 diagnoses A–L, 23 prior authorisation, 24A–J the lines, 25 tax id, 26 account number,
28 total, 29 amount paid, 31 rendering provider, 33 billing provider. Place of service 11 is
the office.

A visit has a claim to its payer (the case's coverage, else the primary) and, when the patient
has a secondary coverage, a crossover claim to it: the same lines, the primary as the other
insured, and the primary's recorded payments and adjustments (COB), once there are some.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from billing.coding import DIAGNOSIS_LETTERS, Coding, pointer_letters
from billing.fees import unit_charge
from billing.models import ClaimPayment, Coverage, FeeScheduleEntry
from billing.payer_rules import PayerType
from billing.visit_coding import CodingStatus, Payer, billed_coding, coding_status, visit_payer
from billing.visit_facts import service_day
from clinics.models import Clinic, User
from patients.models import Patient
from treatments.models import TreatmentPlan, Visit

# What keeps a claim from being sent (the contract's enum).
PROBLEM_CHOICES = [
    ("visit_not_signed", "The visit is not signed."),
    ("no_coverage", "No coverage in effect on the date of service."),
    ("self_pay", "The patient pays: give a superbill instead."),
    ("no_fee", "A line's code has no fee on the date of service."),
    ("no_rendering_npi", "The chiropractor has no NPI."),
    ("no_billing_npi", "The clinic has no NPI."),
    ("no_tax_id", "The clinic has no tax id."),
    ("no_diagnosis", "No diagnosis to point at."),
    ("no_lines", "Nothing to bill."),
    ("no_secondary_coverage", "The patient has no secondary coverage: no crossover claim."),
    ("primary_not_paid", "The primary payer's payment is not recorded yet."),
]
OFFICE = "11"
SEX = {"male": "M", "female": "F"}


@dataclass(frozen=True)
class ClaimInput:
    visit_id: object
    coding_status: str
    coding: Coding
    payer: Payer
    day: date
    patient: Patient
    plan: TreatmentPlan | None
    chiropractor: User
    clinic: Clinic
    fees: list[FeeScheduleEntry]
    payments: list[ClaimPayment] = field(default_factory=list)
    crossover: bool = False  # the claim to the secondary payer

    @property
    def billed(self) -> Coverage | None:
        return self.payer.secondary if self.crossover else self.payer.coverage

    @property
    def other(self) -> Coverage | None:
        """The other insured: the secondary on the primary's claim, and the other way round."""
        return self.payer.coverage if self.crossover else self.payer.secondary

    @property
    def prior_payments(self) -> list[ClaimPayment]:
        """What the payers billed before this one paid: the primary's, on a crossover."""
        if not self.crossover or self.other is None:
            return []
        return [p for p in self.payments if p.coverage_id == self.other.pk]


def claim_input(
    visit: Visit,
    fees: list[FeeScheduleEntry],
    *,
    payments: list[ClaimPayment] | None = None,
    crossover: bool = False,
) -> ClaimInput:
    """What a visit's claim is made from: its payer, its coding as that payer is billed, and
    the fee schedule (`fees`: the clinic's entries, read once for a page of visits)."""
    payer = visit_payer(visit)
    return ClaimInput(
        visit_id=visit.pk,
        coding_status=coding_status(visit),
        coding=billed_coding(visit, payer),
        payer=payer,
        day=service_day(visit),
        patient=visit.patient,
        plan=visit.plan,
        chiropractor=visit.chiropractor,
        clinic=visit.clinic,
        fees=fees,
        payments=payments or [],
        crossover=crossover,
    )


def person_name(family: str, given: str) -> str:
    return f"{family}, {given}".strip(", ")


def patient_part(patient: Patient) -> dict:
    address = ", ".join(
        part
        for part in (
            patient.address_line1,
            patient.address_line2,
            patient.city,
            " ".join(p for p in (patient.region, patient.postal_code) if p),
        )
        if part
    )
    return {
        "name": person_name(patient.family_name, patient.given_name),
        "birth_date": patient.date_of_birth,
        "sex": SEX.get(patient.sex_at_birth, "U"),
        "address": address,
        "phone": patient.phone,
        "account_number": patient.chart_number,
    }


def clinic_part(clinic: Clinic) -> dict:
    return {
        "name": clinic.name,
        "npi": clinic.npi,
        "tax_id": clinic.tax_id,
        "address": clinic.address,
        "phone": clinic.phone,
    }


def charged_lines(claim: ClaimInput) -> list[dict]:
    lines = []
    for line in claim.coding.lines:
        unit = unit_charge(claim.fees, line.cpt, line.modifiers, claim.day)
        lines.append(
            {
                "date_of_service": claim.day,
                "place_of_service": OFFICE,
                "cpt": line.cpt,
                "modifiers": list(line.modifiers),
                "diagnosis_pointers": pointer_letters(
                    claim.coding.diagnoses, line.diagnosis_pointers
                ),
                "diagnosis_codes": list(line.diagnosis_pointers),
                "units": line.units,
                "unit_charge": unit,
                "charge": None if unit is None else unit * line.units,
                "rendering_npi": claim.chiropractor.npi,
            }
        )
    return lines


def total(lines: list[dict]) -> Decimal:
    return sum((line["charge"] for line in lines if line["charge"] is not None), Decimal("0.00"))


def _problems(claim: ClaimInput, lines: list[dict]) -> list[dict]:
    coverage = claim.billed
    found = []

    def problem(code: str, message: str) -> None:
        found.append({"code": code, "message": message})

    if claim.coding_status != CodingStatus.FINAL:
        problem("visit_not_signed", "Sign the visit: only a signed visit is billed.")
    # visit_payer names a secondary only beside a coverage billed first.
    primary = claim.payer.coverage
    if claim.crossover and primary is not None:
        if coverage is None:
            problem(
                "no_secondary_coverage",
                f"The patient has no secondary coverage in effect on {claim.day}.",
            )
        elif not claim.prior_payments:
            problem(
                "primary_not_paid",
                f"Record what {primary.payer_name} paid "
                "(POST …/claim/payments/): the crossover claim carries it.",
            )
    if claim.payer.coverage is None:
        problem("no_coverage", f"The patient has no coverage in effect on {claim.day}.")
    elif coverage is not None and coverage.payer_type == PayerType.SELF_PAY:
        problem("self_pay", "The patient pays for this visit: give them a superbill.")
    if not lines:
        problem("no_lines", "Nothing billable was recorded at the visit.")
    for line in lines:
        if line["charge"] is None:
            problem(
                "no_fee",
                f"The fee schedule has no fee for {line['cpt']} on {claim.day}: add one.",
            )
    if lines and not claim.coding.diagnoses:
        problem("no_diagnosis", "The visit has no diagnosis to point the lines at.")
    if not claim.chiropractor.npi:
        problem("no_rendering_npi", "Record the chiropractor's NPI (their staff record).")
    if not claim.clinic.npi:
        problem("no_billing_npi", "Record the clinic's NPI (the clinic's settings).")
    if not claim.clinic.tax_id:
        problem("no_tax_id", "Record the clinic's tax id (the clinic's settings).")
    return found


def insured_part(coverage: Coverage | None, patient: Patient) -> dict | None:
    if coverage is None:
        return None
    return {
        "payer_name": coverage.payer_name,
        "payer_type": coverage.payer_type,
        "payer_id": coverage.payer_id,
        "member_id": coverage.member_id,
        "name": coverage.subscriber_name or person_name(patient.family_name, patient.given_name),
        "relationship": coverage.subscriber_relationship,
        "group_number": coverage.group_number,
    }


def payment_part(payment: ClaimPayment) -> dict:
    return {
        "id": payment.id,
        "coverage": payment.coverage_id,
        "paid_on": payment.paid_on,
        "paid_amount": payment.paid_amount,
        "payer_claim_number": payment.payer_claim_number,
        "adjustments": payment.adjustments,
    }


def claim_data(claim: ClaimInput) -> dict:
    # The case (its claim number, authorisation, referral) is the payer's it was opened with.
    case = None if claim.crossover else claim.payer.case
    lines = charged_lines(claim)
    problems = _problems(claim, lines)
    referring = None
    if case is not None and case.referring_provider:
        referring = {"name": case.referring_provider, "npi": case.referring_npi}
    chiropractor = claim.chiropractor
    charged = total(lines)
    paid = sum((p.paid_amount for p in claim.prior_payments), Decimal("0.00"))
    return {
        "visit": claim.visit_id,
        "payer": "secondary" if claim.crossover else "primary",
        "coding_status": claim.coding_status,
        "ready": not problems,
        "problems": problems,
        "patient": patient_part(claim.patient),
        "insured": insured_part(claim.billed, claim.patient),
        "other_insured": insured_part(claim.other, claim.patient),
        "other_coverage": claim.other is not None,
        "claim_number": case.claim_number if case else "",
        "initial_treatment_date": claim.plan.start_date if claim.plan else None,
        "referring_provider": referring,
        "prior_authorisation": case.authorisation_number if case else "",
        "diagnoses": [
            {"letter": letter, "code": code}
            for letter, code in zip(DIAGNOSIS_LETTERS, claim.coding.diagnoses, strict=False)
        ],
        "lines": lines,
        "total_charge": charged,
        "prior_payments": [payment_part(p) for p in claim.prior_payments],
        "amount_paid": paid,
        "balance_due": charged - paid,
        "rendering_provider": {
            "name": person_name(chiropractor.last_name, chiropractor.first_name),
            "npi": chiropractor.npi,
        },
        "billing_provider": clinic_part(claim.clinic),
    }
