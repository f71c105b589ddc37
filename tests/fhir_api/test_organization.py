"""FHIR Organization and Location: the caller's clinic, and its premises, over HTTP."""

import pytest

from audit.models import AuditEvent
from fhir_api.resources.location import LOCATION
from fhir_api.resources.organization import ORGANIZATION
from tests.fhir_api.conformance import assert_conforms, assert_valid_fhir

pytestmark = pytest.mark.django_db

GROUP_NPI = "1245319599"


@pytest.fixture
def recorded_clinic(clinic):
    clinic.npi = GROUP_NPI
    clinic.tax_id = "12-3456789"
    clinic.phone = "+15125550100"
    clinic.address = "12 Spine Street, Austin, TX 78701"
    clinic.save()
    return clinic


def ids(bundle: dict) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def test_every_role_reads_its_clinic_as_a_us_core_organization(
    chiropractor_client, front_desk_client, clinic_admin_client, recorded_clinic
):
    for client in (chiropractor_client, front_desk_client, clinic_admin_client):
        response = client.get(f"/fhir/R4/Organization/{recorded_clinic.id}")

        assert response.status_code == 200
        organization = response.json()
        assert_conforms(organization, ORGANIZATION)
    assert organization["name"] == "Back in Line Chiropractic"
    assert organization["active"] is True
    assert organization["identifier"][0]["system"] == "http://hl7.org/fhir/sid/us-npi"
    assert organization["identifier"][0]["value"] == GROUP_NPI
    assert organization["identifier"][1]["system"] == "urn:oid:2.16.840.1.113883.4.4"
    assert organization["identifier"][1]["value"] == "12-3456789"
    assert organization["telecom"] == [{"system": "phone", "value": "+15125550100", "use": "work"}]
    assert organization["address"] == [
        {"use": "work", "type": "physical", "text": "12 Spine Street, Austin, TX 78701"}
    ]


def test_a_clinic_without_identifiers_or_address_is_still_valid(chiropractor_client, clinic):
    organization = chiropractor_client.get(f"/fhir/R4/Organization/{clinic.id}").json()

    assert "identifier" not in organization and "address" not in organization
    assert_conforms(organization, ORGANIZATION, fully_recorded=False)


def test_another_clinic_is_not_found(other_admin_client, clinic):
    for kind in ("Organization", "Location"):
        response = other_admin_client.get(f"/fhir/R4/{kind}/{clinic.id}")

        assert response.status_code == 404
        assert response.json()["issue"][0]["code"] == "not-found"


def test_a_search_finds_the_callers_clinic_only(
    chiropractor_client, other_admin_client, recorded_clinic
):
    searches = [
        {},
        {"name": "back in"},
        {"name:exact": "Back in Line Chiropractic"},
        {"address": "austin"},
        {"identifier": GROUP_NPI},
        {"identifier": f"http://hl7.org/fhir/sid/us-npi|{GROUP_NPI}"},
        {"identifier": "urn:oid:2.16.840.1.113883.4.4|12-3456789"},
        {"_id": str(recorded_clinic.id)},
    ]
    for query in searches:
        bundle = chiropractor_client.get("/fhir/R4/Organization", query).json()

        assert ids(bundle) == [str(recorded_clinic.id)], query
        for entry in bundle["entry"]:
            assert_conforms(entry["resource"], ORGANIZATION)
    # The NPI under the tax id's system, a name it does not start with, another clinic's view.
    assert (
        ids(
            chiropractor_client.get(
                "/fhir/R4/Organization",
                {"identifier": f"urn:oid:2.16.840.1.113883.4.4|{GROUP_NPI}"},
            ).json()
        )
        == []
    )
    assert ids(chiropractor_client.get("/fhir/R4/Organization", {"name": "line"}).json()) == []
    other = other_admin_client.get("/fhir/R4/Organization", {"name": "back in"}).json()
    assert ids(other) == []
    assert_valid_fhir(other)


def test_every_role_reads_the_clinics_premises_as_a_us_core_location(
    chiropractor_client, front_desk_client, clinic_admin_client, recorded_clinic
):
    for client in (chiropractor_client, front_desk_client, clinic_admin_client):
        response = client.get(f"/fhir/R4/Location/{recorded_clinic.id}")

        assert response.status_code == 200
        location = response.json()
        assert_conforms(location, LOCATION)
    assert location["status"] == "active" and location["name"] == "Back in Line Chiropractic"
    assert location["address"] == {
        "use": "work",
        "type": "physical",
        "text": "12 Spine Street, Austin, TX 78701",
    }
    assert location["managingOrganization"] == {
        "reference": f"Organization/{recorded_clinic.id}",
        "display": "Back in Line Chiropractic",
    }


def test_location_search_by_name_address_and_organization(chiropractor_client, recorded_clinic):
    for query in (
        {"name": "BACK"},
        {"address": "spine street"},
        {"organization": f"Organization/{recorded_clinic.id}"},
        {"_id": str(recorded_clinic.id)},
    ):
        bundle = chiropractor_client.get("/fhir/R4/Location", query).json()

        assert ids(bundle) == [str(recorded_clinic.id)], query
        assert_conforms(bundle["entry"][0]["resource"], LOCATION)
    assert ids(chiropractor_client.get("/fhir/R4/Location", {"address": "Boston"}).json()) == []


def test_each_read_and_search_leaves_one_audit_event(chiropractor_client, chiropractor, clinic):
    before = AuditEvent.objects.count()
    chiropractor_client.get(f"/fhir/R4/Organization/{clinic.id}")
    chiropractor_client.get("/fhir/R4/Location", {"name": "back"})

    read, search = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.object_ids) == (
        "read",
        "clinic",
        [str(clinic.id)],
    )
    assert (search.action, search.resource_type, search.object_ids) == (
        "search",
        "clinic",
        [str(clinic.id)],
    )
    assert read.patient_ids == [] and read.user_id == chiropractor.id
