import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from api.roles import Role
from clinics.models import User
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, UserFactory

STAFF = "/api/v1/staff/"


def detail(user) -> str:
    return f"{STAFF}{user.id}/"


def test_clinic_admin_lists_only_their_own_clinics_staff(
    clinic_admin_client, clinic_admin, chiropractor, front_desk, other_admin
):
    response = clinic_admin_client.get(STAFF)

    assert response.status_code == 200
    usernames = [row["username"] for row in response.json()["results"]]
    assert usernames == ["admin.alex", "desk.jane", "dr.palmer"]


def test_staff_list_filters_by_role_and_orders_by_family_name(clinic_admin_client, clinic):
    UserFactory(clinic=clinic, role=Role.CHIROPRACTOR, last_name="Zeller")
    UserFactory(clinic=clinic, role=Role.CHIROPRACTOR, last_name="Adams")
    UserFactory(clinic=clinic, role=Role.FRONT_DESK, last_name="Baker")

    response = clinic_admin_client.get(STAFF, {"role": "chiropractor", "ordering": "last_name"})

    assert [row["last_name"] for row in response.json()["results"]] == ["Adams", "Zeller"]


def test_clinic_admin_creates_staff_who_can_then_log_in(
    clinic_admin_client, clinic, anonymous_client
):
    response = clinic_admin_client.post(
        STAFF,
        {
            "username": "dr.new",
            "password": "a-fresh-password-77",
            "first_name": "Nora",
            "last_name": "New",
            "email": "nora@example.com",
            "role": "chiropractor",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["username"] == f"dr.new@{clinic.slug}"
    assert body["role"] == "chiropractor"
    assert body["is_active"] is True
    assert body["mfa_enabled"] is False
    assert "password" not in body
    created = User.objects.get(username=f"dr.new@{clinic.slug}")
    assert created.clinic == clinic
    login = anonymous_client.post(
        "/api/v1/auth/login",
        {"username": f"dr.new@{clinic.slug}", "password": "a-fresh-password-77"},
    )
    assert login.status_code == 200
    assert login.json()["user"]["clinic"]["slug"] == clinic.slug


def test_names_are_unique_within_a_clinic_and_reveal_nothing_of_other_clinics(
    clinic_admin_client, clinic, other_admin_client, other_clinic
):
    new = {"username": "dr.same", "password": "a-fresh-password-77", "role": "chiropractor"}
    elsewhere = other_admin_client.post(STAFF, new)
    assert elsewhere.status_code == 201

    here = clinic_admin_client.post(STAFF, new)
    assert here.status_code == 201
    assert here.json()["username"] == f"dr.same@{clinic.slug}"
    assert elsewhere.json()["username"] == f"dr.same@{other_clinic.slug}"

    again = clinic_admin_client.post(STAFF, new)
    assert again.status_code == 400
    assert again.json()["errors"][0]["attr"] == "username"
    assert again.json()["errors"][0]["code"] == "unique"


@pytest.mark.parametrize(
    ("payload", "attr", "code"),
    [
        ({"password": "short"}, "password", "password_too_short"),
        ({"password": "password123456"}, "password", "password_too_common"),
        ({"role": "surgeon"}, "role", "invalid_choice"),
        ({"username": "dr new"}, "username", "invalid"),
        ({"username": "dr.x@other-clinic"}, "username", "invalid"),
        ({"email": "not-an-email"}, "email", "invalid"),
        ({"is_superuser": True}, "is_superuser", "unknown_field"),
    ],
)
def test_staff_creation_rejects_bad_input_per_field(
    clinic_admin_client, clinic_admin, payload, attr, code
):
    valid = {"username": "dr.new", "password": "a-fresh-password-77", "role": "chiropractor"}

    response = clinic_admin_client.post(STAFF, {**valid, **payload})

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert (attr, code) in {(e["attr"], e["code"]) for e in response.json()["errors"]}
    assert not User.objects.filter(username__startswith="dr.").exists()


def test_clinic_admin_changes_a_role(clinic_admin_client, front_desk):
    response = clinic_admin_client.patch(detail(front_desk), {"role": "chiropractor"})

    assert response.status_code == 200
    assert response.json()["role"] == "chiropractor"
    front_desk.refresh_from_db()
    assert front_desk.role == Role.CHIROPRACTOR


def test_username_cannot_be_changed(clinic_admin_client, front_desk):
    clinic_admin_client.patch(detail(front_desk), {"username": "renamed"})

    front_desk.refresh_from_db()
    assert front_desk.username == "desk.jane"


def test_the_last_clinic_admin_cannot_be_demoted(clinic_admin_client, clinic_admin):
    response = clinic_admin_client.patch(detail(clinic_admin), {"role": "front_desk"})

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "last_clinic_admin"
    clinic_admin.refresh_from_db()
    assert clinic_admin.role == Role.CLINIC_ADMIN


def test_deactivating_staff_stops_them_and_revokes_their_tokens(clinic_admin_client, chiropractor):
    chiropractor_client = client_for(chiropractor)

    response = clinic_admin_client.post(f"{detail(chiropractor)}deactivate/")

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert not AuthToken.objects.filter(user=chiropractor).exists()
    assert chiropractor_client.get("/api/v1/auth/me").status_code == 401


def test_deactivated_staff_can_be_reactivated(clinic_admin_client, chiropractor, anonymous_client):
    clinic_admin_client.post(f"{detail(chiropractor)}deactivate/")

    response = clinic_admin_client.post(f"{detail(chiropractor)}reactivate/")

    assert response.status_code == 200
    assert response.json()["is_active"] is True
    login = anonymous_client.post(
        "/api/v1/auth/login", {"username": "dr.palmer", "password": TEST_PASSWORD}
    )
    assert login.status_code == 200


def test_a_clinic_admin_cannot_deactivate_themselves(clinic_admin_client, clinic_admin):
    response = clinic_admin_client.post(f"{detail(clinic_admin)}deactivate/")

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "self_deactivation"


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("get", "", None),
        ("patch", "", {"role": "front_desk"}),
        ("post", "deactivate/", None),
        ("post", "reactivate/", None),
    ],
)
def test_another_clinics_staff_is_not_found(
    clinic_admin_client, other_admin, method, suffix, payload
):
    response = getattr(clinic_admin_client, method)(f"{detail(other_admin)}{suffix}", payload)

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
    other_admin.refresh_from_db()
    assert other_admin.is_active is True
    assert other_admin.role == Role.CLINIC_ADMIN


@pytest.mark.parametrize("client_fixture", ["front_desk_client", "chiropractor_client"])
def test_only_clinic_admins_manage_staff(request, client_fixture, front_desk):
    client = request.getfixturevalue(client_fixture)

    assert client.get(STAFF).status_code == 403
    assert client.get(detail(front_desk)).status_code == 403
    created = client.post(
        STAFF, {"username": "x.new", "password": "a-fresh-password-77", "role": "clinic_admin"}
    )
    assert created.status_code == 403
    assert client.patch(detail(front_desk), {"role": "clinic_admin"}).status_code == 403
    assert client.post(f"{detail(front_desk)}deactivate/").status_code == 403
    assert not User.objects.filter(username="x.new").exists()


def test_delete_is_not_offered_for_staff(clinic_admin_client, chiropractor):
    response = clinic_admin_client.delete(detail(chiropractor))

    assert response.status_code == 405
    assert User.objects.filter(pk=chiropractor.pk).exists()


def test_a_page_size_past_the_maximum_is_refused_not_cut(clinic_admin_client, clinic):
    UserFactory.create_batch(105, clinic=clinic)

    for bad in ("1000", "0", "-1", "ten"):
        refused = clinic_admin_client.get(STAFF, {"page_size": bad})
        assert refused.status_code == 400
        assert refused.json()["errors"] == [
            {
                "code": "invalid_page_size",
                "detail": "A whole number from 1 to 100.",
                "attr": "page_size",
            }
        ]
    first = clinic_admin_client.get(STAFF, {"page_size": 100}).json()
    assert len(first["results"]) == 100
    assert first["previous"] is None and first["previous_cursor"] is None

    # The cursor alone, without parsing the `next` URL, gives the next page.
    second = clinic_admin_client.get(STAFF, {"page_size": 100, "cursor": first["next_cursor"]})
    assert len(second.json()["results"]) == 6  # and the clinic admin
    assert second.json()["next_cursor"] is None and second.json()["previous_cursor"]


def test_staff_list_query_count_does_not_grow_with_rows(clinic_admin_client, clinic):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert clinic_admin_client.get(STAFF, {"page_size": 100}).status_code == 200
        return len(queries)

    UserFactory.create_batch(5, clinic=clinic)
    with_five = count_queries()
    UserFactory.create_batch(45, clinic=clinic)

    assert count_queries() == with_five


def test_a_chiropractor_is_created_with_their_npi(clinic_admin_client, clinic):
    response = clinic_admin_client.post(
        STAFF,
        {
            "username": "dr.npi",
            "password": "a-fresh-password-77",
            "role": "chiropractor",
            "npi": "1234567893",
        },
    )

    assert response.status_code == 201
    assert response.json()["npi"] == "1234567893"
    assert User.objects.get(username=f"dr.npi@{clinic.slug}").npi == "1234567893"


def test_a_staff_npi_failing_its_check_digit_is_refused(clinic_admin_client, clinic):
    response = clinic_admin_client.post(
        STAFF,
        {
            "username": "dr.badnpi",
            "password": "a-fresh-password-77",
            "role": "chiropractor",
            "npi": "1234567890",
        },
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "npi"
    assert not User.objects.filter(username=f"dr.badnpi@{clinic.slug}").exists()
