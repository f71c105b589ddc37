"""FHIR Practitioner and PractitionerRole: the clinic's staff who treat, over HTTP."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.roles import Role
from audit.models import AuditEvent
from fhir_api.resources.practitioner import PRACTITIONER
from fhir_api.resources.practitioner_role import PRACTITIONER_ROLE
from tests.factories import UserFactory
from tests.fhir_api.conformance import assert_conforms

pytestmark = pytest.mark.django_db

NPI = "1234567893"
STAFF = "http://chiro-practice-api.org/fhir/sid/staff"


@pytest.fixture
def doctor(clinic):
    return UserFactory(
        clinic=clinic,
        role=Role.CHIROPRACTOR,
        username="dr.still",
        first_name="Andrew",
        last_name="Still",
        email="a.still@example.com",
        npi=NPI,
    )


def ids(bundle: dict) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def test_every_role_reads_a_chiropractor_as_a_us_core_practitioner(
    chiropractor_client, front_desk_client, clinic_admin_client, doctor
):
    for client in (chiropractor_client, front_desk_client, clinic_admin_client):
        response = client.get(f"/fhir/R4/Practitioner/{doctor.id}")

        assert response.status_code == 200
        practitioner = response.json()
        assert_conforms(practitioner, PRACTITIONER)
    assert practitioner["identifier"] == [
        {"use": "official", "system": "http://hl7.org/fhir/sid/us-npi", "value": NPI},
        {"use": "secondary", "system": STAFF, "value": str(doctor.id)},
    ]
    assert practitioner["name"] == [{"use": "official", "family": "Still", "given": ["Andrew"]}]
    assert practitioner["telecom"] == [
        {"system": "email", "value": "a.still@example.com", "use": "work"}
    ]
    assert practitioner["active"] is True


def test_a_chiropractor_without_npi_or_names_is_still_a_valid_practitioner(
    chiropractor_client, clinic
):
    unnamed = UserFactory(clinic=clinic, role=Role.CHIROPRACTOR, first_name="", last_name="")

    practitioner = chiropractor_client.get(f"/fhir/R4/Practitioner/{unnamed.id}").json()

    assert practitioner["identifier"] == [
        {"use": "secondary", "system": STAFF, "value": str(unnamed.id)}
    ]
    # The login name is no person's name: the family name is said to be unknown.
    assert practitioner["name"] == [
        {
            "use": "official",
            "_family": {
                "extension": [
                    {
                        "url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
                        "valueCode": "unknown",
                    }
                ]
            },
        }
    ]
    assert_conforms(practitioner, PRACTITIONER, fully_recorded=False)


def test_staff_who_do_not_treat_are_not_practitioners(
    chiropractor_client, front_desk, clinic_admin, chiropractor
):
    for user in (front_desk, clinic_admin):
        assert chiropractor_client.get(f"/fhir/R4/Practitioner/{user.id}").status_code == 404
        assert chiropractor_client.get(f"/fhir/R4/PractitionerRole/{user.id}").status_code == 404

    assert ids(chiropractor_client.get("/fhir/R4/Practitioner").json()) == [str(chiropractor.id)]


def test_a_deactivated_chiropractor_and_an_admin_with_an_npi_stay_practitioners(
    chiropractor_client, clinic
):
    retired = UserFactory(clinic=clinic, role=Role.CHIROPRACTOR, is_active=False)
    owner = UserFactory(clinic=clinic, role=Role.CLINIC_ADMIN, npi=NPI)

    for user in (retired, owner):
        practitioner = chiropractor_client.get(f"/fhir/R4/Practitioner/{user.id}").json()
        role = chiropractor_client.get(f"/fhir/R4/PractitionerRole/{user.id}").json()

        assert practitioner["active"] is user.is_active
        # Neither treats here now.
        assert role["active"] is False
        assert_conforms(practitioner, PRACTITIONER, fully_recorded=bool(user.npi))
        assert_conforms(role, PRACTITIONER_ROLE)


def test_another_clinics_practitioner_is_not_found(other_admin_client, doctor):
    for kind in ("Practitioner", "PractitionerRole"):
        assert other_admin_client.get(f"/fhir/R4/{kind}/{doctor.id}").status_code == 404


def test_practitioner_search_by_identifier_name_and_id(chiropractor_client, chiropractor, doctor):
    for query in (
        {"identifier": NPI},
        {"identifier": f"http://hl7.org/fhir/sid/us-npi|{NPI}"},
        {"identifier": f"{STAFF}|{doctor.id}"},
        {"identifier": str(doctor.id)},
        {"name": "sti"},
        {"name": "ANDREW"},
        {"name:exact": "Still"},
        {"_id": str(doctor.id)},
    ):
        bundle = chiropractor_client.get("/fhir/R4/Practitioner", query).json()

        assert ids(bundle) == [str(doctor.id)], query
        assert_conforms(bundle["entry"][0]["resource"], PRACTITIONER)
    for query in (
        {"identifier": f"{STAFF}|{NPI}"},
        {"identifier": f"http://hl7.org/fhir/sid/us-npi|{doctor.id}"},
        {"name": "ill"},
        {"_id": "not-an-id"},
    ):
        assert ids(chiropractor_client.get("/fhir/R4/Practitioner", query).json()) == [], query


def test_every_role_reads_a_practitioner_role_at_the_clinic(front_desk_client, clinic, doctor):
    clinic.phone = "+15125550100"
    clinic.save()

    response = front_desk_client.get(f"/fhir/R4/PractitionerRole/{doctor.id}")

    assert response.status_code == 200
    role = response.json()
    assert_conforms(role, PRACTITIONER_ROLE)
    assert role["active"] is True
    assert role["practitioner"] == {
        "reference": f"Practitioner/{doctor.id}",
        "display": "Andrew Still",
    }
    assert role["organization"]["reference"] == f"Organization/{clinic.id}"
    assert role["location"] == [
        {"reference": f"Location/{clinic.id}", "display": "Back in Line Chiropractic"}
    ]
    chiropractor_code = {
        "coding": [
            {
                "system": "http://nucc.org/provider-taxonomy",
                "code": "111N00000X",
                "display": "Chiropractor",
            }
        ]
    }
    assert role["code"] == [chiropractor_code] and role["specialty"] == [chiropractor_code]
    assert role["telecom"] == [
        {"system": "email", "value": "a.still@example.com", "use": "work"},
        {"system": "phone", "value": "+15125550100", "use": "work"},
    ]


def test_practitioner_role_search_by_practitioner_specialty_and_id(
    chiropractor_client, chiropractor, doctor
):
    for query in (
        {"practitioner": f"Practitioner/{doctor.id}"},
        {"practitioner": str(doctor.id)},
        {"_id": str(doctor.id)},
        {"specialty": "http://nucc.org/provider-taxonomy|111N00000X", "_id": str(doctor.id)},
    ):
        bundle = chiropractor_client.get("/fhir/R4/PractitionerRole", query).json()

        assert ids(bundle) == [str(doctor.id)], query
        assert_conforms(bundle["entry"][0]["resource"], PRACTITIONER_ROLE)
    every = chiropractor_client.get("/fhir/R4/PractitionerRole", {"specialty": "111N00000X"})
    assert sorted(ids(every.json())) == sorted([str(chiropractor.id), str(doctor.id)])
    for query in (
        {"specialty": "http://nucc.org/provider-taxonomy|207Q00000X"},
        {"practitioner": f"Patient/{doctor.id}"},
    ):
        assert ids(chiropractor_client.get("/fhir/R4/PractitionerRole", query).json()) == []


@pytest.mark.parametrize("kind", ["Practitioner", "PractitionerRole"])
def test_a_page_costs_the_same_statements_whatever_its_size(chiropractor_client, clinic, kind):
    with CaptureQueriesContext(connection) as one:
        assert chiropractor_client.get(f"/fhir/R4/{kind}").status_code == 200
    for _ in range(10):
        UserFactory(clinic=clinic, role=Role.CHIROPRACTOR)
    with CaptureQueriesContext(connection) as many:
        bundle = chiropractor_client.get(f"/fhir/R4/{kind}").json()

    assert len(bundle["entry"]) == 11
    assert len(many) == len(one)


def test_pages_follow_next_links_without_repeats(chiropractor_client, clinic, chiropractor):
    made = {str(UserFactory(clinic=clinic, role=Role.CHIROPRACTOR).id) for _ in range(4)}
    seen: list[str] = []
    url = "/fhir/R4/Practitioner?_count=2"
    while url:
        bundle = chiropractor_client.get(url).json()
        seen += ids(bundle)
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)

    assert sorted(seen) == sorted(made | {str(chiropractor.id)})


def test_each_read_and_search_leaves_one_audit_event(front_desk_client, front_desk, doctor):
    before = AuditEvent.objects.count()
    front_desk_client.get(f"/fhir/R4/Practitioner/{doctor.id}")
    front_desk_client.get("/fhir/R4/PractitionerRole", {"practitioner": str(doctor.id)})

    read, search = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.object_ids) == ("read", "staff", [str(doctor.id)])
    assert (search.action, search.resource_type, search.object_ids) == (
        "search",
        "staff",
        [str(doctor.id)],
    )
    assert read.patient_ids == [] and read.user_id == front_desk.id
