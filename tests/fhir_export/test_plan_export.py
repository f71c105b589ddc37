"""A bulk export writes treatment plans, goals and planned interventions (the last from three
tables) like any other type: every one once, valid US Core, under the clinic's security."""

import json

import pytest
from procrastinate.contrib.django import app as project_app

from fhir_api.registry import KINDS_BY_NAME
from tests.conftest import FLUSHABLE_APPS, client_for
from tests.fhir_api.conformance import assert_conforms
from tests.fhir_api.plans import write_plan
from tests.job_queue import as_worker

pytestmark = pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)


def test_plans_goals_and_requests_are_exported(
    empty_queue, clinic_admin, chiropractor, clinic, full_plan
):
    plan = write_plan(client_for(chiropractor), full_plan)
    admin = client_for(clinic_admin)
    status_url = admin.get(
        f"/fhir/R4/Group/{clinic.id}/$export",
        {"_type": "CarePlan,Goal,ServiceRequest"},
        HTTP_PREFER="respond-async",
    )["Content-Location"]
    with as_worker(project_app) as worker_app:
        worker_app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)

    manifest = admin.get(status_url).json()
    exported: dict[str, list[str]] = {}
    for output in manifest["output"]:
        for line in admin.get(output["url"]).content.decode().splitlines():
            resource = json.loads(line)
            assert_conforms(resource, KINDS_BY_NAME[output["type"]], fully_recorded=False)
            exported.setdefault(output["type"], []).append(resource["id"])

    items = plan["adjustments"] + plan["soft_tissue"] + plan["exercises"]
    assert exported["CarePlan"] == [plan["id"]]
    assert sorted(exported["Goal"]) == sorted(goal["id"] for goal in plan["goals"])
    assert sorted(exported["ServiceRequest"]) == sorted(item["id"] for item in items)
