"""What every FHIR resource a test receives must be: a valid FHIR R4 resource (the fhir.resources
R4B models) and, for each US Core profile it claims, conformant to that profile's cardinality,
slices and must-support elements as the shipped profile data says (fhir_api.us_core), less the
elements its kind declares it holds no data for."""

from fhir.resources.R4B import get_fhir_model_class

from fhir_api.kinds import Kind
from fhir_api.systems import US_CORE
from fhir_api.us_core.conformance import check, must_support_paths


def assert_valid_fhir(resource: dict) -> None:
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def claimed_profiles(resource: dict) -> list[str]:
    """The US Core profile ids in `meta.profile` (`…/us-core-patient|6.1.0` → us-core-patient)."""
    prefix = f"{US_CORE}/"
    return [
        url.removeprefix(prefix).split("|", 1)[0]
        for url in resource.get("meta", {}).get("profile", [])
        if url.startswith(prefix)
    ]


def assert_conforms(resource: dict, kind: Kind, *, fully_recorded: bool = True) -> None:
    """Valid FHIR, and conformant to every US Core profile it claims (at least one when its
    kind has profiles). Must-support elements are required of a `fully_recorded` record only:
    a record with no address has none to show."""
    assert_valid_fhir(resource)
    profiles = claimed_profiles(resource)
    assert set(profiles) <= set(kind.profiles), profiles
    if kind.profiles:
        assert profiles, f"{kind.name} claims no US Core profile"
    for profile in profiles:
        not_held = frozenset(kind.not_held)
        assert not_held <= set(must_support_paths(profile)) | _other_profiles_paths(kind), (
            f"{kind.name} declares as not held what {profile} does not mark must-support: "
            f"{sorted(not_held - set(must_support_paths(profile)))}"
        )
        if not fully_recorded:
            not_held |= frozenset(must_support_paths(profile))
        problems = check(resource, profile, not_held=not_held)
        assert problems == [], f"{profile}: {problems}"


def _other_profiles_paths(kind: Kind) -> set[str]:
    return {path for profile in kind.profiles for path in must_support_paths(profile)}
