"""Claim (base FHIR R4): a signed visit's claim data, as billing makes it for the CMS-1500
(billing.claims): the payer's coverage, diagnoses, and the lines with their CPT codes,
modifiers, units, fees and diagnosis pointers. Its id is the visit's; an unsigned visit has
no Claim."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from api.permissions import BillingPermission
from billing.claims import OFFICE, ClaimInput, claim_data, claim_input
from billing.coding import DIAGNOSIS_LETTERS
from billing.selectors import billed_visits, fee_list
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import coding, compact, concept, instant, meta, reference
from fhir_api.search import PATIENT_PARAMETER, DateParameter, IdParameter
from fhir_api.systems import (
    CLAIM_CARE_TEAM_ROLE,
    CLAIM_TYPE,
    CPT,
    DATA_ABSENT_REASON_EXTENSION,
    HCPCS,
    ICD_10_CM,
    PLACE_OF_SERVICE,
    PROCESS_PRIORITY,
)
from reference.icd10 import displays_of
from treatments.models import Visit, VisitStatus

# Where page_reads leaves each visit's claim (the attribute is this module's own).
CLAIM_READING = "fhir_claim_reading"
CURRENCY = "USD"


@dataclass(frozen=True)
class ClaimReading:
    """A visit's claim as billing makes it, with the official names of its diagnoses."""

    made_from: ClaimInput
    data: dict  # billing.claims.claim_data
    displays: dict[str, str]


def claim_rows(user: User) -> QuerySet[Visit]:
    return billed_visits(user=user).filter(status=VisitStatus.SIGNED)


def read_claims(user: User, visits: Sequence[Visit]) -> None:
    """Each visit's claim, from the clinic's fee schedule and the diagnoses' names: two
    statements for the page, whatever its size."""
    fees = list(fee_list(user=user))
    made = [claim_input(visit, fees) for visit in visits]
    data = [claim_data(one) for one in made]
    codes = {entry["code"] for claim in data for entry in claim["diagnoses"]}
    displays = displays_of(sorted(codes)) if codes else {}
    for visit, made_from, claim in zip(visits, made, data, strict=True):
        setattr(visit, CLAIM_READING, ClaimReading(made_from, claim, displays))


def _money(amount: Decimal | None) -> dict | None:
    return None if amount is None else {"value": float(amount), "currency": CURRENCY}


def _modifier(code: str) -> dict:
    # Two digits are CPT's own modifiers (59); letters are HCPCS level II (GP, AT, XS).
    return concept(CPT if code.isdigit() else HCPCS, code)


def _insurance(reading: ClaimReading) -> list[dict]:
    billed = reading.made_from.billed
    data = reading.data
    if billed is None:
        # R4 asks for at least one: say that none was in effect rather than leave it out.
        absent = {
            "extension": [
                {
                    "url": DATA_ABSENT_REASON_EXTENSION,
                    "valueCode": "not-applicable",
                }
            ],
            "display": "No coverage in effect on the date of service",
        }
        return [{"sequence": 1, "focal": True, "coverage": absent}]
    found = [
        compact(
            {
                "sequence": 1,
                "focal": True,
                "coverage": reference("Coverage", billed.pk, billed.payer_name),
                "preAuthRef": [data["prior_authorisation"]] if data["prior_authorisation"] else [],
            }
        )
    ]
    other = reading.made_from.other
    if other is not None:
        found.append(
            {
                "sequence": 2,
                "focal": False,
                "coverage": reference("Coverage", other.pk, other.payer_name),
            }
        )
    return found


def _items(reading: ClaimReading) -> list[dict]:
    items = []
    for number, line in enumerate(reading.data["lines"], start=1):
        items.append(
            compact(
                {
                    "sequence": number,
                    "careTeamSequence": [1],
                    "diagnosisSequence": [
                        DIAGNOSIS_LETTERS.index(letter) + 1 for letter in line["diagnosis_pointers"]
                    ],
                    "productOrService": concept(CPT, line["cpt"]),
                    "modifier": [_modifier(code) for code in line["modifiers"]],
                    "servicedDate": line["date_of_service"].isoformat(),
                    "locationCodeableConcept": concept(PLACE_OF_SERVICE, OFFICE, "Office"),
                    "quantity": {"value": line["units"]},
                    "unitPrice": _money(line["unit_charge"]),
                    "net": _money(line["charge"]),
                }
            )
        )
    return items


def claim_resource(visit: Visit) -> dict:
    reading: ClaimReading = getattr(visit, CLAIM_READING)
    data = reading.data
    day = reading.made_from.day.isoformat()
    billed = reading.made_from.billed
    chiropractor = visit.chiropractor
    return compact(
        {
            "resourceType": "Claim",
            "id": str(visit.id),
            "meta": meta(visit),
            # Active once nothing keeps it from being sent (billing's `problems`): a missing
            # fee, NPI or coverage leaves it a draft.
            "status": "active" if data["ready"] else "draft",
            "type": concept(CLAIM_TYPE, "professional", "Professional"),
            "use": "claim",
            "patient": reference("Patient", visit.patient_id),
            "billablePeriod": {"start": day, "end": day},
            "created": instant(visit.signed_at),
            "insurer": {"display": billed.payer_name} if billed is not None else None,
            "provider": reference("Organization", visit.clinic_id, visit.clinic.name),
            "priority": concept(PROCESS_PRIORITY, "normal", "Normal"),
            "careTeam": [
                {
                    "sequence": 1,
                    "provider": reference(
                        "Practitioner", chiropractor.id, chiropractor.display_name
                    ),
                    "responsible": True,
                    "role": concept(CLAIM_CARE_TEAM_ROLE, "primary", "Primary provider"),
                }
            ],
            "diagnosis": [
                {
                    "sequence": number,
                    "diagnosisCodeableConcept": {
                        "coding": [
                            coding(ICD_10_CM, entry["code"], reading.displays.get(entry["code"]))
                        ]
                    },
                }
                for number, entry in enumerate(data["diagnoses"], start=1)
            ],
            "insurance": _insurance(reading),
            "item": _items(reading),
            "total": _money(data["total_charge"]),
        }
    )


CLAIM = ResourceKind(
    name="Claim",
    summary="Claims: a signed visit's claim data (the CMS-1500's): its payer's coverage, "
    "diagnoses (ICD-10-CM) and lines (CPT, modifiers, units, fees, pointers); the visit's id.",
    rows=claim_rows,
    resource=claim_resource,
    page_reads=read_claims,
    readers=BillingPermission.read_roles,
    audit_resource="visit_claim",
    search={
        "_id": IdParameter("The claim's id (its visit's)."),
        "patient": PATIENT_PARAMETER,
        "created": DateParameter("When the visit was signed.", column="signed_at"),
    },
)
