"""The FHIR import's route: FHIR's base itself (`POST [base]`), under `/fhir/R4/`."""

from django.urls import path

from fhir_import import views

urlpatterns = [
    path("", views.BundleViewSet.as_view({"post": "create"}), name="fhir-bundle"),
]
