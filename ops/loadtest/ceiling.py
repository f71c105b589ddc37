"""The ceiling: a bare Django app under the same server and settings as the project.

`/json` answers a small JSON body (what no endpoint can beat); `/orm/<id>` reads one patient
with the ORM by primary key (a bare ORM read, as the owner: no authentication, no tenancy,
no audit). `/floor/<id>` does only the database work a patient retrieve cannot skip, with
no framework between: the token and clinic context opened in the request's transaction,
the patient with its active conditions as JSON built by PostgreSQL, and the audit event
sent with the COMMIT; the three round trips of the project's own retrieve. The load test
reports each scenario's throughput as a share of `/json`'s.
"""

import uuid

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from knox.crypto import hash_token

# The patient as the project answers it, and its active conditions (what the retrieve
# reads), built as JSON by PostgreSQL so that Python only passes the text through.
PATIENT_DOCUMENT = """
SELECT (to_jsonb(p) || jsonb_build_object('conditions', ARRAY(
    SELECT to_jsonb(c) FROM patients_condition c
    WHERE c.patient_id = p.id AND c.clinical_status IN ('recurrence', 'active', 'relapse')
      AND c.verification_status NOT IN ('entered-in-error', 'refuted')
    ORDER BY c.created_at)))::text
FROM patients_patient p WHERE p.clinic_id = %s AND p.id = %s
"""


def small_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "service": "ceiling"})


def orm_read(request: HttpRequest, pk: uuid.UUID) -> JsonResponse:
    from patients.models import Patient

    patient = Patient.objects.values("id", "given_name", "family_name", "date_of_birth").get(pk=pk)
    return JsonResponse(patient)


def retrieve_floor(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    from audit.recording import Event, write
    from tenancy.request_context import open_token_context

    token = request.headers.get("Authorization", "").partition(" ")[2]
    with transaction.atomic():
        found = open_token_context(digest=hash_token(token), request=request)
        if found is None:
            return JsonResponse({"detail": "unauthorised"}, status=401)
        request.user = found[0]
        with connection.cursor() as cursor:
            cursor.execute(PATIENT_DOCUMENT, [request.user.clinic_id, pk])
            row = cursor.fetchone()
        if row is None:
            return JsonResponse({"detail": "not found"}, status=404)
        write(request, Event("read", "patient", 200, [pk], [pk]), at_commit=True)
    return HttpResponse(row[0], content_type="application/json")


urlpatterns = [
    path("json", small_json),
    path("orm/<uuid:pk>", orm_read),
    path("floor/<uuid:pk>", retrieve_floor),
]
