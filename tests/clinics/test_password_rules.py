"""Staff passwords: weak, common, breached-style and personal ones are refused, with why."""

import pytest

STAFF = "/api/v1/staff/"

WEAK = [
    " " * 10,
    "Chiropractic",
    "clinic2026",
    "0000000000a",
    "password1234",
    "qwertyuiop12",
    "aaaaaaaaaaaa",
    "123456789012",
    "letmein12345",
    "iloveyou2026",
    "P@ssw0rd2026",
    "abcdefghijkl",
    "administrator",
    "welcome123456",
    "trustno1trustno1",
    "abc123abc123",
    "chiropractor2026",
    "Summer2026!!",
    "dr.newton-2026!",  # the username
    "BackInLine-2026-x",  # the clinic's name
]
STRONG = [
    "correct horse battery staple",
    "Tq7#mZ2!vR9$wL4@",
    "violet-anchor-mirror-93-sled",
    "glacier pudding typewriter 88",
    "x9$Kd!2mQz#7Lp",
]


def create(client, password: str):
    return client.post(
        STAFF,
        {
            "username": "dr.newton",
            "password": password,
            "role": "chiropractor",
            "first_name": "Isaac",
            "last_name": "Newton",
        },
    )


@pytest.mark.parametrize("password", WEAK)
def test_a_weak_password_is_refused_with_the_reason(clinic_admin_client, password):
    response = create(clinic_admin_client, password)

    assert response.status_code == 400
    errors = [e for e in response.json()["errors"] if e["attr"] == "password"]
    assert errors and all(e["detail"] for e in errors)
    assert {e["code"] for e in errors} & {
        "password_too_short",
        "password_too_common",
        "password_entirely_numeric",
        "password_too_similar",
        "password_too_weak",
        "password_too_personal",
    }


@pytest.mark.parametrize("password", STRONG)
def test_a_strong_password_is_accepted(clinic_admin_client, password):
    assert create(clinic_admin_client, password).status_code == 201


def test_the_reason_says_what_is_wrong(clinic_admin_client):
    personal = create(clinic_admin_client, "Newton-apples-fall-1687").json()["errors"][0]
    weak = create(clinic_admin_client, "Summer2026!!").json()["errors"][0]

    assert personal["code"] == "password_too_personal" and "name" in personal["detail"]
    assert weak["code"] == "password_too_weak" and "guessed" in weak["detail"]
