"""Posting Bundles to the FHIR import and reading its answers, for the import's tests."""

import json

FHIR_JSON = "application/fhir+json"


def post(client, bundle: dict, path: str = "/fhir/R4/", content_type: str = FHIR_JSON):
    return client.post(path, json.dumps(bundle), content_type=content_type)


def statuses(response) -> list[str]:
    return [entry["response"]["status"] for entry in response.json()["entry"]]


def issues(entry: dict) -> list[tuple[str, str | None, list[str] | None]]:
    """(severity, error code, expression) of an entry's outcome."""
    return [
        (
            found["severity"],
            next(iter(found["details"].get("coding", [])), {}).get("code"),
            found.get("expression"),
        )
        for found in entry["response"].get("outcome", {}).get("issue", [])
    ]


def record_id(entry: dict) -> str:
    return entry["response"]["location"].split("/")[1]
