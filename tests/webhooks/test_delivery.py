"""Deliveries to a real local receiver: signed per Standard Webhooks, retried on the schedule,
in order per record, cut at the timeout, stopped by a 410, failing once the schedule is spent,
refused at a private address in production; the log, redelivery and the test event."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from tests.webhooks.conftest import ENDPOINTS, NEW_PATIENT, make_due, pump, register
from tests.webhooks.receiver import Receiver, running
from webhooks.delivery import deliver_due
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.schedule import MAX_ATTEMPTS

pytestmark = pytest.mark.django_db


def new_patient(client) -> dict:
    response = client.post("/api/v1/patients/", NEW_PATIENT)
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_new_patient_is_delivered_signed_with_a_thin_payload(
    clinic_admin_client, front_desk_client, receiver
):
    endpoint = register(clinic_admin_client, receiver.url)
    patient = new_patient(front_desk_client)

    assert pump(endpoint["id"]) == 1

    [received] = receiver.received
    body = Webhook(endpoint["secret"]).verify(received.body, received.headers)
    assert body["type"] == "patient.created"
    assert body["data"]["resource_type"] == "patient"
    assert body["data"]["resource_id"] == patient["id"]
    assert body["data"]["version"] == 1
    assert received.headers["webhook-id"] == body["data"]["id"]
    assert received.headers["webhook-id"].startswith("evt_")
    assert received.headers["content-type"] == "application/json"
    # Ids only: no name, no date of birth.
    assert "Okafor" not in received.body.decode()
    assert "1988" not in received.body.decode()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)


def test_a_tampered_body_or_an_old_timestamp_fails_verification(
    clinic_admin_client, front_desk_client, receiver
):
    endpoint = register(clinic_admin_client, receiver.url)
    new_patient(front_desk_client)
    pump(endpoint["id"])
    [received] = receiver.received
    webhook = Webhook(endpoint["secret"])

    tampered = received.body.replace(b"patient.created", b"patient.archived")
    with pytest.raises(WebhookVerificationError):
        webhook.verify(tampered, received.headers)
    # An old message, replayed: signed properly, but outside the tolerance.
    old = datetime.now(UTC) - timedelta(hours=1)
    replayed = {
        **received.headers,
        "webhook-timestamp": str(int(old.timestamp())),
        "webhook-signature": webhook.sign(received.headers["webhook-id"], old, received.body),
    }
    with pytest.raises(WebhookVerificationError):
        webhook.verify(received.body, replayed)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(received.body, received.headers)


def test_events_not_subscribed_are_not_sent_and_a_new_endpoint_gets_no_history(
    clinic_admin_client, front_desk_client, receiver
):
    new_patient(front_desk_client)  # before the endpoint: not sent
    pump_first = register(clinic_admin_client, receiver.url, event_types=["patient.updated"])
    patient = new_patient(front_desk_client)
    changed = front_desk_client.patch(
        f"/api/v1/patients/{patient['id']}/", {"occupation": "Welder"}
    )
    assert changed.status_code == 200

    pump(pump_first["id"])

    assert [json.loads(r.body)["type"] for r in receiver.received] == ["patient.updated"]


def test_a_500_then_200_is_delivered_on_the_second_attempt_with_the_same_id(
    clinic_admin_client, front_desk_client, receiver
):
    receiver.answers = [500, 200]
    endpoint = register(clinic_admin_client, receiver.url)
    new_patient(front_desk_client)

    pump(endpoint["id"])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code == 500
    # The schedule's first retry: 5 seconds later.
    assert timedelta(seconds=4) < delivery.next_attempt_at - delivery.created_at
    assert deliver_due(endpoint["id"]) == 0  # not due yet
    make_due(endpoint["id"])
    assert deliver_due(endpoint["id"]) == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    log = clinic_admin_client.get(f"{ENDPOINTS}{endpoint['id']}/deliveries/").json()["results"]
    assert [(a["number"], a["status_code"]) for a in log[0]["attempt_log"]] == [
        (1, 500),
        (2, 200),
    ]
    assert log[0]["attempt_log"][0]["response_excerpt"] == "answer 500"
    assert log[0]["attempt_log"][0]["latency_ms"] is not None


def test_a_receiver_that_hangs_is_cut_at_the_timeout(
    clinic_admin_client, front_desk_client, receiver, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver.answers = ["hang"]
    endpoint = register(clinic_admin_client, receiver.url)
    new_patient(front_desk_client)

    pump(endpoint["id"])

    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None
    assert "timeout" in attempt.error
    assert 400 <= attempt.latency_ms < 5000
    assert WebhookDelivery.objects.get().status == "pending"


def test_a_410_disables_the_endpoint(clinic_admin_client, front_desk_client, receiver):
    receiver.answers = [410]
    endpoint = register(clinic_admin_client, receiver.url)
    new_patient(front_desk_client)

    pump(endpoint["id"])
    new_patient(front_desk_client)
    pump(endpoint["id"])

    read = clinic_admin_client.get(f"{ENDPOINTS}{endpoint['id']}/").json()
    assert read["status"] == "disabled"
    assert "410" in read["status_reason"]
    assert len(receiver.received) == 1  # nothing more is sent


def test_a_spent_schedule_marks_the_endpoint_failing_with_its_reason(
    clinic_admin_client, front_desk_client, receiver
):
    receiver.answers = [503]
    endpoint = register(clinic_admin_client, receiver.url)
    new_patient(front_desk_client)

    pump(endpoint["id"])
    for _ in range(MAX_ATTEMPTS - 1):
        make_due(endpoint["id"])
        assert deliver_due(endpoint["id"]) == 1

    assert len(receiver.received) == MAX_ATTEMPTS == 10
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)
    read = clinic_admin_client.get(f"{ENDPOINTS}{endpoint['id']}/").json()
    assert read["status"] == "failing"
    assert delivery.event_id in read["status_reason"]
    assert "HTTP 503" in read["status_reason"]
    failed = clinic_admin_client.get(
        f"{ENDPOINTS}{endpoint['id']}/deliveries/", {"status": "failed"}
    ).json()["results"]
    assert [row["id"] for row in failed] == [str(delivery.id)]


def test_a_failing_event_holds_back_its_record_but_not_other_records(
    clinic_admin_client, front_desk_client, receiver
):
    endpoint = register(clinic_admin_client, receiver.url)
    first = new_patient(front_desk_client)
    second = new_patient(front_desk_client)
    receiver.answers = [500, 200]
    front_desk_client.patch(f"/api/v1/patients/{first['id']}/", {"occupation": "Welder"})

    pump(endpoint["id"])

    # first.created failed once; first.updated waits behind it; second.created went out.
    sent = [
        (json.loads(r.body)["type"], json.loads(r.body)["data"]["resource_id"])
        for r in receiver.received
    ]
    assert sent == [("patient.created", first["id"]), ("patient.created", second["id"])]
    make_due(endpoint["id"])
    deliver_due(endpoint["id"])
    sent = [
        (json.loads(r.body)["type"], json.loads(r.body)["data"]["resource_id"])
        for r in receiver.received
    ]
    assert sent[2:] == [("patient.created", first["id"]), ("patient.updated", first["id"])]


def test_a_private_address_is_refused_at_delivery_in_production(
    clinic_admin_client, front_desk_client, receiver, settings
):
    endpoint = register(clinic_admin_client, receiver.url)
    new_patient(front_desk_client)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    pump(endpoint["id"])

    assert receiver.received == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None
    assert "127.0.0.1" in attempt.error and "not public" in attempt.error


def test_redelivery_sends_the_same_body_and_id_again(
    clinic_admin_client, front_desk_client, receiver
):
    endpoint = register(clinic_admin_client, receiver.url)
    new_patient(front_desk_client)
    pump(endpoint["id"])
    delivery = WebhookDelivery.objects.get()
    url = f"{ENDPOINTS}{endpoint['id']}/deliveries/{delivery.id}/redeliver/"

    answered = clinic_admin_client.post(url)
    again = clinic_admin_client.post(url)
    deliver_due(endpoint["id"])

    assert answered.status_code == 202 and answered.json()["status"] == "pending"
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "webhook_delivery_pending"
    first, second = receiver.received
    assert (first.body, first.headers["webhook-id"]) == (second.body, second.headers["webhook-id"])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)


def test_a_test_event_is_delivered_through_the_same_path(clinic_admin_client, receiver):
    endpoint = register(clinic_admin_client, receiver.url)

    answered = clinic_admin_client.post(f"{ENDPOINTS}{endpoint['id']}/test/")
    deliver_due(endpoint["id"])

    assert answered.status_code == 202
    [received] = receiver.received
    body = Webhook(endpoint["secret"]).verify(received.body, received.headers)
    assert body["type"] == "webhook.test"
    assert received.headers["webhook-id"] == answered.json()["event_id"]


def test_during_a_rotation_both_secrets_verify(clinic_admin_client, receiver):
    endpoint = register(clinic_admin_client, receiver.url)
    new = clinic_admin_client.post(f"{ENDPOINTS}{endpoint['id']}/rotate-secret/").json()

    clinic_admin_client.post(f"{ENDPOINTS}{endpoint['id']}/test/")
    deliver_due(endpoint["id"])

    [received] = receiver.received
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    Webhook(endpoint["secret"]).verify(received.body, received.headers)
    Webhook(new["secret"]).verify(received.body, received.headers)


def test_after_the_overlap_only_the_new_secret_signs(clinic_admin_client, receiver):
    endpoint = register(clinic_admin_client, receiver.url)
    new = clinic_admin_client.post(f"{ENDPOINTS}{endpoint['id']}/rotate-secret/").json()
    WebhookEndpoint.objects.filter(pk=endpoint["id"]).update(
        previous_secret_expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )

    clinic_admin_client.post(f"{ENDPOINTS}{endpoint['id']}/test/")
    deliver_due(endpoint["id"])

    [received] = receiver.received
    Webhook(new["secret"]).verify(received.body, received.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(received.body, received.headers)


def test_a_deactivated_endpoint_is_sent_nothing(clinic_admin_client, front_desk_client):
    with running(Receiver()) as receiver:
        endpoint = register(clinic_admin_client, receiver.url)
        assert clinic_admin_client.delete(f"{ENDPOINTS}{endpoint['id']}/").status_code == 204
        new_patient(front_desk_client)

        pump(endpoint["id"])
        refused = clinic_admin_client.post(f"{ENDPOINTS}{endpoint['id']}/test/")

    assert receiver.received == []
    assert refused.status_code == 409
    assert WebhookDelivery.objects.count() == 0


def test_the_delivery_log_reads_the_same_queries_whatever_its_rows(clinic_admin_client, receiver):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    endpoint = register(clinic_admin_client, receiver.url)
    url = f"{ENDPOINTS}{endpoint['id']}/deliveries/"
    clinic_admin_client.post(f"{ENDPOINTS}{endpoint['id']}/test/")
    deliver_due(endpoint["id"])
    with CaptureQueriesContext(connection) as one:
        assert len(clinic_admin_client.get(url).json()["results"]) == 1
    for _ in range(4):
        clinic_admin_client.post(f"{ENDPOINTS}{endpoint['id']}/test/")
    deliver_due(endpoint["id"])
    with CaptureQueriesContext(connection) as five:
        assert len(clinic_admin_client.get(url).json()["results"]) == 5

    assert len(five) == len(one)


def test_the_log_keeps_finished_deliveries_for_their_retention_and_pending_ones_always(
    clinic_admin_client, receiver
):
    from webhooks.retention import purge_expired_deliveries

    endpoint = register(clinic_admin_client, receiver.url)
    for _ in range(2):
        clinic_admin_client.post(f"{ENDPOINTS}{endpoint['id']}/test/")
    deliver_due(endpoint["id"])
    delivered, kept = WebhookDelivery.objects.order_by("created_at")
    clinic_admin_client.post(f"{ENDPOINTS}{endpoint['id']}/test/")
    pending = WebhookDelivery.objects.get(status="pending")
    long_ago = datetime.now(UTC) - timedelta(days=31)
    WebhookDelivery.objects.filter(pk__in=[delivered.pk, pending.pk]).update(created_at=long_ago)

    assert purge_expired_deliveries() == 1

    assert set(WebhookDelivery.objects.values_list("id", flat=True)) == {kept.id, pending.id}
    assert not WebhookAttempt.objects.filter(delivery_id=delivered.id).exists()


def test_a_named_host_is_posted_to_at_the_address_checked_with_its_own_host_header(
    clinic_admin_client, receiver
):
    # `localhost` may resolve to ::1 first; the receiver listens on 127.0.0.1 only.
    endpoint = register(clinic_admin_client, receiver.url.replace("127.0.0.1", "localhost"))

    clinic_admin_client.post(f"{ENDPOINTS}{endpoint['id']}/test/")
    deliver_due(endpoint["id"])

    [received] = receiver.received
    assert received.headers["host"] == receiver.url.split("/")[2].replace("127.0.0.1", "localhost")
    assert WebhookDelivery.objects.get().status == "succeeded"
