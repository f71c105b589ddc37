"""Webhook endpoints over the API: clinic admins only, their clinic only; the secret answered
once; addresses checked at registration; DELETE deactivates; rotation; the list's queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.webhooks.conftest import ENDPOINTS, register
from webhooks.models import EndpointStatus, WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:9/hooks"


def test_a_clinic_admin_registers_an_endpoint_and_reads_its_secret_once(clinic_admin_client):
    created = register(
        clinic_admin_client, URL, event_types=["patient.created"], description="Analytics"
    )

    assert created["secret"].startswith("whsec_")
    assert created["status"] == "enabled" and created["is_active"] is True
    assert created["event_types"] == ["patient.created"]
    read = clinic_admin_client.get(f"{ENDPOINTS}{created['id']}/")
    assert read.status_code == 200
    assert "secret" not in read.json()
    assert created["secret"] not in read.content.decode()
    listed = clinic_admin_client.get(ENDPOINTS)
    assert created["secret"] not in listed.content.decode()
    assert [row["id"] for row in listed.json()["results"]] == [created["id"]]


def test_only_clinic_admins_keep_endpoints(chiropractor_client, front_desk_client):
    for client in (chiropractor_client, front_desk_client):
        assert client.get(ENDPOINTS).status_code == 403
        assert client.post(ENDPOINTS, {"url": URL}, format="json").status_code == 403
    assert WebhookEndpoint.objects.count() == 0


def test_another_clinics_endpoint_is_not_found(clinic_admin_client, other_admin_client):
    created = register(clinic_admin_client, URL)

    assert other_admin_client.get(f"{ENDPOINTS}{created['id']}/").status_code == 404
    assert other_admin_client.delete(f"{ENDPOINTS}{created['id']}/").status_code == 404
    deliveries = other_admin_client.get(f"{ENDPOINTS}{created['id']}/deliveries/")
    assert deliveries.status_code == 404
    assert other_admin_client.get(ENDPOINTS).json()["results"] == []


def test_an_unknown_event_type_is_refused(clinic_admin_client):
    response = clinic_admin_client.post(
        ENDPOINTS, {"url": URL, "event_types": ["patient.teleported"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"].startswith("event_types")


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://127.0.0.1/hooks", "webhook_url_address_refused"),
        ("https://localhost/hooks", "webhook_url_address_refused"),
        ("https://10.1.2.3/hooks", "webhook_url_address_refused"),
        ("https://169.254.169.254/latest/meta-data", "webhook_url_address_refused"),
        ("https://[::1]/hooks", "webhook_url_address_refused"),
        ("https://[::ffff:127.0.0.1]/hooks", "webhook_url_address_refused"),
        ("http://93.184.215.14/hooks", "webhook_url_scheme_refused"),
        ("https://no-such-host.invalid/hooks", "webhook_url_unresolvable"),
    ],
)
def test_production_refuses_private_addresses_and_plain_http(
    clinic_admin_client, settings, url, code
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_REQUIRE_HTTPS = True

    response = clinic_admin_client.post(ENDPOINTS, {"url": url}, format="json")

    assert response.status_code == 400, response.json()
    [error] = response.json()["errors"]
    assert (error["attr"], error["code"]) == ("url", code)
    assert WebhookEndpoint.objects.count() == 0


def test_a_public_address_is_accepted_in_production(clinic_admin_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_REQUIRE_HTTPS = True

    created = register(clinic_admin_client, "https://93.184.215.14/hooks")

    assert created["url"] == "https://93.184.215.14/hooks"


def test_delete_deactivates_and_is_active_enables_again(clinic_admin_client):
    created = register(clinic_admin_client, URL)
    url = f"{ENDPOINTS}{created['id']}/"

    assert clinic_admin_client.delete(url).status_code == 204
    assert clinic_admin_client.get(url).json()["is_active"] is False
    WebhookEndpoint.objects.filter(pk=created["id"]).update(
        status=EndpointStatus.DISABLED, status_reason="410"
    )
    enabled = clinic_admin_client.patch(url, {"is_active": True}, format="json")

    assert enabled.status_code == 200
    assert (enabled.json()["is_active"], enabled.json()["status"]) == (True, "enabled")
    assert enabled.json()["status_reason"] == ""
    assert WebhookEndpoint.objects.count() == 1


def test_enable_after_a_410(clinic_admin_client):
    created = register(clinic_admin_client, URL)
    WebhookEndpoint.objects.filter(pk=created["id"]).update(status=EndpointStatus.DISABLED)

    enabled = clinic_admin_client.post(f"{ENDPOINTS}{created['id']}/enable/")

    assert enabled.status_code == 200
    assert enabled.json()["status"] == "enabled"


def test_a_change_with_a_stale_etag_is_refused(clinic_admin_client):
    created = register(clinic_admin_client, URL)
    url = f"{ENDPOINTS}{created['id']}/"
    assert clinic_admin_client.patch(url, {"description": "one"}, format="json").status_code == 200

    stale = clinic_admin_client.patch(
        url, {"description": "two"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert stale.status_code == 412
    assert clinic_admin_client.get(url).json()["description"] == "one"


def test_rotation_answers_a_new_secret_once_and_keeps_the_old_one_a_while(clinic_admin_client):
    created = register(clinic_admin_client, URL)

    rotated = clinic_admin_client.post(f"{ENDPOINTS}{created['id']}/rotate-secret/")

    assert rotated.status_code == 200
    body = rotated.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != created["secret"]
    endpoint = WebhookEndpoint.objects.get(pk=created["id"])
    assert (endpoint.secret, endpoint.previous_secret) == (body["secret"], created["secret"])
    read = clinic_admin_client.get(f"{ENDPOINTS}{created['id']}/").json()
    assert read["previous_secret_expires_at"] is not None
    assert "secret" not in read


def test_the_list_reads_the_same_queries_whatever_its_rows(clinic_admin_client):
    register(clinic_admin_client, URL)
    with CaptureQueriesContext(connection) as one:
        assert clinic_admin_client.get(ENDPOINTS).status_code == 200
    for number in range(5):
        register(clinic_admin_client, f"{URL}/{number}")
    with CaptureQueriesContext(connection) as six:
        assert len(clinic_admin_client.get(ENDPOINTS).json()["results"]) == 6

    assert len(six) == len(one)


def test_the_api_role_deletes_no_endpoint_and_writes_no_attempt(clinic_admin_client, clinic):
    from tests.api.test_row_security import as_api_role, refused

    register(clinic_admin_client, URL)

    with as_api_role(clinic.id) as cursor:
        assert refused(cursor, "DELETE FROM webhooks_webhookendpoint")
        assert refused(cursor, "DELETE FROM webhooks_webhookdelivery")
        assert refused(cursor, "UPDATE webhooks_webhookattempt SET error = ''")
        cursor.execute("SELECT count(*) FROM webhooks_webhookendpoint")
        assert cursor.fetchone()[0] == 1
    assert WebhookEndpoint.objects.count() == 1
