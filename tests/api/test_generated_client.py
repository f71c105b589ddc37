"""A front-end team's first day: a Python client generated from `openapi.yaml` by
openapi-python-client (without a warning) runs a clinical day against a live server, through
its typed functions and models only: no hand-written request."""

import datetime
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import FLUSHABLE_APPS
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.system  # a generated client, compiled and run

PACKAGE = "chiro_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The client package, generated once for the module."""
    out = tmp_path_factory.mktemp("generated")
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(Path(settings.BASE_DIR) / "openapi.yaml"),
            "--config",
            str(Path(settings.BASE_DIR) / "openapi-python-client.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(out / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        # Its post-generation step formats the code with ruff, found on PATH.
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Warning" not in output and "Error" not in output, output
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def call(module_path: str, **kwargs):
    """`chiro_client.api.<module_path>.sync_detailed(**kwargs)`, the answer's typed body."""
    module = importlib.import_module(f"{PACKAGE}.api.{module_path}")
    response = module.sync_detailed(**kwargs)
    assert 200 <= response.status_code < 300, (module_path, response.status_code, response.content)
    return response.parsed


def model(name: str):
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_generated_client_runs_a_clinical_day(
    generated, live_server, chiropractor, patient, full_plan
):
    base = live_server.url
    login = call(
        "auth.auth_login",
        client=generated.Client(base_url=base),
        body=model("LoginRequest")(username=chiropractor.username, password=TEST_PASSWORD),
    )
    client = generated.AuthenticatedClient(base_url=base, token=login.token)
    assert call("auth.auth_me", client=client).role.value == "chiropractor"

    # Find the patient, and a diagnosis through the ICD-10 search.
    page = call("patients.patients_list", client=client, name=patient.family_name[:4])
    assert str(patient.id) in {str(row.id) for row in page.results}
    assert page.next_cursor is None
    patient_id = str(patient.id)
    found = call("reference.reference_icd10_search", client=client, q="low back pain")
    code = next(item.code for item in found if item.code.startswith("M54.5"))
    condition = call(
        "patients.patients_conditions_create",
        client=client,
        patient_pk=patient_id,
        body=model("ConditionRequest").from_dict(
            {"code": code, "onset_date": "2026-10-01", "body_region": "lumbar"}
        ),
    )
    assert condition.code == code

    # A plan with all three kinds of intervention, activated.
    plan = call(
        "treatment_plans.treatment_plans_create",
        client=client,
        body=model("TreatmentPlanRequest").from_dict(
            {**full_plan, "conditions": [*full_plan["conditions"], str(condition.id)]}
        ),
    )
    assert len(plan.adjustments) == 3 and len(plan.soft_tissue) == 1 and len(plan.exercises) == 2
    activated = call("treatment_plans.treatment_plans_activate_create", client=client, id=plan.id)
    assert activated.status.value == "active"

    # A visit logged against it, signed, and coded.
    visit_at = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)).isoformat()
    visit = call(
        "visits.visits_create",
        client=client,
        body=model("VisitRequest").from_dict(
            {
                "patient": patient_id,
                "plan": str(plan.id),
                "visit_at": visit_at,
                "pain_before": 6,
                "pain_after": 3,
                "subjective": "Stiff neck after a week at the desk.",
                "findings": [
                    {"region": "cervical", "pain": True, "asymmetry": True},
                ],
                "adjustments": [
                    {
                        "planned_item": str(plan.adjustments[0].id),
                        "segment": "C5",
                        "listing": "PRS",
                        "technique": "diversified",
                    }
                ],
                "soft_tissue": [
                    {
                        "planned_item": str(plan.soft_tissue[0].id),
                        "modality": "myofascial_release",
                        "muscles": ["upper_trapezius"],
                        "minutes": 10,
                    }
                ],
                "exercises": [
                    {
                        "planned_item": str(plan.exercises[0].id),
                        "exercise": "chin_tuck",
                        "sets": 2,
                        "repetitions": 10,
                        "minutes": 15,
                    }
                ],
            }
        ),
    )
    signed = call("visits.visits_sign_create", client=client, id=visit.id)
    assert signed.signed_at is not None
    coding = call("visits.visits_coding_retrieve", client=client, id=visit.id)
    assert {line.cpt.value for line in coding.lines} >= {"98940"}

    # An NDI questionnaire, scored by the server, and the plan's progress.
    ndi = call(
        "patients.patients_outcomes_create",
        client=client,
        patient_pk=patient_id,
        body=model("OutcomeMeasureRequest").from_dict(
            {"instrument": "ndi", "answers": [2, 3, 1, 0, 4, 2, 3, 1, 2, 1]}
        ),
    )
    assert ndi.score == 19
    progress = call("treatment_plans.treatment_plans_progress_retrieve", client=client, id=plan.id)
    assert progress.visits_done == 1
    assert progress.reexamination.due_because.value in {"visits", "days"}

    call("auth.auth_logout", client=client)
