import datetime

import pytest

from tests.factories import ConditionFactory, PatientFactory


@pytest.fixture
def patient(clinic):
    return PatientFactory(
        clinic=clinic,
        given_name="María",
        preferred_name="Mari",
        date_of_birth=datetime.date(1979, 3, 14),
    )


@pytest.fixture
def neck_pain(patient, chiropractor):
    return ConditionFactory(
        patient=patient,
        code="M54.2",
        display="Cervicalgia",
        body_region="cervical",
        recorded_by=chiropractor,
    )


@pytest.fixture
def subluxation(patient, chiropractor):
    return ConditionFactory(
        patient=patient,
        code="M99.01",
        display="Segmental and somatic dysfunction of cervical region",
        body_region="cervical",
        recorded_by=chiropractor,
    )


@pytest.fixture
def full_plan(patient, neck_pain, subluxation) -> dict:
    return {
        "patient": str(patient.id),
        "conditions": [str(neck_pain.id), str(subluxation.id)],
        "phase": "relief",
        "start_date": "2026-11-02",
        "visits_per_week": 3,
        "weeks": 4,
        "notes": "Desk worker; reassess ergonomics at re-exam.",
        "goals": [
            {
                "description": "Neck pain at most 2/10",
                "measure": "nrs_pain",
                "comparator": "<=",
                "target_value": 2,
                "target_date": "2026-11-30",
            },
            {
                "description": "Cervical rotation at least 70°",
                "measure": "cervical_rotation_degrees",
                "comparator": ">=",
                "target_value": 70,
            },
            {"description": "Work a full day at the desk without headache"},
        ],
        "adjustments": [
            {"segment": "C5", "listing": "PRS", "technique": "diversified"},
            {"segment": "T4", "listing": "EXTENSION_RESTRICTION", "technique": "activator"},
            {"segment": "SHOULDER", "technique": "mobilisation", "laterality": "right"},
        ],
        "soft_tissue": [
            {
                "modality": "myofascial_release",
                "muscles": ["upper_trapezius", "levator_scapulae"],
                "minutes": 8,
            },
        ],
        "exercises": [
            {
                "exercise": "chin_tuck",
                "sets": 2,
                "repetitions": 10,
                "hold_seconds": 5,
                "times_per_day": 3,
                "days_per_week": 7,
                "instructions": "Every hour at the desk.",
            },
            {
                "exercise": "upper_trapezius_stretch",
                "times_per_day": 2,
                "days_per_week": 5,
                "laterality": "left",
                "instructions": "Gently, no bouncing.",
            },
        ],
    }
