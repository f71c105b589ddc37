"""The US Core 6.1.0 checker (fhir_api/us_core/conformance.py) on small hand-written resources,
each also a valid FHIR resource by the fhir.resources R4B models (no database)."""

import copy
import json

import pytest
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner

from fhir_api.us_core.conformance import (
    PROFILES_DIR,
    check,
    load_profile,
    must_support_paths,
    shipped_profile_ids,
)

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
RACE = US_CORE + "us-core-race"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PATIENT_REF = {"reference": "Patient/p1"}

MINIMAL_PATIENT = {
    "resourceType": "Patient",
    "id": "p1",
    "identifier": [{"system": "urn:oid:2.16.840.1.113883.4.642.99", "value": "MRN-1"}],
    "name": [{"family": "Rivera", "given": ["Ana"]}],
    "gender": "female",
}
# What the minimal patient leaves out, declared as a server would declare it.
PATIENT_NOT_HELD = frozenset({"Patient.birthDate", "Patient.address"})

ENCOUNTER_DIAGNOSIS = {
    "resourceType": "Condition",
    "id": "c1",
    "clinicalStatus": {
        "coding": [
            {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}
        ]
    },
    "verificationStatus": {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                "code": "confirmed",
            }
        ]
    },
    "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "encounter-diagnosis"}]}],
    "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M54.50"}]},
    "subject": PATIENT_REF,
    "encounter": {"reference": "Encounter/e1"},
    "onsetDateTime": "2026-11-02",
    "recordedDate": "2026-11-02",
}
CONDITION_NOT_HELD = frozenset({"Condition.extension:assertedDate", "Condition.abatement[x]"})

SURVEY_SCORE = {
    "resourceType": "Observation",
    "id": "o1",
    "status": "final",
    "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
    "code": {"text": "Pain severity 0-10"},
    "subject": PATIENT_REF,
    "effectiveDateTime": "2026-11-02T10:00:00-05:00",
    "performer": [PATIENT_REF],
    "valueInteger": 6,
}
SURVEY_NOT_HELD = frozenset(
    {
        "Observation.category:screening-assessment",
        "Observation.dataAbsentReason",
        "Observation.hasMember",
        "Observation.derivedFrom",
    }
)


def with_(resource: dict, **changes) -> dict:
    changed = copy.deepcopy(resource)
    for key, value in changes.items():
        if value is None:
            changed.pop(key, None)
        else:
            changed[key] = value
    return changed


def race(*sub_extensions: dict) -> dict:
    return {"url": RACE, "extension": list(sub_extensions)}


OMB_WHITE = {
    "url": "ombCategory",
    "valueCoding": {"system": "urn:oid:2.16.840.1.113883.6.238", "code": "2106-3"},
}


def test_the_examples_are_valid_fhir_resources():
    Patient.model_validate(MINIMAL_PATIENT)
    Patient.model_validate(with_(MINIMAL_PATIENT, extension=[race(OMB_WHITE)]))
    Condition.model_validate(ENCOUNTER_DIAGNOSIS)
    Observation.model_validate(SURVEY_SCORE)


def test_the_declared_not_held_elements_are_must_support_elements_of_their_profiles():
    assert PATIENT_NOT_HELD <= set(must_support_paths("us-core-patient"))
    assert CONDITION_NOT_HELD <= set(must_support_paths("us-core-condition-encounter-diagnosis"))
    assert SURVEY_NOT_HELD <= set(must_support_paths("us-core-observation-screening-assessment"))


def test_a_minimal_us_core_patient_conforms():
    assert check(MINIMAL_PATIENT, "us-core-patient", not_held=PATIENT_NOT_HELD) == []


@pytest.mark.parametrize("missing", ["identifier", "name", "gender"])
def test_a_patient_without_a_required_element_is_reported(missing):
    problems = check(
        with_(MINIMAL_PATIENT, **{missing: None}), "us-core-patient", not_held=PATIENT_NOT_HELD
    )

    assert problems == [f"Patient.{missing}: 1 or more required (Patient.{missing} min 1), found 0"]


def test_an_identifier_without_a_system_is_reported():
    patient = with_(MINIMAL_PATIENT, identifier=[{"value": "MRN-1"}])

    problems = check(patient, "us-core-patient", not_held=PATIENT_NOT_HELD)

    assert problems == [
        "Patient.identifier[0].system: 1 or more required (Patient.identifier.system min 1), found 0"
    ]


def test_a_resource_of_another_type_is_reported():
    assert check(ENCOUNTER_DIAGNOSIS, "us-core-patient") == [
        "us-core-patient profiles Patient, not 'Condition'"
    ]


def test_an_absent_must_support_element_is_reported_unless_declared_not_held():
    problems = check(MINIMAL_PATIENT, "us-core-patient", not_held=frozenset({"Patient.address"}))

    assert problems == [
        "Patient.birthDate: must-support element Patient.birthDate is absent and not declared not held"
    ]
    assert check(MINIMAL_PATIENT, "us-core-patient", not_held=PATIENT_NOT_HELD) == []


def test_a_must_support_element_under_a_present_parent_is_required_only_there():
    # Patient.telecom is not must-support; its system, value and use are, when there is one.
    assert check(MINIMAL_PATIENT, "us-core-patient", not_held=PATIENT_NOT_HELD) == []
    patient = with_(MINIMAL_PATIENT, telecom=[{"system": "phone", "value": "555-0100"}])

    problems = check(patient, "us-core-patient", not_held=PATIENT_NOT_HELD)

    assert problems == [
        "Patient.telecom[0].use: must-support element Patient.telecom.use is absent and not declared not held"
    ]


def test_a_conforming_encounter_diagnosis_passes():
    assert (
        check(
            ENCOUNTER_DIAGNOSIS,
            "us-core-condition-encounter-diagnosis",
            not_held=CONDITION_NOT_HELD,
        )
        == []
    )


def test_a_condition_without_the_us_core_category_slice_is_reported():
    other_category = [{"coding": [{"system": "http://example.org/category", "code": "chiro"}]}]
    condition = with_(ENCOUNTER_DIAGNOSIS, category=other_category)
    Condition.model_validate(condition)

    problems = check(
        condition, "us-core-condition-encounter-diagnosis", not_held=CONDITION_NOT_HELD
    )

    assert problems == [
        "Condition.category:us-core: 1 or more required (Condition.category:us-core min 1), found 0"
    ]


def test_the_problem_list_category_is_told_apart_by_its_shipped_value_set():
    problem = with_(
        ENCOUNTER_DIAGNOSIS,
        category=[{"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}],
        encounter=None,
    )
    not_held = frozenset(
        {
            "Condition.extension:assertedDate",
            "Condition.abatement[x]",
            "Condition.category:screening-assessment",
        }
    )

    assert check(problem, "us-core-condition-problems-health-concerns", not_held=not_held) == []
    assert check(
        ENCOUNTER_DIAGNOSIS, "us-core-condition-problems-health-concerns", not_held=not_held
    ) == [
        "Condition.category:us-core: 1 or more required (Condition.category:us-core min 1), found 0"
    ]


def test_more_items_than_max_are_reported():
    twice = ENCOUNTER_DIAGNOSIS["category"] * 2
    condition = with_(ENCOUNTER_DIAGNOSIS, category=twice)

    problems = check(
        condition, "us-core-condition-encounter-diagnosis", not_held=CONDITION_NOT_HELD
    )

    assert problems == [
        "Condition.category:us-core: at most 1 allowed (Condition.category:us-core max 1), found 2"
    ]


def test_an_array_where_the_profile_allows_one_value_is_reported():
    practitioner = {
        "resourceType": "Practitioner",
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
        "name": [{"family": "Okafor"}],
        "telecom": [{"system": "phone", "value": "555-0100"}],
        "address": [{"line": ["1 Main St"], "city": ["Springfield", "Shelbyville"]}],
    }
    not_held = frozenset(
        {
            "Practitioner.address.state",
            "Practitioner.address.postalCode",
            "Practitioner.address.country",
        }
    )

    problems = check(practitioner, "us-core-practitioner", not_held=not_held)

    assert problems == [
        "Practitioner.address[0].city: at most 1 allowed (Practitioner.address.city max 1), found 2"
    ]
    with pytest.raises(ValueError):  # the FHIR model says the same
        Practitioner.model_validate(practitioner)


def test_a_choice_type_is_matched_by_its_typed_name():
    assert (
        check(SURVEY_SCORE, "us-core-observation-screening-assessment", not_held=SURVEY_NOT_HELD)
        == []
    )
    without_effective = with_(SURVEY_SCORE, effectiveDateTime=None)
    effective_period = with_(without_effective, effectivePeriod={"start": "2026-11-02"})

    assert (
        check(
            effective_period, "us-core-observation-screening-assessment", not_held=SURVEY_NOT_HELD
        )
        == []
    )
    assert check(
        without_effective, "us-core-observation-screening-assessment", not_held=SURVEY_NOT_HELD
    ) == [
        "Observation.effective[x]: must-support element Observation.effective[x] is absent and not declared not held"
    ]


def test_a_choice_type_the_profile_does_not_allow_is_reported():
    # Observation.value[x] allows no Attachment (R4 itself has none either).
    observation = with_(SURVEY_SCORE, valueInteger=None, valueAttachment={"url": "x"})

    problems = check(
        observation, "us-core-observation-screening-assessment", not_held=SURVEY_NOT_HELD
    )

    assert problems[0].startswith(
        "Observation.valueAttachment: Observation.value[x] allows valueBoolean, valueCodeableConcept"
    )


def test_a_survey_observation_needs_the_survey_category():
    observation = with_(
        SURVEY_SCORE, category=[{"coding": [{"system": OBSERVATION_CATEGORY, "code": "exam"}]}]
    )
    Observation.model_validate(observation)

    problems = check(
        observation, "us-core-observation-screening-assessment", not_held=SURVEY_NOT_HELD
    )

    assert problems == [
        "Observation.category:survey: 1 or more required (Observation.category:survey min 1), found 0"
    ]


def test_an_extension_slice_is_matched_by_url_and_checked_by_its_definition():
    complete = with_(
        MINIMAL_PATIENT, extension=[race(OMB_WHITE, {"url": "text", "valueString": "White"})]
    )
    no_text = with_(MINIMAL_PATIENT, extension=[race(OMB_WHITE)])
    with_value = with_(
        MINIMAL_PATIENT,
        extension=[
            {
                "url": RACE,
                "valueString": "White",
                "extension": [{"url": "text", "valueString": "White"}],
            }
        ],
    )
    not_held = PATIENT_NOT_HELD | {"Patient.extension:race.extension:ombCategory"}

    assert check(complete, "us-core-patient", not_held=not_held) == []
    assert check(no_text, "us-core-patient", not_held=not_held) == [
        "Patient.extension[0].extension:text: 1 or more required "
        "(Patient.extension:race.extension:text min 1), found 0"
    ]
    assert check(with_value, "us-core-patient", not_held=not_held) == [
        "Patient.extension[0].value[x]: not allowed (Patient.extension:race.value[x] max 0), found 1"
    ]


def test_a_pattern_inside_a_slice_is_checked():
    coverage = {
        "resourceType": "Coverage",
        "status": "active",
        "beneficiary": PATIENT_REF,
        "relationship": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                    "code": "self",
                }
            ]
        },
        "payor": [{"reference": "Organization/o1"}],
        "class": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                            "code": "group",
                        }
                    ]
                },
                "value": "G-100",
            }
        ],
    }
    Coverage.model_validate(coverage)

    problems = check(
        coverage,
        "us-core-coverage",
        not_held=frozenset(must_support_paths("us-core-coverage")) - {"Coverage.class:group.name"},
    )

    assert problems == [
        "Coverage.class[0].name: must-support element Coverage.class:group.name is absent and not declared not held"
    ]


def test_the_must_support_paths_come_from_the_shipped_profile():
    assert must_support_paths("us-core-goal") == [
        "Goal.lifecycleStatus",
        "Goal.description",
        "Goal.subject",
        "Goal.start[x]",
        "Goal.target",
        "Goal.target.due[x]",
    ]
    # US Core 6.1.0 lists race, ethnicity and birth sex as USCDI requirements, not must-support.
    assert "Patient.extension:race" not in must_support_paths("us-core-patient")


@pytest.mark.parametrize("profile_id", shipped_profile_ids())
def test_each_shipped_profile_is_us_core_6_1_0_and_loads(profile_id):
    raw = json.loads((PROFILES_DIR / f"{profile_id}.json").read_text(encoding="utf-8"))
    profile = load_profile(profile_id)

    assert raw["version"] == profile.version == "6.1.0"
    assert profile.id == profile_id
    assert profile.url == f"{US_CORE}{profile_id}"
    assert profile.elements[0].id == profile.type


@pytest.mark.parametrize("profile_id", shipped_profile_ids())
def test_each_profile_reports_its_required_elements_when_absent(profile_id):
    profile = load_profile(profile_id)
    required = [e.id for e in profile.elements if e.id.count(".") == 1 and (e.min or 0) >= 1]

    problems = check({"resourceType": profile.type}, profile_id)

    assert [p.split(": ")[0] for p in problems if " required " in p] == required


def test_every_profile_the_fhir_face_serves_is_shipped():
    assert set(shipped_profile_ids()) >= {
        "us-core-patient",
        "us-core-practitioner",
        "us-core-practitionerrole",
        "us-core-organization",
        "us-core-location",
        "us-core-condition-encounter-diagnosis",
        "us-core-condition-problems-health-concerns",
        "us-core-careplan",
        "us-core-goal",
        "us-core-servicerequest",
        "us-core-encounter",
        "us-core-procedure",
        "us-core-observation-clinical-result",
        "us-core-observation-screening-assessment",
        "us-core-simple-observation",
        "us-core-questionnaireresponse",
        "us-core-coverage",
        "us-core-provenance",
    }
