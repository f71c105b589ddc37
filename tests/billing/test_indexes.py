"""Every filter and ordering of the billing lists is served by its index (tests/query_plans.py)."""

import datetime

import pytest
from django.db import connection

from billing.models import Coverage, FeeScheduleEntry, InsuranceCase
from patients.models import Patient
from tests.factories import ClinicFactory
from tests.query_plans import unindexed

ROWS = 600
CLINIC_FEE_INDEXES = {"fee_code_idx", "fee_once_a_start", "fee_effective_idx"}


@pytest.fixture
def billing_rows(clinic):
    clinics = [clinic, *ClinicFactory.create_batch(2)]
    patients = Patient.objects.bulk_create(
        Patient(
            clinic=clinics[n % 3],
            chart_number=f"{n:06d}",
            given_name="g",
            family_name=f"f{n}",
            date_of_birth=datetime.date(1980, 1, 1),
            sex_at_birth="female",
        )
        for n in range(ROWS)
    )
    coverages = Coverage.objects.bulk_create(
        Coverage(
            clinic=p.clinic,
            patient=p,
            payer_name="Payer",
            payer_type=("medicare", "commercial", "self_pay")[n % 3],
            member_id=f"M{n}",
            priority="primary" if n % 5 else "secondary",
            starts_on=datetime.date(2026, 1, 1),
        )
        for n, p in enumerate(patients)
    )
    InsuranceCase.objects.bulk_create(
        InsuranceCase(clinic=c.clinic, patient=c.patient, coverage=c, title="Case")
        for c in coverages
    )
    FeeScheduleEntry.objects.bulk_create(
        FeeScheduleEntry(
            clinic=c,
            cpt=cpt,
            charge="50.00",
            effective_from=datetime.date(2020 + year, 1, 1),
            effective_to=datetime.date(2020 + year, 12, 31),
        )
        for c in clinics
        for cpt in ("98940", "98941", "98942", "97110", "97124", "97140")
        for year in range(6)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return patients


def test_billing_lists_use_their_indexes(clinic_admin_client, billing_rows):
    patient = str(billing_rows[0].pk)
    coverage = str(Coverage.objects.filter(patient=billing_rows[0]).get().pk)
    failures = unindexed(
        clinic_admin_client,
        "/api/v1/coverages/",
        "billing_coverage",
        [
            ({}, {"coverage_created_idx"}),
            # The foreign key's own index serves it as well.
            ({"patient": patient}, {"coverage_patient_idx", "billing_coverage_patient_id"}),
            ({"payer_type": "medicare"}, {"coverage_payer_idx"}),
            ({"priority": "secondary"}, {"coverage_created_idx", "coverage_patient_idx"}),
        ],
    )
    failures += unindexed(
        clinic_admin_client,
        "/api/v1/cases/",
        "billing_insurancecase",
        [
            ({}, {"case_created_idx"}),
            ({"patient": patient}, {"case_patient_idx", "billing_insurancecase_patient_id"}),
            ({"coverage": coverage}, {"case_coverage_idx", "billing_insurancecase_coverage_id"}),
            (
                {"plan": patient},
                {"case_plan_idx", "insurance_case_one_per_plan", "billing_insurancecase_plan_id"},
            ),
        ],
    )
    failures += unindexed(
        clinic_admin_client,
        "/api/v1/fee-schedule/",
        "billing_feescheduleentry",
        [
            # A clinic's few dozen fees are sorted once read by one of the clinic's indexes.
            ({}, CLINIC_FEE_INDEXES),
            ({"cpt": "98941"}, {"fee_code_idx", "fee_once_a_start"}),
            ({"ordering": "-effective_from"}, CLINIC_FEE_INDEXES),
        ],
    )
    assert failures == [], "\n\n".join(failures)
