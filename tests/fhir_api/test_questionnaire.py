"""FHIR Questionnaire: the ODI and NDI, served from code to every role, without audit events."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from fhir_api.resources.questionnaire import QUESTIONNAIRE_KIND
from fhir_api.resources.questionnaire_response import QUESTIONNAIRE_RESPONSE
from tests.fhir_api.conformance import assert_conforms, assert_valid_fhir
from tests.fhir_api.scores import ODI_ANSWERS, record

pytestmark = pytest.mark.django_db

NDI_URL = "http://chiro-practice-api.org/fhir/Questionnaire/ndi"
ODI_URL = "http://chiro-practice-api.org/fhir/Questionnaire/odi"


def urls(bundle: dict) -> list[str]:
    for entry in bundle.get("entry", []):
        assert_conforms(entry["resource"], QUESTIONNAIRE_KIND)
    return sorted(entry["resource"]["url"] for entry in bundle.get("entry", []))


@pytest.mark.parametrize("role_client", ["front_desk_client", "chiropractor_client"])
def test_every_role_reads_the_ndi(request, role_client):
    response = request.getfixturevalue(role_client).get("/fhir/R4/Questionnaire/ndi")

    assert response.status_code == 200
    body = response.json()
    assert_conforms(body, QUESTIONNAIRE_KIND)
    assert (body["id"], body["url"], body["version"], body["status"]) == (
        "ndi",
        NDI_URL,
        "1",
        "active",
    )
    assert body["code"] == [
        {"system": "http://loinc.org", "code": "82226-2", "display": "Neck Disability Index [NDI]"}
    ]
    assert [item["linkId"] for item in body["item"]] == [str(n) for n in range(1, 11)]
    assert body["item"][4]["text"] == "Headaches"
    assert body["item"][0]["type"] == "integer"
    assert [e["valueInteger"] for e in body["item"][0]["extension"]] == [0, 5]


def test_the_odi_has_its_ten_sections(clinic_admin_client):
    body = clinic_admin_client.get("/fhir/R4/Questionnaire/odi").json()

    assert_conforms(body, QUESTIONNAIRE_KIND)
    assert body["code"][0]["code"] == "97908-8"
    assert [item["text"] for item in body["item"]][-3:] == ["Sex life", "Social life", "Travelling"]


def test_an_unknown_questionnaire_is_not_found(chiropractor_client):
    response = chiropractor_client.get("/fhir/R4/Questionnaire/nrs")

    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-found"


def test_without_a_token_the_answer_is_401(anonymous_client):
    response = anonymous_client.get("/fhir/R4/Questionnaire/ndi")

    assert response.status_code == 401


def test_search_by_url_name_title_and_id(front_desk_client):
    def search(query) -> list[str]:
        return urls(front_desk_client.get("/fhir/R4/Questionnaire", query).json())

    assert search({}) == [NDI_URL, ODI_URL]
    assert search({"url": NDI_URL}) == [NDI_URL]
    assert search({"url": f"{ODI_URL}|1"}) == [ODI_URL]
    assert search({"url": f"{ODI_URL}|2"}) == []
    assert search({"name": "neck"}) == [NDI_URL]
    assert search({"name:exact": "neckdisabilityindex"}) == []
    assert search({"name:exact": "OswestryDisabilityIndex"}) == [ODI_URL]
    assert search({"title:contains": "disability"}) == [NDI_URL, ODI_URL]
    assert search({"_id": "odi,nrs"}) == [ODI_URL]
    assert search([("_id", "odi,ndi"), ("name", "osw")]) == [ODI_URL]


def test_pages_follow_next_links(chiropractor_client):
    seen: list[str] = []
    url = "/fhir/R4/Questionnaire?_count=1"
    while url:
        bundle = chiropractor_client.get(url).json()
        seen += [e["resource"]["id"] for e in bundle["entry"]]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)

    assert sorted(seen) == ["ndi", "odi"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"status": "active"}, "unknown_parameter"),
        ({"url:below": NDI_URL}, "unsupported_modifier"),
        ({"_cursor": "x"}, "invalid_search_value"),
        ({"_count": "0"}, "invalid_page_size"),
    ],
)
def test_bad_searches_are_refused(chiropractor_client, query, code):
    response = chiropractor_client.get("/fhir/R4/Questionnaire", query)

    assert response.status_code == 400
    assert response.json()["issue"][0]["details"]["coding"][0]["code"] == code


def test_reading_and_searching_touch_no_table_and_leave_no_audit_event(chiropractor_client):
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as statements:
        assert chiropractor_client.get("/fhir/R4/Questionnaire/ndi").status_code == 200
        assert chiropractor_client.get("/fhir/R4/Questionnaire", {"name": "n"}).status_code == 200

    assert AuditEvent.objects.count() == before
    assert not [q for q in statements if "audit" in q["sql"] or "outcome" in q["sql"]]


def test_each_response_names_a_served_questionnaire_and_its_items(chiropractor_client, patient):
    odi = record(chiropractor_client, patient.id, instrument="odi", answers=ODI_ANSWERS)
    response = chiropractor_client.get(f"/fhir/R4/QuestionnaireResponse/{odi}").json()
    assert_conforms(response, QUESTIONNAIRE_RESPONSE)
    url, _, version = response["questionnaire"].partition("|")

    bundle = chiropractor_client.get("/fhir/R4/Questionnaire", {"url": f"{url}|{version}"}).json()

    assert urls(bundle) == [ODI_URL]
    questionnaire = bundle["entry"][0]["resource"]
    texts = {item["linkId"]: item["text"] for item in questionnaire["item"]}
    assert all(texts[item["linkId"]] == item["text"] for item in response["item"])


def test_the_capability_statement_lists_the_clinical_types_and_local_systems(anonymous_client):
    statement = anonymous_client.get("/fhir/R4/metadata").json()

    served = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert {"Condition", "Observation", "QuestionnaireResponse", "Questionnaire"} <= set(served)
    assert {p["name"] for p in served["Condition"]["searchParam"]} >= {
        "patient",
        "category",
        "clinical-status",
        "code",
        "onset-date",
        "_lastUpdated",
        "_id",
    }
    assert {p["name"] for p in served["Observation"]["searchParam"]} >= {
        "patient",
        "category",
        "code",
        "date",
        "_id",
    }
    assert {p["name"] for p in served["Questionnaire"]["searchParam"]} >= {"url", "name"}
    assert "profile" not in served["Questionnaire"]
    documentation = statement["rest"][0]["documentation"]
    assert "CodeSystem/outcome-score" in documentation
    assert "StructureDefinition/laterality" in documentation
    assert_valid_fhir(statement)


def test_a_questionnaire_search_includes_nothing(chiropractor_client):
    response = chiropractor_client.get(
        "/fhir/R4/Questionnaire", {"_revinclude": "QuestionnaireResponse:questionnaire"}
    )

    assert response.status_code == 400
    issue = response.json()["issue"][0]
    assert issue["details"]["coding"][0]["code"] == "unsupported_include"
    assert issue["expression"] == ["_revinclude"]
