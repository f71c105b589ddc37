"""Treatment plans written through the REST API, as the FHIR plan tests read them back."""

from rest_framework.test import APIClient

PLANS = "/api/v1/treatment-plans/"


def write_plan(client: APIClient, payload: dict) -> dict:
    response = client.post(PLANS, payload)
    assert response.status_code == 201, response.json()
    return response.json()


def move_plan(client: APIClient, plan: dict, *actions: str) -> None:
    for action in actions:
        response = client.post(f"{PLANS}{plan['id']}/{action}/")
        assert response.status_code == 200, response.json()


def entries(bundle: dict) -> list[dict]:
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset", bundle
    return [entry["resource"] for entry in bundle.get("entry", [])]


def ids(bundle: dict) -> list[str]:
    return [resource["id"] for resource in entries(bundle)]
