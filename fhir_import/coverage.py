"""Coverage → a patient's coverage: payer, payer type, member id, group, subscriber, period.

The payer type decides the billing rules (billing.payer_rules), so it is read only from
codes that say it: our own payer-type code (as the Coverage read writes it), the Source of
Payment Typology (PHDSC, which US Core Coverage binds `type` to) by its top-level categories,
the self-pay code of coverage-selfpay, and the name of one of our payer types as `type.text`. A payer named otherwise (Synthea writes the
insurer's name, "Aetna") is reported not mappable rather than guessed.
"""

from typing import Any

from api.permissions import CoveragePermission
from billing.models import SubscriberRelationship
from billing.payer_rules import PAYER_LABELS, PAYER_TYPE_CHOICES, PayerType
from billing.serializers import CoverageSerializer
from billing.services import coverage_archive, coverage_create
from fhir_api.systems import (
    COVERAGE_CLASS,
    IDENTIFIER_TYPE,
    PAYER_ID,
    PAYER_TYPE,
    SOURCE_OF_PAYMENT,
    SUBSCRIBER_RELATIONSHIP,
)
from fhir_import.error_codes import ImportCode
from fhir_import.kinds import STRUCTURAL, ImportKind, Lookup
from fhir_import.reading import (
    EntryRefused,
    Mapped,
    child,
    codings,
    day,
    described,
    not_mappable,
    objects,
    reference,
    text,
)

# The typology by its URL (as the Coverage read writes it) or its OID.
SOURCE_OF_PAYMENT_SYSTEMS = frozenset({SOURCE_OF_PAYMENT, "urn:oid:2.16.840.1.113883.3.221.5"})
# Source of Payment Typology categories, by the prefix of their codes (1 Medicare, 11…, 111…).
PAYMENT_CATEGORIES = (
    ("81", PayerType.SELF_PAY),  # No payment from an organization: self-pay
    ("95", PayerType.WORKERS_COMPENSATION),  # Worker's compensation
    ("96", PayerType.PERSONAL_INJURY),  # Auto insurance, no fault included
    ("1", PayerType.MEDICARE),
    ("2", PayerType.MEDICAID),
    ("5", PayerType.COMMERCIAL),  # Private health insurance
    ("6", PayerType.COMMERCIAL),  # Blue Cross/Blue Shield
)
SELF_PAY = ("http://terminology.hl7.org/CodeSystem/coverage-selfpay", "pay")
PAYER_TYPE_NAMES = {label.casefold(): value for value, label in PAYER_TYPE_CHOICES}
# Coverage.order: 1 is billed first.
PRIORITY = {1: "primary", 2: "secondary"}


def _payer_type(resource: dict, mapped: Mapped) -> None:
    concept = child(resource, "type", "resource")
    mapped.paths["payer_type"] = "resource.type"
    coded = codings(concept, "resource.type")
    for where, system, code, _ in coded:
        if system == PAYER_TYPE:  # our own, as the Coverage read writes it beside the typology
            mapped.fields["payer_type"], mapped.paths["payer_type"] = code, f"{where}.code"
            return
    for where, system, code, _ in coded:
        if (system, code) == SELF_PAY:
            mapped.fields["payer_type"] = PayerType.SELF_PAY
            return
        if system in SOURCE_OF_PAYMENT_SYSTEMS:
            found = next((t for prefix, t in PAYMENT_CATEGORIES if code.startswith(prefix)), None)
            if found is not None:
                mapped.fields["payer_type"] = found
                mapped.paths["payer_type"] = f"{where}.code"
                return
    named = PAYER_TYPE_NAMES.get(str(concept.get("text") or "").strip().casefold())
    if named is not None:
        mapped.fields["payer_type"] = named
        return
    raise not_mappable(
        "The payer's type (Medicare, Medicaid, commercial, personal injury, workers' "
        "compensation, self-pay) decides how visits are billed and is not said by "
        f"{described(concept, 'resource.type')}: give a Source of Payment Typology code "
        "(https://nahdo.org/sopt).",
        "resource.type",
    )


def _payer(resource: dict, lookup: Lookup, mapped: Mapped) -> None:
    payors = objects(resource, "payor", "resource")
    mapped.paths["payer_name"] = "resource.payor"
    if not payors:
        return
    index, payor = payors[0]
    where = f"resource.payor[{index}]"
    name = text(payor, "display", where)
    target = text(payor, "reference", where)
    if name is None and target is not None:
        organization = lookup(target, resource)
        if organization is not None and organization.get("resourceType") == "Organization":
            name = organization.get("name") if isinstance(organization.get("name"), str) else None
        elif target == text(child(resource, "beneficiary", "resource"), "reference", "resource"):
            name = PAYER_LABELS[PayerType.SELF_PAY]  # the patient pays: self-pay
    if name is not None:
        mapped.fields["payer_name"] = name
        mapped.paths["payer_name"] = where
    payer_id = child(payor, "identifier", where)
    if payer_id.get("system") == PAYER_ID and text(payer_id, "value", f"{where}.identifier"):
        mapped.fields["payer_id"] = payer_id["value"]
        mapped.paths["payer_id"] = f"{where}.identifier.value"


def _member(resource: dict, mapped: Mapped) -> None:
    for index, identifier in objects(resource, "identifier", "resource"):
        where = f"resource.identifier[{index}]"
        types = codings(child(identifier, "type", where), f"{where}.type")
        if any((system, code) == (IDENTIFIER_TYPE, "MB") for _, system, code, _ in types):
            value = text(identifier, "value", where)
            if value:
                mapped.fields["member_id"] = value
                mapped.paths["member_id"] = f"{where}.value"
                return
    subscriber_id = text(resource, "subscriberId", "resource")
    mapped.paths["member_id"] = "resource.subscriberId"
    if subscriber_id:
        mapped.fields["member_id"] = subscriber_id


def _group(resource: dict, mapped: Mapped) -> None:
    for index, found in objects(resource, "class", "resource"):
        where = f"resource.class[{index}]"
        types = codings(child(found, "type", where), f"{where}.type")
        if any((system, code) == (COVERAGE_CLASS, "group") for _, system, code, _ in types):
            value = text(found, "value", where)
            if value:
                mapped.fields["group_number"] = value
                mapped.paths["group_number"] = f"{where}.value"
            return


def _subscriber(resource: dict, mapped: Mapped) -> None:
    relationship = next(
        (
            code
            for _, system, code, _ in codings(
                child(resource, "relationship", "resource"), "resource.relationship"
            )
            if system == SUBSCRIBER_RELATIONSHIP
        ),
        None,
    )
    mapped.paths.update(
        subscriber_relationship="resource.relationship", subscriber_name="resource.subscriber"
    )
    if relationship is None:
        return
    kept = (
        relationship
        if relationship in SubscriberRelationship.values
        else SubscriberRelationship.OTHER
    )
    mapped.fields["subscriber_relationship"] = kept
    if kept != SubscriberRelationship.SELF:
        name = text(child(resource, "subscriber", "resource"), "display", "resource.subscriber")
        if name:
            mapped.fields["subscriber_name"] = name


def _order(resource: dict, mapped: Mapped) -> None:
    order = resource.get("order")
    mapped.paths["priority"] = "resource.order"
    if order is None:
        return
    if not isinstance(order, int) or isinstance(order, bool) or order not in PRIORITY:
        raise not_mappable(
            "Only a first (order 1) and a second (order 2) coverage are kept.", "resource.order"
        )
    mapped.fields["priority"] = PRIORITY[order]


def _period(resource: dict, mapped: Mapped) -> None:
    period = child(resource, "period", "resource")
    for field, element in (("starts_on", "start"), ("ends_on", "end")):
        mapped.paths[field] = f"resource.period.{element}"
        value = day(text(period, element, "resource.period"))
        if value is not None:
            mapped.fields[field] = value


def read_coverage(resource: dict, lookup: Lookup) -> Mapped:
    mapped = Mapped(fields={}, paths={"patient": "resource.beneficiary"})
    subject = reference(resource, "beneficiary", "resource")
    if subject is None:
        raise EntryRefused(
            400,
            ImportCode.INVALID_ENTRY,
            "A coverage names its patient (`beneficiary`).",
            "resource.beneficiary",
        )
    mapped.subject = subject
    if resource.get("status") == "entered-in-error":
        raise not_mappable("A coverage entered in error is not imported.", "resource.status")
    # A cancelled coverage was withdrawn (the Coverage read's archived one): written, then
    # archived, as the REST API's DELETE does.
    mapped.options["archive"] = resource.get("status") == "cancelled"
    _payer_type(resource, mapped)
    _payer(resource, lookup, mapped)
    _member(resource, mapped)
    _group(resource, mapped)
    _subscriber(resource, mapped)
    _order(resource, mapped)
    _period(resource, mapped)
    return mapped


def create_coverage(
    *, fields: dict[str, Any], patient, user, archive: bool = False, **options: Any
) -> Any:
    # `patient` was validated by the serializer (the beneficiary, in the caller's clinic).
    coverage = coverage_create(clinic=user.staff_clinic, **fields)
    if archive:
        coverage_archive(coverage=coverage)
    return coverage


COVERAGE_IMPORT = ImportKind(
    name="Coverage",
    serializer=CoverageSerializer,
    read=read_coverage,
    create=create_coverage,
    subject="beneficiary",
    patient_field="patient",
    writers=CoveragePermission.write_roles,
    elements=STRUCTURAL
    | {
        "identifier",
        "status",
        "type",
        "subscriber",
        "subscriberId",
        "beneficiary",
        "relationship",
        "period",
        "payor",
        "class",
        "order",
        "contained",
    },
)
