"""Coverage (US Core Coverage): who pays for a patient's care, from billing's coverage records."""

from django.db.models import QuerySet

from api.permissions import CoveragePermission
from billing.models import Coverage, CoveragePriority, SubscriberRelationship
from billing.payer_rules import PAYER_LABELS, PayerType
from billing.selectors import coverage_records
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import coding, compact, concept, day, identifier, meta, reference
from fhir_api.search import IdParameter, ReferenceParameter
from fhir_api.systems import (
    COVERAGE_CLASS,
    PAYER_ID,
    PAYER_TYPE,
    SOURCE_OF_PAYMENT,
    SUBSCRIBER_RELATIONSHIP,
)

# The PHDSC Source of Payment Typology code of each payer type, where one is certain (the
# top-level codes of the "Payer" value set, 2.16.840.1.114222.4.11.3591). A personal-injury
# case may be paid by an auto insurer (96), a liability insurer (97) or an attorney's
# settlement: the record does not say which, so it carries the local code only.
SOURCE_OF_PAYMENT_CODES = {
    PayerType.MEDICARE: ("1", "MEDICARE"),
    PayerType.MEDICAID: ("2", "MEDICAID"),
    PayerType.COMMERCIAL: ("5", "PRIVATE HEALTH INSURANCE"),
    PayerType.WORKERS_COMPENSATION: ("95", "Worker's Compensation"),
    PayerType.SELF_PAY: ("81", "Self-pay"),
}
# http://terminology.hl7.org/CodeSystem/subscriber-relationship holds each of ours as is.
RELATIONSHIPS = {
    SubscriberRelationship.SELF: ("self", "Self"),
    SubscriberRelationship.SPOUSE: ("spouse", "Spouse"),
    SubscriberRelationship.CHILD: ("child", "Child"),
    SubscriberRelationship.OTHER: ("other", "Other"),
}
ORDER = {CoveragePriority.PRIMARY: 1, CoveragePriority.SECONDARY: 2}


def coverage_rows(user: User) -> QuerySet[Coverage]:
    return coverage_records(user=user)


def _type(coverage: Coverage) -> dict:
    payer_type = PayerType(coverage.payer_type)
    # Our own code always (the payer rules go by it), the typology's where one is certain.
    codings = [coding(PAYER_TYPE, payer_type.value, PAYER_LABELS[payer_type])]
    if payer_type in SOURCE_OF_PAYMENT_CODES:
        codings.insert(0, coding(SOURCE_OF_PAYMENT, *SOURCE_OF_PAYMENT_CODES[payer_type]))
    return {"coding": codings, "text": PAYER_LABELS[payer_type]}


def _payor(coverage: Coverage) -> dict:
    # A self-paying patient is their own payor. A payer is no resource here: it is named, with
    # its electronic id where known, rather than referenced.
    if coverage.payer_type == PayerType.SELF_PAY:
        return reference("Patient", coverage.patient_id)
    payor: dict = {"display": coverage.payer_name}
    if coverage.payer_id:
        payor = {"identifier": {"system": PAYER_ID, "value": coverage.payer_id}, **payor}
    return payor


def _subscriber(coverage: Coverage) -> dict | None:
    if coverage.subscriber_relationship == SubscriberRelationship.SELF:
        return reference("Patient", coverage.patient_id)
    return {"display": coverage.subscriber_name} if coverage.subscriber_name else None


def _identifiers(coverage: Coverage) -> list[dict]:
    # The member id on file is the insured's (CMS-1500 item 1a): the patient's own only when the
    # patient is the subscriber. A dependent's is their subscriber's, in `subscriberId`.
    if not coverage.member_id or coverage.subscriber_relationship != SubscriberRelationship.SELF:
        return []
    return [identifier(None, coverage.member_id, "MB", "Member Number")]


def coverage_resource(coverage: Coverage) -> dict:
    return compact(
        {
            "resourceType": "Coverage",
            "id": str(coverage.id),
            "meta": meta(coverage, "us-core-coverage"),
            "identifier": _identifiers(coverage),
            # An archived coverage was withdrawn by the clinic (kept for the claims made under
            # it). One that has ended is still the record of a cover in force over its period:
            # `period.end` says so, and the status of a row that does not change stays the same.
            "status": "cancelled" if coverage.archived_at is not None else "active",
            "type": _type(coverage),
            "subscriber": _subscriber(coverage),
            "subscriberId": coverage.member_id,
            "beneficiary": reference("Patient", coverage.patient_id),
            "relationship": concept(
                SUBSCRIBER_RELATIONSHIP,
                *RELATIONSHIPS[SubscriberRelationship(coverage.subscriber_relationship)],
            ),
            "period": compact({"start": day(coverage.starts_on), "end": day(coverage.ends_on)}),
            "payor": [_payor(coverage)],
            "class": [
                {
                    "type": concept(COVERAGE_CLASS, "group", "Group"),
                    "value": coverage.group_number,
                }
            ]
            if coverage.group_number
            else [],
            "order": ORDER[CoveragePriority(coverage.priority)],
        }
    )


COVERAGE = ResourceKind(
    name="Coverage",
    summary="Who pays for a patient's care: payer and payer type, member id, subscriber, "
    "group, period and order (US Core Coverage); archived coverage as cancelled.",
    rows=coverage_rows,
    resource=coverage_resource,
    readers=CoveragePermission.read_roles,
    audit_resource="coverage",
    profiles=("us-core-coverage",),
    search={
        "_id": IdParameter("The coverage's id."),
        "patient": ReferenceParameter(
            "The beneficiary: `Patient/<id>` or `<id>`.", column="patient_id", target="Patient"
        ),
    },
    not_held={
        "Coverage.class:group.name": "The clinic keeps the group number, not the group's name.",
        "Coverage.class:plan": "The clinic keeps no plan number or name.",
        "Coverage.class:plan.value": "The clinic keeps no plan number or name.",
        "Coverage.class:plan.name": "The clinic keeps no plan number or name.",
    },
)
