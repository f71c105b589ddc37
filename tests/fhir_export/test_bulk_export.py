"""FHIR Bulk Data export over HTTP: kick-off, polling, the manifest, the files with the same
token, expiry; run by a real worker of the job queue, under the clinic's row-level security."""

import datetime
import json

import pytest
from django.utils import timezone
from procrastinate.contrib.django import app as project_app

from audit.models import AuditEvent
from fhir_api.resources.patient import PATIENT
from fhir_export.models import BulkExport, BulkExportFile
from fhir_export.runs import expire_exports
from fhir_export.views import EXPORTED
from patients.models import Patient
from tests.conftest import FLUSHABLE_APPS, client_for
from tests.factories import PatientFactory
from tests.fhir_api.conformance import assert_conforms
from tests.job_queue import as_worker

pytestmark = pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)


def run_jobs() -> None:
    with as_worker(project_app) as worker_app:
        worker_app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)


def kick_off(client, clinic, **query):
    return client.get(f"/fhir/R4/Group/{clinic.id}/$export", query, HTTP_PREFER="respond-async")


def test_an_export_is_queued_written_by_a_worker_and_downloaded(
    empty_queue, clinic_admin, clinic, other_clinic
):
    PatientFactory.create_batch(3, clinic=clinic)
    PatientFactory(clinic=other_clinic)
    admin = client_for(clinic_admin)

    started = kick_off(admin, clinic)
    assert started.status_code == 202
    status_url = started["Content-Location"]
    assert status_url.startswith("http://testserver/fhir/R4/bulk-status/")
    waiting = admin.get(status_url)
    assert waiting.status_code == 202 and waiting["Retry-After"] == "5"

    run_jobs()

    done = admin.get(status_url)
    assert done.status_code == 200
    manifest = done.json()
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    assert manifest["request"].endswith(f"/fhir/R4/Group/{clinic.id}/$export")
    patients = next(out for out in manifest["output"] if out["type"] == "Patient")
    assert patients["count"] == 3
    file = admin.get(patients["url"])
    assert file.status_code == 200 and file["Content-Type"] == "application/fhir+ndjson"
    resources = [json.loads(line) for line in file.content.decode().splitlines()]
    assert len(resources) == 3
    for resource in resources:
        assert_conforms(resource, PATIENT, fully_recorded=False)
    assert {r["id"] for r in resources} == {
        str(pk) for pk in Patient.objects.filter(clinic=clinic).values_list("pk", flat=True)
    }


def test_type_and_since_choose_what_is_written(empty_queue, clinic_admin, clinic):
    old = PatientFactory(clinic=clinic)
    admin = client_for(clinic_admin)
    since = timezone.now()
    new = PatientFactory(clinic=clinic)

    status_url = kick_off(admin, clinic, _type="Patient", _since=since.isoformat())[
        "Content-Location"
    ]
    run_jobs()

    manifest = admin.get(status_url).json()
    assert [out["type"] for out in manifest["output"]] == ["Patient"]
    content = admin.get(manifest["output"][0]["url"]).content.decode()
    ids = {json.loads(line)["id"] for line in content.splitlines()}
    assert ids == {str(new.id)} and str(old.id) not in ids


def test_a_score_marked_entered_in_error_is_exported_since_then(
    empty_queue, clinic_admin, chiropractor, clinic, patient
):
    clinician = client_for(chiropractor)
    measure = clinician.post(
        f"/api/v1/patients/{patient.id}/outcomes/",
        {"instrument": "nrs", "value": 6, "measured_at": "2026-11-02T09:00:00Z"},
        format="json",
    ).json()
    since = timezone.now()
    discarded = clinician.delete(f"/api/v1/patients/{patient.id}/outcomes/{measure['id']}/")
    assert discarded.status_code in (200, 204), discarded.content

    admin = client_for(clinic_admin)
    status_url = kick_off(admin, clinic, _type="Observation", _since=since.isoformat())[
        "Content-Location"
    ]
    run_jobs()

    manifest = admin.get(status_url).json()
    content = admin.get(manifest["output"][0]["url"]).content.decode()
    [exported] = [json.loads(line) for line in content.splitlines()]
    assert (exported["id"], exported["status"]) == (measure["id"], "entered-in-error")


def test_files_expire_and_are_removed(empty_queue, clinic_admin, clinic):
    PatientFactory(clinic=clinic)
    admin = client_for(clinic_admin)
    status_url = kick_off(admin, clinic)["Content-Location"]
    run_jobs()
    file_url = admin.get(status_url).json()["output"][0]["url"]
    BulkExport.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert expire_exports() == 1

    assert BulkExportFile.objects.count() == 0
    assert admin.get(status_url).status_code == 404
    assert admin.get(file_url).status_code == 404


def test_one_export_at_a_time_per_clinic(empty_queue, clinic_admin, clinic):
    admin = client_for(clinic_admin)
    assert kick_off(admin, clinic).status_code == 202

    again = kick_off(admin, clinic)

    assert again.status_code == 429
    assert again["Retry-After"] == "5"
    assert again.json()["issue"][0]["details"]["coding"][0]["code"] == "export_in_progress"


def test_a_cancelled_export_is_gone(empty_queue, clinic_admin, clinic):
    admin = client_for(clinic_admin)
    status_url = kick_off(admin, clinic)["Content-Location"]

    assert admin.delete(status_url).status_code == 202

    run_jobs()
    assert admin.get(status_url).status_code == 404
    assert kick_off(admin, clinic).status_code == 202  # the clinic may start another


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"_type": "Patient,Spaceship"}, "unknown_resource_type"),
        ({"_since": "yesterday"}, "invalid_since"),
        ({"_since": "2026-01-01T00:00:00"}, "invalid_since"),
        ({"_outputFormat": "text/csv"}, "unsupported_output_format"),
        ({"_typeFilter": "Patient?name=x"}, "unsupported_export_parameter"),
    ],
)
def test_bad_kick_offs_are_refused_and_queue_nothing(
    empty_queue, clinic_admin, clinic, query, code
):
    response = kick_off(client_for(clinic_admin), clinic, **query)

    assert response.status_code == 400
    assert response.json()["issue"][0]["details"]["coding"][0]["code"] == code
    assert BulkExport.objects.count() == 0


def test_only_clinic_admins_export_their_own_clinic(
    empty_queue, chiropractor, front_desk, other_admin, clinic
):
    assert kick_off(client_for(chiropractor), clinic).status_code == 403
    assert kick_off(client_for(front_desk), clinic).status_code == 403
    assert kick_off(client_for(other_admin), clinic).status_code == 404


def test_the_kick_off_and_each_download_leave_an_audit_event(empty_queue, clinic_admin, clinic):
    PatientFactory(clinic=clinic)
    admin = client_for(clinic_admin)
    status_url = kick_off(admin, clinic)["Content-Location"]
    run_jobs()
    file_url = admin.get(status_url).json()["output"][0]["url"]
    admin.get(file_url)

    events = list(AuditEvent.objects.order_by("id").values_list("action", "resource_type"))
    assert events[-3:] == [
        ("export", "fhir_export"),
        ("read", "fhir_export"),
        ("export", "fhir_export_file"),
    ]


def test_every_exported_type_names_a_change_column_its_rows_have(clinic_admin):
    for kind in EXPORTED:
        if kind.last_updated is not None:
            # As the export filters by it: a field, a related one, or a union's shared column.
            changed = {f"{kind.last_updated}__lte": timezone.now()}
            assert list(kind.rows(clinic_admin).filter(**changed)[:1]) == [], kind.name
