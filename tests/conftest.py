"""Clinics, a user of each role, an authenticated API client per role, and a patient with
conditions and a full treatment plan to write."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from api.roles import Role
from billing.models import FeeScheduleEntry
from scheduling.models import AppointmentType
from tests.factories import ClinicFactory, ConditionFactory, PatientFactory, UserFactory

# Every error code an answer carries must be documented on its operation (checked at the end);
# `start_server` runs the production server for the tests that need one; `queue_app` and
# `empty_queue` are the job queue's.
pytest_plugins = ["tests.error_codes_seen", "tests.live_server", "tests.job_queue"]

# Tests that commit (transaction=True) are cleaned up by TRUNCATE, which the append-only audit
# trail refuses: they leave the audit app out of the flush (its rows carry no foreign keys).
FLUSHABLE_APPS = [app for app in settings.INSTALLED_APPS if app != "audit"]


def client_for(user) -> APIClient:
    _, token = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(request, django_db_blocker):
    # Throttle counts live in the database cache (or Redis), which outlives a test. A test
    # without the database (a read of the schema) has none to clear.
    if "django_db_setup" not in request.fixturenames:
        return
    with django_db_blocker.unblock():
        cache.clear()


@pytest.fixture(autouse=True)
def _own_seal_store(settings, tmp_path_factory):
    # Seals copied out of a test's database go to a folder of the test's own: a shared one
    # would hold seals of clinics that the next test database never had.
    settings.AUDIT_SEAL_STORE = str(tmp_path_factory.mktemp("audit-seals"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness would dominate the suite; hashing itself is Django's concern.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Back in Line Chiropractic")


@pytest.fixture
def other_clinic(db):
    return ClinicFactory(name="Elsewhere Spine Center")


@pytest.fixture
def chiropractor(clinic):
    return UserFactory(clinic=clinic, role=Role.CHIROPRACTOR, username="dr.palmer")


@pytest.fixture
def front_desk(clinic):
    return UserFactory(clinic=clinic, role=Role.FRONT_DESK, username="desk.jane")


@pytest.fixture
def clinic_admin(clinic):
    return UserFactory(clinic=clinic, role=Role.CLINIC_ADMIN, username="admin.alex")


@pytest.fixture
def other_admin(other_clinic):
    return UserFactory(clinic=other_clinic, role=Role.CLINIC_ADMIN, username="admin.other")


@pytest.fixture
def anonymous_client() -> APIClient:
    return APIClient()


@pytest.fixture
def chiropractor_client(chiropractor) -> APIClient:
    return client_for(chiropractor)


@pytest.fixture
def front_desk_client(front_desk) -> APIClient:
    return client_for(front_desk)


@pytest.fixture
def clinic_admin_client(clinic_admin) -> APIClient:
    return client_for(clinic_admin)


@pytest.fixture
def other_admin_client(other_admin) -> APIClient:
    return client_for(other_admin)


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


@pytest.fixture
def charted_patient(chiropractor, full_plan) -> dict:
    """The patient of `full_plan` with that plan written, a visit and an outcome, as the API
    answered them: real objects for every path parameter of the contract."""
    client = client_for(chiropractor)
    patient = full_plan["patient"]
    appointment_type = AppointmentType.objects.create(
        clinic_id=chiropractor.clinic_id, name="Adjustment visit", duration_minutes=15
    )
    # On the clinic's clock: working hours are by the clinic's weekday.
    in_a_month = timezone.localtime(
        timezone.now() + datetime.timedelta(days=30), ZoneInfo(chiropractor.clinic.time_zone)
    ).replace(minute=0, second=0, microsecond=0)
    hours = client.post(
        "/api/v1/working-hours/",
        {
            "chiropractor": str(chiropractor.id),
            "weekday": in_a_month.weekday(),
            "start_time": "00:00",
            "end_time": "23:59",
        },
    ).json()
    time_off = client.post(
        "/api/v1/schedule-exceptions/",
        {
            "chiropractor": str(chiropractor.id),
            "kind": "time_off",
            "start_at": (in_a_month + datetime.timedelta(days=1)).isoformat(),
            "end_at": (in_a_month + datetime.timedelta(days=1, hours=4)).isoformat(),
        },
    ).json()
    appointment = client.post(
        "/api/v1/appointments/",
        {
            "patient": patient,
            "chiropractor": str(chiropractor.id),
            "appointment_type": str(appointment_type.id),
            "start_at": in_a_month.isoformat(),
            "override": True,
        },
    ).json()
    waitlist_entry = client.post(
        "/api/v1/waitlist/",
        {"patient": patient, "appointment_type": str(appointment_type.id), "weekdays": [0, 2]},
    ).json()
    plan = client.post("/api/v1/treatment-plans/", full_plan).json()
    coverage = client.post(
        "/api/v1/coverages/",
        {
            "patient": patient,
            "payer_name": "Medicare Part B",
            "payer_type": "medicare",
            "member_id": "1EG4-TE5-MK73",
            "starts_on": "2026-01-01",
        },
    ).json()
    case = client.post(
        "/api/v1/cases/",
        {
            "patient": patient,
            "coverage": coverage["id"],
            "plan": plan["id"],
            "title": "Neck pain, 2026",
            "authorised_visits": 12,
        },
    ).json()
    fee = FeeScheduleEntry.objects.create(
        clinic_id=chiropractor.clinic_id,
        cpt="98940",
        charge="55.00",
        effective_from=datetime.date(2026, 1, 1),
    )
    return {
        "coverage": coverage,
        "case": case,
        "fee": str(fee.id),
        "waitlist_entry": waitlist_entry,
        "appointment_type": str(appointment_type.id),
        "working_hours": hours,
        "schedule_exception": time_off,
        "appointment": appointment,
        "patient": patient,
        "plan": plan,
        "visit": client.post(
            "/api/v1/visits/",
            {"patient": patient, "visit_at": "2026-11-20T10:00:00Z", "pain_before": 5},
        ).json(),
        "outcome": client.post(
            f"/api/v1/patients/{patient}/outcomes/", {"instrument": "nrs", "value": 4}
        ).json(),
    }
