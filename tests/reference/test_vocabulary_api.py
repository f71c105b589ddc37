import pytest

from reference.models import Exercise, Technique

REF = "/api/v1/reference"


@pytest.mark.parametrize(
    ("path", "count", "first"),
    [
        (
            "segments",
            39,
            {
                "code": "C0",
                "name": "Occiput (C0)",
                "kind": "vertebra",
                "cmt_region": "cervical",
                "sided": False,
            },
        ),
        ("listings", 30, None),
        ("techniques", 11, None),
        (
            "soft-tissue-modalities",
            8,
            {"code": "swedish_massage", "name": "Swedish massage", "cpt_code": "97124"},
        ),
        (
            "muscles",
            14,
            {"code": "upper_trapezius", "name": "Upper trapezius", "body_region": "cervical"},
        ),
        ("exercises", 15, None),
    ],
)
def test_every_role_reads_the_shipped_vocabulary(front_desk_client, path, count, first):
    response = front_desk_client.get(f"{REF}/{path}/")

    assert response.status_code == 200
    assert len(response.json()) == count
    if first:
        assert response.json()[0] == first


def test_segments_carry_their_cmt_regions(chiropractor_client):
    regions = {
        row["code"]: row["cmt_region"] for row in chiropractor_client.get(f"{REF}/segments/").json()
    }

    assert (
        regions["C7"],
        regions["T12"],
        regions["L5"],
        regions["SACRUM"],
        regions["R_ILIUM"],
        regions["KNEE"],
    ) == (
        "cervical",
        "thoracic",
        "lumbar",
        "sacral",
        "pelvic",
        "extraspinal",
    )


def test_a_clinic_adds_its_own_exercise_seen_only_by_that_clinic(
    chiropractor_client, other_admin_client, clinic
):
    response = chiropractor_client.post(
        f"{REF}/exercises/",
        {
            "code": "wall_angel",
            "name": "Wall angel",
            "description": "Back to the wall, slide the arms up and down.",
            "body_region": "thoracic",
            "default_sets": 2,
            "default_repetitions": 10,
            "default_hold_seconds": 0,
        },
    )

    assert response.status_code == 201, response.json()
    assert response.json()["shipped"] is False
    assert Exercise.objects.get(code="wall_angel").clinic == clinic
    assert "wall_angel" in [e["code"] for e in chiropractor_client.get(f"{REF}/exercises/").json()]
    assert "wall_angel" not in [
        e["code"] for e in other_admin_client.get(f"{REF}/exercises/").json()
    ]


def test_a_clinic_technique_can_be_used_in_its_plans_only(chiropractor_client, other_clinic):
    created = chiropractor_client.post(
        f"{REF}/techniques/", {"code": "webster", "name": "Webster technique"}
    )
    Technique.objects.create(clinic=other_clinic, code="secret_move", name="Their technique")

    assert created.status_code == 201
    codes = [t["code"] for t in chiropractor_client.get(f"{REF}/techniques/").json()]
    assert "webster" in codes and "secret_move" not in codes


@pytest.mark.parametrize(
    ("payload", "attr", "code"),
    [
        ({"code": "diversified", "name": "Mine"}, "code", "unique"),
        ({"code": "Bad Code", "name": "Mine"}, "code", "invalid_code"),
        ({"code": "mine"}, "name", "required"),
        ({"code": "mine", "name": "Mine", "colour": "red"}, "colour", "unknown_field"),
    ],
)
def test_clinic_entries_are_validated(chiropractor_client, payload, attr, code):
    response = chiropractor_client.post(f"{REF}/techniques/", payload)

    assert response.status_code == 400
    assert (attr, code) in {(e["attr"], e["code"]) for e in response.json()["errors"]}


def test_front_desk_cannot_add_to_the_vocabulary(front_desk_client):
    assert (
        front_desk_client.post(f"{REF}/techniques/", {"code": "mine", "name": "Mine"}).status_code
        == 403
    )


def test_exercises_filter_by_body_region(chiropractor_client):
    codes = {
        e["code"]
        for e in chiropractor_client.get(f"{REF}/exercises/", {"body_region": "cervical"}).json()
    }

    assert codes == {"chin_tuck", "upper_trapezius_stretch", "levator_scapulae_stretch"}
