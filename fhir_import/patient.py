"""Patient → a patient of the clinic: name, birth date, sex at birth, gender identity,
telecom, address, emergency contact. The chart number is the clinic's own (handed out by
patients.services); the source's identifiers are kept as the import's keys only."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from api.permissions import RESOURCE_ROLES
from fhir_api.resources.patient import GENDER_IDENTITY_SYSTEM, US_CORE_EXTENSION
from fhir_api.systems import SNOMED
from fhir_import.kinds import STRUCTURAL, ImportKind, Lookup
from fhir_import.reading import (
    Mapped,
    Note,
    child,
    codings,
    objects,
    text,
    texts,
)
from patients.models import GenderIdentity, SexAtBirth
from patients.phone import normalize_phone
from patients.serializers import PatientSerializer
from patients.services import patient_create

BIRTH_SEX_URL = f"{US_CORE_EXTENSION}/us-core-birthsex"
GENDER_IDENTITY_URL = f"{US_CORE_EXTENSION}/us-core-genderIdentity"
EMERGENCY_CONTACT = ("http://terminology.hl7.org/CodeSystem/v2-0131", "C")
NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"

# US Core birth sex (F, M, UNK) is the sex at birth itself.
BIRTH_SEX = {"F": SexAtBirth.FEMALE, "M": SexAtBirth.MALE, "UNK": SexAtBirth.UNKNOWN}
# Administrative gender, where it says the sex at birth: `other` does not (it is not intersex).
GENDER = {"female": SexAtBirth.FEMALE, "male": SexAtBirth.MALE, "unknown": SexAtBirth.UNKNOWN}
# US Core 6.1.0 gender identity (ValueSet gender-identity: SNOMED CT and null flavors), and the
# codes this server writes (fhir_api.resources.patient).
GENDER_IDENTITY = {
    (SNOMED, "446141000124107"): GenderIdentity.WOMAN,  # identifies as female gender
    (SNOMED, "446151000124109"): GenderIdentity.MAN,  # identifies as male gender
    (SNOMED, "33791000087105"): GenderIdentity.NON_BINARY,  # identifies as nonbinary gender
    (SNOMED, "407376001"): GenderIdentity.TRANSGENDER_WOMAN,  # male-to-female transsexual
    (SNOMED, "407377005"): GenderIdentity.TRANSGENDER_MAN,  # female-to-male transsexual
    (SNOMED, "446131000124102"): GenderIdentity.OTHER,  # identifies as non-conforming gender
    (NULL_FLAVOR, "OTH"): GenderIdentity.OTHER,
    (NULL_FLAVOR, "ASKU"): GenderIdentity.NOT_DISCLOSED,
    **{(GENDER_IDENTITY_SYSTEM, code): GenderIdentity(code) for code in GenderIdentity.values},
}
# Names that are not the one a person goes by now.
PAST_NAMES = frozenset({"old", "maiden", "anonymous", "temp"})


def _name(resource: dict, mapped: Mapped) -> None:
    names = [
        (i, n) for i, n in objects(resource, "name", "resource") if n.get("use") not in PAST_NAMES
    ]
    official = next(((i, n) for i, n in names if n.get("use") == "official"), None)
    chosen = official or (names[0] if names else None)
    mapped.paths.update(given_name="resource.name", family_name="resource.name")
    if chosen is None:
        return
    index, name = chosen
    where = f"resource.name[{index}]"
    given = texts(name, "given", where)
    family = text(name, "family", where)
    if given:
        mapped.fields["given_name"] = " ".join(given)
    if family is not None:
        mapped.fields["family_name"] = family
    mapped.paths.update(given_name=f"{where}.given", family_name=f"{where}.family")
    if name.get("prefix") or name.get("suffix"):
        mapped.notes.append(Note("A name's prefix and suffix are not kept.", where))
    preferred = None
    for other_index, other in objects(resource, "name", "resource"):
        if other_index == index:
            continue
        if preferred is None and other.get("use") in {"usual", "nickname"}:
            preferred = other_index
            called = texts(other, "given", f"resource.name[{other_index}]")
            if called and called[0] != mapped.fields.get("given_name"):
                mapped.fields["preferred_name"] = called[0]
                mapped.paths["preferred_name"] = f"resource.name[{other_index}].given"
        else:
            mapped.notes.append(
                Note(
                    "Only the current name (and the one the patient goes by) is kept.",
                    f"resource.name[{other_index}]",
                )
            )


def _sex(resource: dict, mapped: Mapped, birth_sex: str | None) -> None:
    gender = text(resource, "gender", "resource")
    mapped.paths["sex_at_birth"] = "resource.gender"
    if birth_sex in BIRTH_SEX:
        mapped.fields["sex_at_birth"] = BIRTH_SEX[birth_sex]
    elif gender in GENDER:
        mapped.fields["sex_at_birth"] = GENDER[gender]
    elif gender == "other":
        mapped.fields["sex_at_birth"] = SexAtBirth.UNKNOWN
        mapped.notes.append(
            Note(
                "Gender `other` does not say the sex at birth: recorded as unknown.",
                "resource.gender",
            )
        )
    elif gender is not None:
        mapped.fields["sex_at_birth"] = gender  # refused by the serializer, naming the value


def _extensions(resource: dict, mapped: Mapped) -> str | None:
    """Birth sex (answered for `_sex`) and gender identity; the others are not kept."""
    birth_sex, others = None, []
    for index, extension in objects(resource, "extension", "resource"):
        where = f"resource.extension[{index}]"
        url = text(extension, "url", where) or ""
        if url == BIRTH_SEX_URL:
            birth_sex = text(extension, "valueCode", where)
        elif url == GENDER_IDENTITY_URL:
            concept = child(extension, "valueCodeableConcept", where)
            found = [
                GENDER_IDENTITY[(system, code)]
                for _, system, code, _ in codings(concept, f"{where}.valueCodeableConcept")
                if (system, code) in GENDER_IDENTITY
            ]
            if found:
                mapped.fields["gender_identity"] = found[0]
            else:
                mapped.notes.append(Note("This gender identity code is not one kept here.", where))
        else:
            others.append(url.rsplit("/", 1)[-1] or "(no url)")
    if others:
        mapped.notes.append(
            Note(f"Extensions not kept: {', '.join(others)}.", "resource.extension")
        )
    return birth_sex


def _phone(raw: str) -> str | None:
    try:
        return normalize_phone(raw)
    except ValidationError:
        return None


def _is_email(raw: str) -> bool:
    try:
        validate_email(raw)
    except ValidationError:
        return False
    return True


def _telecom(
    container: dict, path: str, mapped: Mapped, phone_field: str, email_field: str | None
) -> None:
    """The first usable phone and email; a number that cannot exist (test data's 555-01xx are
    fictional) or an extra one is reported, not kept, rather than refusing the patient."""
    for index, point in objects(container, "telecom", path):
        where = f"{path}.telecom[{index}]"
        system, value = text(point, "system", where), text(point, "value", where)
        if not value:
            continue
        if system in {"phone", "sms"}:
            normalized = _phone(value)
            if normalized is None:
                mapped.notes.append(
                    Note("Not a phone number that can exist: not kept.", f"{where}.value")
                )
            elif phone_field in mapped.fields:
                mapped.notes.append(Note("Only one phone number is kept.", f"{where}.value"))
            else:
                mapped.fields[phone_field] = normalized
                mapped.paths[phone_field] = f"{where}.value"
        elif system == "email" and email_field is not None:
            if not _is_email(value):
                mapped.notes.append(Note("Not an email address: not kept.", f"{where}.value"))
            elif email_field in mapped.fields:
                mapped.notes.append(Note("Only one email address is kept.", f"{where}.value"))
            else:
                mapped.fields[email_field] = value
                mapped.paths[email_field] = f"{where}.value"
        else:
            mapped.notes.append(Note(f"A `{system}` contact point is not kept.", where))


def _address(resource: dict, mapped: Mapped) -> None:
    addresses = objects(resource, "address", "resource")
    if not addresses:
        return
    index, address = next(((i, a) for i, a in addresses if a.get("use") == "home"), addresses[0])
    where = f"resource.address[{index}]"
    lines = texts(address, "line", where)
    found: dict[str, Any] = {}
    if lines:
        found["line1"] = lines[0]
        mapped.paths["address.line1"] = f"{where}.line"
    if len(lines) > 1:
        found["line2"] = ", ".join(lines[1:])
        mapped.paths["address.line2"] = f"{where}.line"
    for element, name in (("city", "city"), ("state", "region"), ("postalCode", "postal_code")):
        value = text(address, element, where)
        if value:
            found[name] = value
            mapped.paths[f"address.{name}"] = f"{where}.{element}"
    country = text(address, "country", where)
    if country and len(country) == 2 and country.isalpha():
        found["country"] = country
        mapped.paths["address.country"] = f"{where}.country"
    elif country:
        mapped.notes.append(
            Note(
                "The country is kept as an ISO 3166 two-letter code only: not kept.",
                f"{where}.country",
            )
        )
    if found:
        mapped.fields["address"] = found
    if len(addresses) > 1:
        mapped.notes.append(Note("Only one address is kept.", "resource.address"))


def _emergency_contact(resource: dict, mapped: Mapped) -> None:
    contacts = objects(resource, "contact", "resource")
    kept = False
    for index, contact in contacts:
        where = f"resource.contact[{index}]"
        relationships = objects(contact, "relationship", where)
        is_emergency = any(
            (system, code) == EMERGENCY_CONTACT
            for i, concept in relationships
            for _, system, code, _ in codings(concept, f"{where}.relationship[{i}]")
        )
        if kept or not is_emergency:
            mapped.notes.append(Note("Only the emergency contact is kept.", where))
            continue
        kept = True
        name = child(contact, "name", where)
        full = (
            text(name, "text", f"{where}.name")
            or " ".join(
                [
                    *texts(name, "given", f"{where}.name"),
                    text(name, "family", f"{where}.name") or "",
                ]
            ).strip()
        )
        found: dict[str, Any] = {"name": full}
        mapped.paths["emergency_contact.name"] = f"{where}.name"
        said = [c.get("text") for _, c in relationships if isinstance(c.get("text"), str)]
        if said and said[0] != "Emergency contact":
            found["relationship"] = said[0]
            mapped.paths["emergency_contact.relationship"] = f"{where}.relationship"
        phones = Mapped(fields={}, paths={})
        _telecom(contact, where, phones, "phone", None)
        found.update(phones.fields)
        mapped.paths.update({f"emergency_contact.{k}": v for k, v in phones.paths.items()})
        mapped.notes.extend(phones.notes)
        mapped.fields["emergency_contact"] = found


def read_patient(resource: dict, lookup: Lookup) -> Mapped:
    mapped = Mapped(fields={}, paths={"date_of_birth": "resource.birthDate"})
    _name(resource, mapped)
    birth_date = text(resource, "birthDate", "resource")
    if birth_date is not None:
        mapped.fields["date_of_birth"] = birth_date
    birth_sex = _extensions(resource, mapped)
    _sex(resource, mapped, birth_sex)
    _telecom(resource, "resource", mapped, "phone", "email")
    _address(resource, mapped)
    _emergency_contact(resource, mapped)
    if resource.get("active") is False:
        mapped.notes.append(
            Note(
                "Imported as a record in use; archive it (DELETE /api/v1/patients/{id}/) if it "
                "is not.",
                "resource.active",
            )
        )
    return mapped


def create_patient(*, fields: dict[str, Any], patient: object, user, **options: Any) -> Any:
    return patient_create(clinic=user.staff_clinic, **fields)


PATIENT_IMPORT = ImportKind(
    name="Patient",
    rank=0,
    serializer=PatientSerializer,
    read=read_patient,
    create=create_patient,
    writers=RESOURCE_ROLES["patients"][1],
    elements=STRUCTURAL
    | {
        "identifier",
        "active",
        "name",
        "birthDate",
        "gender",
        "telecom",
        "address",
        "contact",
        "extension",
    },
)
