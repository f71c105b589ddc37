"""Every filter and ordering the patient and condition lists offer is served by an index.

The list request's own SQL is captured and EXPLAINed with sequential scans disabled, and the
plan must use one of the indexes built for that filter or ordering (not merely any index that
narrows to the clinic).
"""

import datetime
import random

import pytest
from django.db import connection

from patients.models import Condition, Patient, search_key
from reference.icd10 import CHIROPRACTIC_CODES
from tests.factories import ClinicFactory, UserFactory
from tests.query_plans import unindexed

ROWS = 4000


@pytest.fixture
def realistic_tables(clinic, chiropractor):
    """Thousands of varied rows over several clinics, analysed, so the planner chooses as it
    would in production rather than scanning a three-row table."""
    rng = random.Random(7)
    clinics = [clinic, *ClinicFactory.create_batch(3)]
    patients = []
    for n in range(ROWS):
        given, family = f"given{rng.randrange(10**6)}", f"family{rng.randrange(10**6)}"
        phone = f"+1617{rng.randrange(10**7):07d}"
        patients.append(
            Patient(
                clinic=clinics[n % 4],
                chart_number=f"{n:06d}",
                given_name=given,
                family_name=family,
                given_name_key=search_key(given),
                family_name_key=search_key(family),
                date_of_birth=datetime.date(1940, 1, 1)
                + datetime.timedelta(days=rng.randrange(25000)),
                sex_at_birth="female",
                phone=phone,
                phone_digits_reversed=phone[::-1].replace("+", ""),
                email=f"p{n}@example.com",
                status=rng.choice(["active"] * 8 + ["inactive", "archived"]),
                archived_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
                last_visit_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
                + datetime.timedelta(hours=rng.randrange(8000)),
            )
        )
    Patient.objects.bulk_create(patients)
    # Filters are tested with rare values (G44.209, remission, refuted, head), as a clinic
    # would search; for common values a scan in list order is rightly cheaper.
    codes = [code for code in CHIROPRACTIC_CODES if code != "G44.209"]

    def rare(common, uncommon):
        return uncommon if rng.random() < 0.01 else rng.choice(common)

    recorders = {c.pk: UserFactory(clinic=c) for c in clinics}
    Condition.objects.bulk_create(
        Condition(
            clinic=p.clinic,
            patient=p,
            code=rare(codes, "G44.209"),
            display="x",
            body_region=rare(["cervical", "thoracic", "lumbar", "sacral", "pelvic"], "head"),
            onset_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randrange(2000)),
            clinical_status=rare(["active", "recurrence", "relapse", "resolved"], "remission"),
            verification_status=rare(["confirmed", "provisional"], "refuted"),
            recorded_by=recorders[p.clinic_id],
        )
        for p in patients
    )
    with connection.cursor() as cursor:
        for table in ("patients_patient", "patients_condition", "clinics_user"):
            cursor.execute(f"ANALYZE {table}")


BY_NAME = {"patient_family_name_idx", "patient_status_idx"}
PATIENT_QUERIES = [
    ({}, BY_NAME),
    ({"name": "gar"}, {"patient_given_name_idx", "patient_family_name_idx"}),
    ({"name": "mar gar"}, {"patient_given_name_idx", "patient_family_name_idx"}),
    ({"chart_number": "000042"}, {"patient_chart_number_unique_per_clinic"}),
    ({"date_of_birth": "1979-03-14"}, {"patient_dob_idx"}),
    ({"phone": "555-0100"}, {"patient_phone_idx"}),
    ({"email": "zoe@example.com"}, {"patient_email_idx"}),
    ({"status": "archived"}, {"patient_status_idx"}),
    ({"ordering": "family_name"}, BY_NAME),
    ({"ordering": "-given_name"}, {"patient_given_name_idx"}),
    ({"ordering": "-created_at"}, {"patient_created_idx"}),
    ({"ordering": "-last_visit_at"}, {"patient_last_visit_idx"}),
]
CONDITION_QUERIES = [
    ({}, {"condition_created_idx"}),
    ({"patient": "00000000-0000-0000-0000-000000000000"}, {"condition_patient_idx"}),
    ({"code": "G44"}, {"condition_code_idx"}),
    ({"clinical_status": "remission"}, {"condition_clinical_idx"}),
    ({"verification_status": "refuted"}, {"condition_verif_idx"}),
    ({"body_region": "head"}, {"condition_region_idx"}),
    ({"onset_after": "2026-01-01"}, {"condition_onset_idx"}),
    ({"ordering": "onset_date"}, {"condition_onset_sort_idx"}),
    ({"ordering": "code"}, {"condition_code_idx"}),
]


def test_every_patient_filter_and_ordering_uses_its_index(chiropractor_client, realistic_tables):
    assert (
        unindexed(chiropractor_client, "/api/v1/patients/", "patients_patient", PATIENT_QUERIES)
        == []
    )


def test_every_condition_filter_and_ordering_uses_its_index(chiropractor_client, realistic_tables):
    assert (
        unindexed(
            chiropractor_client, "/api/v1/conditions/", "patients_condition", CONDITION_QUERIES
        )
        == []
    )
