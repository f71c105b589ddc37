"""FHIR routes under `/fhir/R4/`: FHIR's own paths, without trailing slashes."""

from django.urls import path

from fhir_api import views

urlpatterns = [
    path("metadata", views.CapabilityStatementView.as_view(), name="fhir-metadata"),
    path(
        "Patient/<str:id>/$everything",
        views.PatientViewSet.as_view({"get": "everything"}),
        name="fhir-patient-everything",
    ),
]
for viewset in views.READ_VIEWSETS:
    name = viewset.kind.name
    urlpatterns += [
        path(name, viewset.as_view({"get": "search"}), name=f"fhir-{name.lower()}-search"),
        path(
            f"{name}/<str:id>",
            viewset.as_view({"get": "retrieve"}),
            name=f"fhir-{name.lower()}-read",
        ),
    ]
