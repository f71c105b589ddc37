"""The caller and their clinic, read with the token in one statement, are the stored rows: a
field the statement does not read is deferred and loads its stored value, never a default."""

import uuid

import pytest
from django.test import RequestFactory
from knox.models import AuthToken

from api.context import context_of
from clinics.models import Clinic, User
from tenancy.request_context import close_context_if_nested, open_token_context
from tests.conftest import client_for


@pytest.fixture
def filled_clinic(clinic) -> Clinic:
    clinic.npi, clinic.tax_id = "1245319599", "12-3456789"
    clinic.address, clinic.phone = "12 Spine Street, Springfield, IL 62701", "+1 217 555 0100"
    clinic.save()
    return clinic


def test_every_field_of_the_caller_and_their_clinic_reads_its_stored_value(
    filled_clinic, chiropractor
):
    chiropractor.npi, chiropractor.calendar_colour = "1234567893", "#4e79a7"
    chiropractor.save()
    token, _ = AuthToken.objects.create(user=chiropractor)
    request = RequestFactory().get("/api/v1/patients/")
    try:
        user, read_token = open_token_context(digest=token.digest, request=request)
        for model, made in ((User, user), (Clinic, user.clinic)):
            stored = model.objects.get(pk=made.pk)
            for field in model._meta.concrete_fields:
                assert getattr(made, field.attname) == getattr(stored, field.attname), (
                    f"{model.__name__}.{field.attname}"
                )
        assert (read_token.user, read_token.expiry) == (user, token.expiry)
    finally:
        close_context_if_nested(request)


def test_a_statement_names_the_clinic_as_its_settings_say(
    filled_clinic, front_desk_client, patient
):
    statement = front_desk_client.get(
        f"/api/v1/patients/{patient.id}/statement/",
        {"date_from": "2026-01-01", "date_to": "2026-12-31"},
    )
    assert statement.status_code == 200, statement.json()
    clinic = front_desk_client.get("/api/v1/clinic/").json()
    assert statement.json()["clinic"]["npi"] == "1245319599"
    assert {
        key: statement.json()["clinic"][key] for key in ("npi", "tax_id", "address", "phone")
    } == {key: clinic[key] for key in ("npi", "tax_id", "address", "phone")}


@pytest.mark.django_db
def test_a_request_carries_one_typed_context(chiropractor):
    request_id = uuid.uuid4()
    response = client_for(chiropractor).get("/api/v1/patients/", HTTP_X_REQUEST_ID=str(request_id))
    refused = client_for(chiropractor).post("/api/v1/staff/", {})  # a refusal, audited after

    assert response.status_code == 200 and refused.status_code == 403
    context = context_of(response.wsgi_request)
    assert context.request_id == request_id and response["X-Request-ID"] == str(request_id)
    assert context.db_context_opened
    assert context.user.pk == chiropractor.pk
    assert context.clinic.pk == chiropractor.clinic_id and context.role == "chiropractor"
    assert context.break_glass_grant is None
    assert context.audit.recorded and context.audit.pending is None
    assert context_of(refused.wsgi_request).audit.pending is not None
    assert not context.database_fault
    # What the context holds is no longer added to the request as loose attributes.
    for replaced in (
        "request_id",
        "opened_db_context",
        "database_fault",
        "audit_event_recorded",
        "pending_audit_event",
        "login_clinic_id",
        "login_username",
        "login_changed",
    ):
        assert not hasattr(response.wsgi_request, replaced), replaced
