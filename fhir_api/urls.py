"""FHIR routes under `/fhir/R4/`: FHIR's own paths, without trailing slashes."""

from django.urls import path

from fhir_api import views

urlpatterns = [
    path("metadata", views.CapabilityStatementView.as_view(), name="fhir-metadata"),
    # The base itself: a transaction or batch Bundle (`POST [base]`).
    path("", views.BundleViewSet.as_view({"post": "create"}), name="fhir-bundle"),
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
