"""A patient's record exported from one clinic as a transaction Bundle for another, and the
resources compared by their clinical content (what stays when ids, versions and the clinic's
own references are set aside)."""

from rest_framework.test import APIClient

FHIR_JSON = "application/fhir+json"
# What says which record a resource is, or which clinic and staff wrote it: not clinical.
NOT_CLINICAL = {"id", "meta", "identifier"}
# When a record was written here (not when the care happened): an import writes it anew.
WRITTEN_AT = {"created", "authoredOn", "recordedDate", "issued"}
STAFF_REFERENCES = {"Practitioner", "PractitionerRole", "Organization", "Location"}


def everything(client: APIClient, patient_id: str) -> list[dict]:
    """The patient's $everything entries (fullUrl and resource)."""
    response = client.get(f"/fhir/R4/Patient/{patient_id}/$everything", {"_count": 1000})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert "next" not in {link["relation"] for link in body.get("link", [])}
    return body.get("entry", [])


def transaction_of(entries: list[dict], types: set[str]) -> dict:
    """The entries of `types` as a transaction Bundle that creates them."""
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": entry["fullUrl"],
                "resource": entry["resource"],
                "request": {"method": "POST", "url": entry["resource"]["resourceType"]},
            }
            for entry in entries
            if entry["resource"]["resourceType"] in types
        ],
    }


def post_bundle(client: APIClient, bundle: dict) -> dict:
    response = client.post("/fhir/R4/", bundle, format="json", HTTP_ACCEPT=FHIR_JSON)
    assert response.status_code == 200, response.json()
    return response.json()


def clinical(value: object, names: dict[str, str]) -> object:
    """The value without what names records and staff; references to the patient's records
    become the name given to each (`names`: `Type/<id>` → a stable name)."""
    if isinstance(value, list):
        return [clinical(item, names) for item in value]
    if not isinstance(value, dict):
        return value
    found = {}
    for key, item in value.items():
        if key in NOT_CLINICAL or key in WRITTEN_AT or key == "text":
            continue
        if key == "reference" and isinstance(item, str):
            kind = item.split("/", 1)[0]
            found[key] = "staff" if kind in STAFF_REFERENCES else names.get(item, item)
            continue
        found[key] = clinical(item, names)
    return found


def by_type(entries: list[dict], types: set[str]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for entry in entries:
        resource = entry["resource"]
        if resource["resourceType"] in types:
            found.setdefault(resource["resourceType"], []).append(resource)
    return found


def names_of(bundle: dict, answer: dict) -> tuple[dict[str, str], dict[str, str]]:
    """Each posted entry's name (`entry<i>`) by its reference in the source clinic and by the
    record it became in the target clinic (the answer's `location`)."""
    source, target = {}, {}
    for index, (posted, answered) in enumerate(zip(bundle["entry"], answer["entry"], strict=True)):
        resource = posted["resource"]
        source[f"{resource['resourceType']}/{resource['id']}"] = f"entry{index}"
        location = answered["response"]["location"].split("/_history/", 1)[0]
        target[location] = f"entry{index}"
    return source, target
