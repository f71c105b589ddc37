"""FHIR import (`POST /fhir/R4/`): a Synthea-style Bundle made into the clinic's records
through the domain's services, once, with every entry answered; scoped, audited, bounded."""

import copy
import datetime
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.roles import Role
from audit.models import AuditEvent
from billing.models import Coverage
from fhir_api.resources.patient import PATIENT
from fhir_import.models import ImportedResource
from fhir_import.services import IMPORT_KINDS
from patients.models import Condition, Patient
from tests.clinical_rows import row_counts
from tests.concurrency import at_once
from tests.conftest import FLUSHABLE_APPS, client_for
from tests.factories import PatientFactory, UserFactory
from tests.fhir_api.conformance import assert_conforms, assert_valid_fhir
from tests.fhir_import.bundles import issues, post, record_id, statuses
from treatments.outcomes.models import OutcomeMeasure

pytestmark = pytest.mark.django_db

FHIR_JSON = "application/fhir+json"
SYNTHEA = json.loads((Path(__file__).parent / "synthea_bundle.json").read_text())
SYNTHEA_PATIENT, SYNTHEA_PAYER, SYNTHEA_COVERAGE, SYNTHEA_SECOND_PATIENT = 0, 7, 8, 9


def synthea(kind: str = "batch", *, only: list[int] | None = None) -> dict:
    bundle = copy.deepcopy(SYNTHEA)
    bundle["type"] = kind
    if only is not None:
        if SYNTHEA_PAYER not in only:  # the coverage's payer is named where it is
            bundle["entry"][SYNTHEA_COVERAGE]["resource"]["payor"][0]["display"] = "Aetna"
        bundle["entry"] = [copy.deepcopy(bundle["entry"][i]) for i in only]
    return bundle


def test_a_synthea_bundle_is_imported_entry_by_entry(chiropractor_client, clinic):
    response = post(chiropractor_client, synthea())

    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    body = response.json()
    assert_valid_fhir(body)
    assert body["type"] == "batch-response"
    assert statuses(response) == [
        "201 Created",  # Patient
        "422 Unprocessable Entity",  # Encounter
        "422 Unprocessable Entity",  # Condition coded in SNOMED CT only
        "201 Created",  # Condition M99.03: lumbar, by the project's own rule
        "201 Created",  # Condition M54.2 with its body region given
        "201 Created",  # Observation: pain score
        "422 Unprocessable Entity",  # Observation: body height
        "422 Unprocessable Entity",  # Organization
        "201 Created",  # Coverage
        "201 Created",  # Patient
        "422 Unprocessable Entity",  # Condition coded in SNOMED CT only
        "201 Created",  # Observation: pain score
    ]
    entries = body["entry"]
    patient = Patient.objects.get(pk=record_id(entries[0]))
    assert entries[0]["response"]["location"] == f"Patient/{patient.pk}/_history/1"
    assert entries[0]["fullUrl"] == f"http://testserver/fhir/R4/Patient/{patient.pk}"
    assert entries[0]["response"]["etag"] == 'W/"1"'
    assert (patient.clinic_id, patient.given_name, patient.family_name) == (
        clinic.pk,
        "Kerry175",
        "Hermiston71",
    )
    assert (patient.date_of_birth, patient.sex_at_birth) == (datetime.date(1978, 7, 17), "male")
    assert patient.phone == "+16175550143"  # 555-386-7564 cannot exist: reported, not kept
    assert (patient.address_line1, patient.city, patient.region) == (
        "937 Kuhic Mall Unit 43",
        "Boston",
        "MA",
    )
    assert (patient.postal_code, patient.country) == ("02108", "US")
    assert patient.chart_number == "000001"  # the clinic's own numbering
    second = Patient.objects.get(pk=record_id(entries[SYNTHEA_SECOND_PATIENT]))
    assert (second.given_name, second.family_name, second.sex_at_birth) == (
        "Sharyl Ann",
        "Kshlerin58",
        "female",
    )
    assert (second.email, second.address_line2) == ("sharyl.kshlerin@example.com", "Apt 4")

    lumbar = Condition.objects.get(pk=record_id(entries[3]))
    assert (lumbar.patient_id, lumbar.code, lumbar.body_region) == (patient.pk, "M99.03", "lumbar")
    assert (lumbar.onset_date, lumbar.clinical_status) == (datetime.date(2024, 5, 2), "active")
    assert lumbar.note == "Worse after lifting boxes at work."
    neck = Condition.objects.get(pk=record_id(entries[4]))
    assert (neck.code, neck.display, neck.body_region, neck.onset_date) == (
        "M54.2",
        "Cervicalgia",
        "cervical",
        None,  # "2024-04": a partial date, reported
    )
    pain = OutcomeMeasure.objects.get(pk=record_id(entries[5]))
    assert (pain.patient_id, pain.instrument, pain.score, pain.max_score) == (
        patient.pk,
        "nrs",
        6,
        10,
    )
    assert pain.measured_at == datetime.datetime(2024, 5, 2, 13, 5, tzinfo=datetime.UTC)
    assert entries[5]["response"]["location"] == f"Observation/{pain.pk}"
    coverage = Coverage.objects.get(pk=record_id(entries[8]))
    assert (coverage.patient_id, coverage.payer_name, coverage.payer_type) == (
        patient.pk,
        "Aetna",  # the payer Organization of the Bundle
        "commercial",  # Source of Payment Typology 5: private health insurance
    )
    assert (coverage.member_id, coverage.group_number, coverage.priority) == (
        "W123456789",
        "GRP-100234",
        "primary",
    )
    assert (coverage.subscriber_relationship, coverage.starts_on) == (
        "self",
        datetime.date(2023, 1, 1),
    )
    assert OutcomeMeasure.objects.get(pk=record_id(entries[11])).patient_id == second.pk


def test_what_is_not_kept_is_said_in_the_entrys_answer(chiropractor_client):
    entry = post(chiropractor_client, synthea()).json()["entry"][SYNTHEA_PATIENT]

    warned = {
        tuple(expression) for severity, _, expression in issues(entry) if severity == "warning"
    }
    assert ("Bundle.entry[0].resource.identifier[2]",) in warned  # the SSN: neither kept nor a key
    assert ("Bundle.entry[0].resource.identifier[3]",) in warned  # the driver's licence
    assert ("Bundle.entry[0].resource.telecom[0].value",) in warned  # 555-386-7564
    assert ("Bundle.entry[0].resource.maritalStatus",) in warned
    assert ("Bundle.entry[0].resource.extension",) in warned  # race, ethnicity, …
    assert not ImportedResource.objects.filter(source_value="999-58-8914").exists()


def test_posting_the_same_bundle_again_creates_nothing(chiropractor_client):
    first = post(chiropractor_client, synthea())
    before = row_counts()

    again = post(chiropractor_client, synthea())

    assert row_counts() == before
    assert again.status_code == 200
    for was, now in zip(first.json()["entry"], again.json()["entry"], strict=True):
        if was["response"]["status"] == "201 Created":
            assert now["response"]["status"] == "200 OK"
            location = was["response"]["location"].removesuffix("/_history/1")
            assert now["response"]["location"] == location
            assert issues(now) == [("information", None, None)]
        else:
            assert now["response"]["status"] == was["response"]["status"]
    assert Patient.objects.count() == 2 and Condition.objects.count() == 2


def test_the_same_bundle_as_a_transaction_after_a_batch_creates_nothing(chiropractor_client):
    mappable = [0, 3, 4, 5, 8, 9, 11]
    post(chiropractor_client, synthea(only=mappable))
    before = row_counts()

    again = post(chiropractor_client, synthea("transaction", only=mappable))

    assert again.status_code == 200, again.json()
    assert again.json()["type"] == "transaction-response"
    assert set(statuses(again)) == {"200 OK"}
    assert row_counts() == before


def test_a_condition_coded_in_snomed_only_is_reported_not_mappable(chiropractor_client):
    entries = post(chiropractor_client, synthea()).json()["entry"]

    for index in (2, 10):
        assert issues(entries[index]) == [
            ("error", "not_mappable", [f"Bundle.entry[{index}].resource.code"])
        ]
        text = entries[index]["response"]["outcome"]["issue"][0]["details"]["text"]
        assert "ICD-10-CM" in text and "http://snomed.info/sct|" in text
    assert not Condition.objects.filter(code__startswith="J").exists()


def test_other_resource_types_are_reported_per_entry(chiropractor_client):
    entries = post(chiropractor_client, synthea()).json()["entry"]

    # A GP's encounter for a symptom: no chiropractic visit (fhir_import.encounter).
    assert issues(entries[1]) == [("error", "not_mappable", ["Bundle.entry[1].resource.type"])]
    assert issues(entries[7]) == [
        ("error", "unsupported_resource_type", ["Bundle.entry[7].resource.resourceType"])
    ]
    assert issues(entries[6]) == [("error", "not_mappable", ["Bundle.entry[6].resource.code"])]


def test_a_transaction_with_one_invalid_entry_writes_nothing(chiropractor_client):
    bundle = synthea("transaction", only=[0, 3, 4, 5, 8, 9, 11])
    bundle["entry"][5]["resource"]["birthDate"] = "2999-01-01"
    before = row_counts()

    response = post(chiropractor_client, bundle)

    assert response.status_code == 400
    outcome = response.json()
    assert_valid_fhir(outcome)
    assert outcome["resourceType"] == "OperationOutcome"
    [issue] = outcome["issue"]
    assert issue["details"]["coding"][0]["code"] == "future_date"
    assert issue["expression"] == ["Bundle.entry[5].resource.birthDate"]
    assert row_counts() == before  # the first patient, written before, was rolled back too


def test_a_transaction_with_an_entry_that_cannot_be_kept_writes_nothing(chiropractor_client):
    before = row_counts()

    response = post(chiropractor_client, synthea("transaction"))

    assert response.status_code == 422
    [issue] = response.json()["issue"]
    assert issue["code"] == "processing"
    assert issue["details"]["coding"][0]["code"] == "unsupported_resource_type"
    # Entries are written by rank: the Organization (no kind, first) before the Encounter.
    assert issue["expression"] == ["Bundle.entry[7].resource.resourceType"]
    assert row_counts() == before


def test_a_transaction_of_entries_that_refer_to_each_other_in_any_order(chiropractor_client):
    # The condition comes before its patient: patients are imported first.
    bundle = synthea("transaction", only=[3, 0])

    response = post(chiropractor_client, bundle)

    assert response.status_code == 200
    assert_valid_fhir(response.json())
    assert statuses(response) == ["201 Created", "201 Created"]
    condition = Condition.objects.get()
    assert str(condition.patient_id) == record_id(response.json()["entry"][1])


def test_a_batch_keeps_its_good_entries(chiropractor_client):
    bundle = synthea()
    bundle["entry"][SYNTHEA_SECOND_PATIENT]["resource"]["birthDate"] = "2999-01-01"

    entries = post(chiropractor_client, bundle).json()["entry"]

    assert entries[9]["response"]["status"] == "400 Bad Request"
    assert issues(entries[9]) == [("error", "future_date", ["Bundle.entry[9].resource.birthDate"])]
    # Its pain score has no patient to go to.
    assert entries[11]["response"]["status"] == "422 Unprocessable Entity"
    assert issues(entries[11]) == [
        ("error", "unresolved_reference", ["Bundle.entry[11].resource.subject.reference"])
    ]
    assert [
        e["response"]["status"] for e in entries if e["response"]["status"].startswith("2")
    ] == ["201 Created"] * 5
    assert Patient.objects.count() == 1 and OutcomeMeasure.objects.count() == 1


@pytest.mark.parametrize(
    ("entry", "change", "code", "expression"),
    [
        (0, {"name": [{"family": "x" * 101, "given": ["Ana"]}]}, "max_length", "name[0].family"),
        (0, {"gender": None, "extension": []}, "required", "gender"),
        (0, {"birthDate": "1978"}, "invalid", "birthDate"),
        (
            4,
            {"code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M54"}]}},
            "not_billable",
            "code.coding[0].code",
        ),
        (
            4,
            {
                "code": {
                    "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Q99.99"}]
                }
            },
            "unknown_code",
            "code.coding[0].code",
        ),
        (
            3,
            {
                "code": {
                    "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M99.06"}]
                }
            },
            "laterality_required",
            "bodySite",
        ),
        (3, {"onsetDateTime": "1970-01-01"}, "before_birth", "onsetDateTime"),
        (4, {"bodySite": []}, "not_mappable", "bodySite"),
        (5, {"valueQuantity": {"value": 11}}, "max_value", "valueQuantity.value"),
        (5, {"effectiveDateTime": "2024-05-02T09:05:00"}, "naive", "effectiveDateTime"),
        (5, {"status": "preliminary"}, "not_mappable", "status"),
        (8, {"identifier": [], "subscriberId": None}, "required", "subscriberId"),
        (8, {"type": {"text": "Aetna"}}, "not_mappable", "type"),
        (
            8,
            {"period": {"start": "2024-01-01", "end": "2023-01-01"}},
            "ends_before_start",
            "period.end",
        ),
    ],
)
def test_refusals_name_the_element_they_come_from(
    chiropractor_client, entry, change, code, expression
):
    bundle = synthea(only=[0, 3, 4, 5, 8])
    index = [0, 3, 4, 5, 8].index(entry)
    resource = bundle["entry"][index]["resource"]
    resource.update(change)
    for name in [name for name, value in change.items() if value is None]:
        del resource[name]

    entries = post(chiropractor_client, bundle).json()["entry"]

    assert ("error", code, [f"Bundle.entry[{index}].resource.{expression}"]) in issues(
        entries[index]
    )
    assert entries[index]["response"]["status"].startswith(("400", "422"))


def test_a_payer_contained_in_the_coverage_and_a_spouses_plan(chiropractor_client):
    bundle = synthea(only=[0, 8])
    coverage = bundle["entry"][1]["resource"]
    coverage["contained"] = [{"resourceType": "Organization", "id": "payer", "name": "Medicare"}]
    coverage["payor"] = [{"reference": "#payer"}]
    coverage["type"] = {"coding": [{"system": "https://nahdo.org/sopt", "code": "121"}]}
    coverage["relationship"]["coding"][0]["code"] = "spouse"
    coverage["subscriber"] = {"display": "Jane Hermiston71"}
    coverage["order"] = 2

    entries = post(chiropractor_client, bundle).json()["entry"]

    assert entries[1]["response"]["status"] == "201 Created"
    found = Coverage.objects.get(pk=record_id(entries[1]))
    assert (found.payer_name, found.payer_type, found.priority) == (
        "Medicare",
        "medicare",
        "secondary",
    )
    assert (found.subscriber_relationship, found.subscriber_name) == ("spouse", "Jane Hermiston71")


def test_an_archived_patient_takes_no_imported_records(chiropractor_client, patient):
    assert chiropractor_client.delete(f"/api/v1/patients/{patient.pk}/").status_code == 204
    bundle = synthea("transaction", only=[5])
    bundle["entry"][0]["resource"]["subject"] = {"reference": f"Patient/{patient.pk}"}

    response = post(chiropractor_client, bundle)

    assert response.status_code == 409
    [issue] = response.json()["issue"]
    assert (issue["code"], issue["details"]["coding"][0]["code"]) == (
        "conflict",
        "patient_archived",
    )
    assert issue["expression"] == ["Bundle.entry[0].resource.subject.reference"]
    assert not OutcomeMeasure.objects.exists()


def test_an_entry_to_update_is_refused(chiropractor_client):
    bundle = synthea(only=[0])
    bundle["entry"][0]["request"] = {"method": "PUT", "url": "Patient/5cbc121b"}

    entries = post(chiropractor_client, bundle).json()["entry"]

    assert issues(entries[0]) == [("error", "invalid_entry", ["Bundle.entry[0].request.method"])]


def test_a_reference_to_another_clinics_patient_is_refused(
    chiropractor_client, patient, other_clinic
):
    theirs = PatientFactory(clinic=other_clinic)
    bundle = synthea(only=[3, 3])
    mine, other = (entry["resource"] for entry in bundle["entry"])
    bundle["entry"][1]["fullUrl"] = "urn:uuid:11111111-2222-4333-8444-555555555555"
    mine["subject"] = {"reference": f"Patient/{patient.pk}"}
    other["subject"] = {"reference": f"Patient/{theirs.pk}"}
    mine["onsetDateTime"] = other["onsetDateTime"] = "2024-05-02"

    entries = post(chiropractor_client, bundle).json()["entry"]

    assert entries[0]["response"]["status"] == "201 Created"
    assert Condition.objects.get(pk=record_id(entries[0])).patient_id == patient.pk
    assert issues(entries[1]) == [
        ("error", "unresolved_reference", ["Bundle.entry[1].resource.subject.reference"])
    ]
    assert not Condition.objects.filter(patient=theirs).exists()


def test_front_desk_may_not_import(front_desk_client):
    before = row_counts()

    response = post(front_desk_client, synthea())

    assert response.status_code == 403
    assert response.json()["issue"][0]["code"] == "forbidden"
    assert row_counts() == before


def test_a_clinic_admin_imports_all_but_pain_scores_which_chiropractors_record(clinic_admin_client):
    entries = post(clinic_admin_client, synthea()).json()["entry"]

    for index in (5, 11):
        assert entries[index]["response"]["status"] == "403 Forbidden"
        assert issues(entries[index]) == [
            ("error", "permission_denied", [f"Bundle.entry[{index}].resource"])
        ]
    assert [entries[i]["response"]["status"] for i in (0, 3, 4, 8, 9)] == ["201 Created"] * 5
    assert not OutcomeMeasure.objects.exists()


def test_one_audit_event_names_the_records_and_their_patients(chiropractor_client, chiropractor):
    before = AuditEvent.objects.count()

    entries = post(chiropractor_client, synthea()).json()["entry"]

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.resource_type, event.status_code) == ("create", "fhir_import", 200)
    assert (event.user_id, event.method, event.path) == (chiropractor.pk, "POST", "/fhir/R4/")
    written = [record_id(e) for e in entries if e["response"]["status"] == "201 Created"]
    assert [str(i) for i in event.object_ids] == written
    patients = {record_id(entries[0]), record_id(entries[SYNTHEA_SECOND_PATIENT])}
    assert {str(i) for i in event.patient_ids} == patients

    post(chiropractor_client, synthea())

    again = AuditEvent.objects.order_by("-id").first()
    assert [str(i) for i in again.object_ids] == written  # imported before: named again


def test_a_refused_transaction_leaves_one_event_naming_no_record(chiropractor_client):
    before = AuditEvent.objects.count()

    post(chiropractor_client, synthea("transaction"))

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.status_code, event.object_ids, event.patient_ids) == (422, [], [])


def test_another_clinic_importing_the_same_bundle_gets_records_of_its_own(
    chiropractor_client, other_admin_client, other_admin
):
    mine = post(chiropractor_client, synthea(only=[0])).json()["entry"][0]

    theirs = post(other_admin_client, synthea(only=[0])).json()["entry"][0]

    assert theirs["response"]["status"] == "201 Created"
    assert record_id(theirs) != record_id(mine)
    assert Patient.objects.get(pk=record_id(theirs)).clinic_id == other_admin.clinic_id


def test_imported_patients_read_back_as_us_core(chiropractor_client):
    entries = post(chiropractor_client, synthea()).json()["entry"]

    read = chiropractor_client.get(
        f"/fhir/R4/{entries[0]['response']['location'].rsplit('/_history', 1)[0]}"
    )

    assert read.status_code == 200
    patient = read.json()
    assert_conforms(patient, PATIENT, fully_recorded=False)
    assert patient["birthDate"] == "1978-07-17" and patient["gender"] == "male"
    assert patient["name"][0]["family"] == "Hermiston71"


def _bundle_of(patients: int) -> dict:
    """`patients` patients, each with a condition, a coverage and a pain score."""
    template = synthea(only=[0, 3, 8, 5])
    entries = []
    for n in range(patients):
        group = copy.deepcopy(template["entry"])
        patient_url = f"urn:uuid:00000000-0000-4000-8000-{n:012d}"
        for kind, entry in enumerate(group):
            entry["fullUrl"] = f"urn:uuid:00000000-0000-4000-{8001 + kind}-{n:012d}"
            resource = entry["resource"]
            resource.pop("identifier", None)
            for element in ("subject", "beneficiary"):
                if element in resource:
                    resource[element] = {"reference": patient_url}
            resource["payor"] = [{"display": "Aetna"}] if kind == 2 else None
            resource["subscriberId"] = f"W{n:09d}" if kind == 2 else None
            for name in ("payor", "subscriberId"):
                if resource[name] is None:
                    del resource[name]
        group[0]["fullUrl"] = patient_url
        entries += group
    return {"resourceType": "Bundle", "type": "batch", "entry": entries}


def _statements(client, bundle: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = post(client, bundle)
    assert response.status_code == 200
    return len(queries)


def test_statements_grow_by_a_constant_per_entry_and_not_at_all_for_entries_imported_before(
    chiropractor_client,
):
    one, three, five = (_bundle_of(n) for n in (1, 3, 5))
    for bundle in (one, three, five):  # fresh fullUrls each: all of them new
        assert len(bundle["entry"]) % 4 == 0
    first = _statements(chiropractor_client, one)
    second = _statements(chiropractor_client, _renumbered(three, 100))
    third = _statements(chiropractor_client, _renumbered(five, 200))

    per_patient = (second - first) // 2
    assert third - second == second - first  # linear: the same statements for each entry
    # Patient, condition, coverage and pain score: at most 16 statements each (measured:
    # see fhir_import.services), savepoints included.
    assert per_patient <= 4 * 16, per_patient
    # Again: whatever the size, a constant (nothing is written).
    assert _statements(chiropractor_client, _renumbered(three, 100)) == _statements(
        chiropractor_client, one
    )


def _renumbered(bundle: dict, offset: int) -> dict:
    """The same Bundle with its fullUrls moved, so that its entries are new to the clinic."""
    text = json.dumps(bundle)
    for n in range(len(bundle["entry"])):
        text = text.replace(f'-{n:012d}"', f'-{n + offset:012d}"')
    return json.loads(text)


def test_too_many_entries_are_refused_before_anything_is_read(chiropractor_client, settings):
    settings.FHIR_IMPORT_MAX_ENTRIES = 3

    response = post(chiropractor_client, synthea())

    assert response.status_code == 413
    [issue] = response.json()["issue"]
    assert (issue["code"], issue["details"]["coding"][0]["code"]) == (
        "too-costly",
        "too_many_entries",
    )
    assert not Patient.objects.exists()


def test_the_import_has_its_own_body_limit(chiropractor_client, settings):
    # Far under a Bundle, and under it what Django reads of a body (request.body) too: the
    # import's parser reads the stream itself, up to its own limit (api.parsers).
    settings.API_MAX_BODY_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    assert post(chiropractor_client, synthea()).status_code == 200
    assert post(chiropractor_client, synthea(), content_type="application/json").status_code == 200

    settings.FHIR_IMPORT_MAX_BODY_BYTES = 2048
    response = post(chiropractor_client, synthea())

    assert response.status_code == 413
    assert response.json()["issue"][0]["details"]["coding"][0]["code"] == "request_too_large"


@pytest.mark.parametrize(
    ("body", "expression"),
    [
        ({}, "Bundle"),
        ({"resourceType": "Patient"}, "Bundle"),
        ({"resourceType": "Bundle", "type": "searchset"}, "Bundle.type"),
        ({"resourceType": "Bundle", "type": "batch", "entry": {}}, "Bundle.entry"),
        (
            {
                "resourceType": "Bundle",
                "type": "batch",
                "entry": [{"fullUrl": "urn:a"}, {"fullUrl": "urn:a"}],
            },
            "Bundle.entry[1].fullUrl",
        ),
    ],
)
def test_a_body_that_is_not_a_transaction_or_batch_is_refused(
    chiropractor_client, body, expression
):
    response = post(chiropractor_client, body)

    assert response.status_code == 400
    [issue] = response.json()["issue"]
    assert issue["details"]["coding"][0]["code"] == "invalid_bundle"
    assert issue["expression"] == [expression]


def test_an_empty_batch_answers_an_empty_batch_response(chiropractor_client):
    response = post(chiropractor_client, {"resourceType": "Bundle", "type": "batch"})

    assert response.status_code == 200
    assert response.json() == {"resourceType": "Bundle", "type": "batch-response"}


def test_the_capability_statement_says_transactions_and_batches_are_taken(anonymous_client):
    statement = anonymous_client.get("/fhir/R4/metadata").json()

    assert_valid_fhir(statement)
    interactions = {i["code"]: i["documentation"] for i in statement["rest"][0]["interaction"]}
    assert set(interactions) == {"transaction", "batch"}
    assert f"{', '.join(IMPORT_KINDS)} resources" in interactions["batch"]  # what is imported


def test_plain_json_at_the_base_without_its_slash(chiropractor_client):
    response = post(
        chiropractor_client, synthea(only=[0]), path="/fhir/R4", content_type="application/json"
    )

    assert response.status_code == 200
    assert statuses(response) == ["201 Created"]


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_two_imports_of_the_same_bundle_at_once_create_each_record_once(chiropractor):
    clients = [client_for(chiropractor) for _ in range(2)]
    bundle = synthea("transaction", only=[0, 3, 8, 5])

    answers: list[list[str]] = [[], []]

    def import_it(n: int) -> int:
        response = post(clients[n], bundle)
        answers[n] = statuses(response) if response.status_code == 200 else []
        return response.status_code

    assert at_once(import_it, 2) == [200, 200]
    assert sorted(answers) == [["200 OK"] * 4, ["201 Created"] * 4]
    assert (Patient.objects.count(), Condition.objects.count(), Coverage.objects.count()) == (
        1,
        1,
        1,
    )
    assert OutcomeMeasure.objects.count() == 1


@pytest.mark.system
def test_a_bundle_of_the_most_entries_is_written_within_the_requests_deadline(
    chiropractor_client, settings
):
    """Every entry written (the costliest Bundle the bounds let in) still answers within
    DB_REQUEST_TIMEOUT_MS, past which the request's connection would be cut (503)."""
    bundle = _bundle_of(settings.FHIR_IMPORT_MAX_ENTRIES // 4)

    response = post(chiropractor_client, bundle)

    assert response.status_code == 200
    assert set(statuses(response)) == {"201 Created"}
    assert Patient.objects.count() == settings.FHIR_IMPORT_MAX_ENTRIES // 4


def test_what_this_server_serves_imports_into_another_clinic_as_it_was(
    chiropractor_client, patient, other_clinic
):
    """Round trip: a patient's records as the FHIR face serves them, posted to another clinic
    (entries at their RESTful fullUrls, referring to each other relatively), hold the same."""
    patient_id = patient.pk
    conditions = [
        chiropractor_client.post(f"/api/v1/patients/{patient_id}/conditions/", body).json()["id"]
        for body in (
            {
                "code": "M99.07",
                "body_region": "upper_extremity",
                "laterality": "right",
                "onset_date": "2025-10-01",
                "note": "Shoulder after a fall.",
            },
            {
                "code": "M54.2",
                "body_region": "cervical",
                "clinical_status": "resolved",
                "onset_date": "2025-06-01",
                "resolved_on": "2025-09-01",
            },
        )
    ]
    coverage = chiropractor_client.post(
        "/api/v1/coverages/",
        {
            "patient": str(patient_id),
            "payer_name": "Medicare Part B",
            "payer_type": "medicare",
            "payer_id": "MCR01",
            "member_id": "1EG4-TE5-MK73",
            "starts_on": "2025-01-01",
        },
    ).json()["id"]
    pain = chiropractor_client.post(
        f"/api/v1/patients/{patient_id}/outcomes/",
        {"instrument": "nrs", "value": 4, "measured_at": "2025-11-01T10:00:00Z"},
    ).json()["id"]
    served = [
        chiropractor_client.get(f"/fhir/R4/{path}").json()
        for path in (
            f"Patient/{patient_id}",
            *(f"Condition/{c}" for c in conditions),
            f"Coverage/{coverage}",
            f"Observation/{pain}",
        )
    ]
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"http://testserver/fhir/R4/{r['resourceType']}/{r['id']}",
                "resource": r,
                "request": {"method": "POST", "url": r["resourceType"]},
            }
            for r in served
        ],
    }
    elsewhere = client_for(UserFactory(clinic=other_clinic, role=Role.CHIROPRACTOR))

    response = post(elsewhere, bundle)

    assert response.status_code == 200, response.json()
    assert set(statuses(response)) == {"201 Created"}
    kept = [
        "given_name",
        "family_name",
        "preferred_name",
        "date_of_birth",
        "sex_at_birth",
        "phone",
        "email",
    ]
    copy_of = Patient.objects.get(clinic=other_clinic)
    assert {f: getattr(copy_of, f) for f in kept} == {f: getattr(patient, f) for f in kept}
    kept = [
        "code",
        "body_region",
        "laterality",
        "onset_date",
        "clinical_status",
        "verification_status",
        "resolved_on",
        "note",
    ]
    assert sorted(Condition.objects.filter(clinic=other_clinic).values_list(*kept)) == sorted(
        Condition.objects.filter(pk__in=conditions).values_list(*kept)
    )
    kept = [
        "payer_name",
        "payer_type",
        "payer_id",
        "member_id",
        "subscriber_relationship",
        "priority",
        "starts_on",
        "ends_on",
    ]
    assert list(Coverage.objects.filter(clinic=other_clinic).values_list(*kept)) == list(
        Coverage.objects.filter(pk=coverage).values_list(*kept)
    )
    kept = ["instrument", "score", "max_score", "measured_at"]
    assert list(OutcomeMeasure.objects.filter(clinic=other_clinic).values_list(*kept)) == list(
        OutcomeMeasure.objects.filter(pk=pain).values_list(*kept)
    )
    assert {e.patient_id for e in Condition.objects.filter(clinic=other_clinic)} == {copy_of.pk}
