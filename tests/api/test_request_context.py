"""The caller and their clinic, read with the token in one statement, are the stored rows: a
field the statement does not read is deferred and loads its stored value, never a default."""

import pytest
from django.test import RequestFactory
from knox.models import AuthToken

from api.request_context import close_context_if_nested, open_token_context
from clinics.models import Clinic, User


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
