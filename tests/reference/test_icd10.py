import pytest

from reference import icd10

# The code list is a table (reference.icd10_loading).
pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/reference/icd10/"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("M5450", "M54.50"),
        ("m54.50", "M54.50"),
        (" M54.50 ", "M54.50"),
        ("S134XXA", "S13.4XXA"),
        ("M54", "M54"),
    ],
)
def test_codes_are_normalised_to_the_dotted_form(raw, expected):
    assert icd10.normalize(raw) == expected


@pytest.mark.parametrize(
    ("code", "billable"),
    [
        ("M54.50", True),
        ("M54.5", False),
        ("M62.830", True),
        ("M99.01", True),
        ("G44.209", True),
        ("M54", False),
    ],
)
def test_lookup_knows_which_codes_are_billable(code, billable):
    found = icd10.lookup(code)

    assert found is not None
    assert found.billable is billable


def test_lookup_of_an_unknown_code_is_none():
    assert icd10.lookup("Q99.999") is None
    assert icd10.lookup("spasm") is None


def test_every_chiropractic_code_of_the_domain_is_a_billable_code():
    assert all(icd10.lookup(code).billable for code in icd10.CHIROPRACTIC_CODES)


def test_search_ranks_chiropractic_codes_first():
    codes = [found.code for found in icd10.search("spasm")]

    assert codes[:3] == ["M62.830", "M62.831", "M62.838"]


def test_search_by_everyday_words_finds_the_chiropractic_code():
    assert icd10.search("neck pain")[0].code == "M54.2"
    assert icd10.search("whiplash")[0].code == "S13.4XXA"


def test_search_by_code_prefix():
    codes = [found.code for found in icd10.search("M99.0", limit=50)]

    assert codes[:10] == [f"M99.0{n}" for n in range(10)]


def test_picker_endpoint_returns_codes_with_billability(chiropractor_client):
    response = chiropractor_client.get(SEARCH, {"q": "spasm", "limit": 3})

    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "M62.830",
            "description": "Muscle spasm of back",
            "billable": True,
            "chiropractic": True,
        },
        {
            "code": "M62.831",
            "description": "Muscle spasm of calf",
            "billable": True,
            "chiropractic": True,
        },
        {
            "code": "M62.838",
            "description": "Other muscle spasm",
            "billable": True,
            "chiropractic": True,
        },
    ]


def test_picker_endpoint_can_keep_to_billable_codes(chiropractor_client):
    response = chiropractor_client.get(SEARCH, {"q": "M54.5", "billable": "true"})

    assert "M54.5" not in [row["code"] for row in response.json()]
    assert "M54.50" in [row["code"] for row in response.json()]


def test_picker_endpoint_needs_a_query_and_caps_the_limit(chiropractor_client):
    assert ("q", "required") in {
        (e["attr"], e["code"]) for e in chiropractor_client.get(SEARCH).json()["errors"]
    }
    response = chiropractor_client.get(SEARCH, {"q": "pain", "limit": 500})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "limit"


def test_code_lookup_endpoint(chiropractor_client):
    assert chiropractor_client.get("/api/v1/reference/icd10/m5450/").json()["code"] == "M54.50"
    assert chiropractor_client.get("/api/v1/reference/icd10/Q99.999/").status_code == 404
