"""The ceiling: a bare Django app under the same server and settings as the project.

`/json` answers a small JSON body (what no endpoint can beat); `/orm/<id>` reads one patient
with the ORM by primary key (a bare ORM read, as the owner: no authentication, no tenancy,
no audit). The load test reports each scenario's throughput as a share of `/json`'s.
"""

import uuid

from django.http import HttpRequest, JsonResponse
from django.urls import path


def small_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "service": "ceiling"})


def orm_read(request: HttpRequest, pk: uuid.UUID) -> JsonResponse:
    from patients.models import Patient

    patient = Patient.objects.values("id", "given_name", "family_name", "date_of_birth").get(pk=pk)
    return JsonResponse(patient)


urlpatterns = [path("json", small_json), path("orm/<uuid:pk>", orm_read)]
