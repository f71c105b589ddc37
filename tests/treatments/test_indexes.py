"""Every filter and ordering of the plan list is served by its index (see tests/query_plans.py)."""

import datetime
import random

import pytest
from django.db import connection

from patients.models import Condition, Patient
from tests.factories import ClinicFactory, UserFactory
from tests.query_plans import unindexed
from treatments.models import PlanCondition, TreatmentPlan

ROWS = 4000


@pytest.fixture
def realistic_plans(clinic, chiropractor):
    rng = random.Random(11)
    clinics = [clinic, *ClinicFactory.create_batch(3)]
    # The logged-in chiropractor has few plans, as one of many in a big clinic would.
    doctors = {c.pk: UserFactory.create_batch(5, clinic=c, role="chiropractor") for c in clinics}
    patients = Patient.objects.bulk_create(
        Patient(
            clinic=clinics[n % 4],
            chart_number=f"{n:06d}",
            given_name="g",
            family_name=f"f{n}",
            date_of_birth=datetime.date(1980, 1, 1),
            sex_at_birth="male",
        )
        for n in range(ROWS)
    )
    conditions = Condition.objects.bulk_create(
        Condition(
            clinic=p.clinic,
            patient=p,
            code="M54.2",
            display="x",
            body_region="cervical",
            recorded_by=doctors[p.clinic_id][0],
        )
        for p in patients
    )

    def rare(common, uncommon):
        return uncommon if rng.random() < 0.01 else rng.choice(common)

    plans = TreatmentPlan.objects.bulk_create(
        TreatmentPlan(
            clinic=p.clinic,
            patient=p,
            chiropractor=chiropractor
            if rng.random() < 0.05 and p.clinic == clinic
            else rng.choice(doctors[p.clinic_id]),
            created_by=doctors[p.clinic_id][0],
            phase=rare(["relief", "corrective"], "maintenance"),
            status=rare(["active", "completed", "draft"], "on-hold"),
            start_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(900)),
            visits_per_week=2,
            weeks=6,
        )
        for p in patients
    )
    PlanCondition.objects.bulk_create(
        PlanCondition(clinic=plan.clinic, plan=plan, condition=condition)
        for plan, condition in zip(plans, conditions, strict=True)
    )
    with connection.cursor() as cursor:
        # Every table the list joins, or stale statistics of one steer the planner.
        for table in (
            "treatments_treatmentplan",
            "treatments_plancondition",
            "patients_patient",
            "clinics_user",
        ):
            cursor.execute(f"ANALYZE {table}")
    return plans[0]


def test_every_plan_filter_and_ordering_uses_its_index(
    chiropractor_client, chiropractor, realistic_plans
):
    plan = realistic_plans
    queries = [
        ({}, {"plan_start_idx"}),
        (
            {"patient": str(plan.patient_id)},
            {"plan_patient_idx", "treatments_treatmentplan_patient_id"},
        ),
        ({"chiropractor": str(chiropractor.id)}, {"plan_chiropractor_idx"}),
        (
            {"condition": str(plan.plan_conditions.get().condition_id)},
            {"plan_condition_idx", "treatments_plancondition_condition_id"},
        ),
        ({"status": "on-hold"}, {"plan_status_idx"}),
        ({"phase": "maintenance"}, {"plan_phase_idx"}),
        ({"start_after": "2026-06-01"}, {"plan_start_idx", "plan_chiropractor_idx"}),
        ({"ordering": "created_at"}, {"plan_created_idx"}),
    ]

    failures = unindexed(
        chiropractor_client, "/api/v1/treatment-plans/", "treatments_treatmentplan", queries
    )
    assert not failures, "\n\n".join(failures)
