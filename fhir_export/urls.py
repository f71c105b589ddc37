"""Bulk export routes under `/fhir/R4/`."""

from django.urls import path

from fhir_export import views

urlpatterns = [
    path(
        "Group/<str:id>/$export",
        views.ExportKickoffViewSet.as_view({"get": "export"}),
        name="fhir-group-export",
    ),
    path(
        "bulk-status/<str:id>",
        views.ExportStatusViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="fhir-export-status",
    ),
    path(
        "bulk-files/<str:id>",
        views.ExportFileViewSet.as_view({"get": "retrieve"}),
        name="fhir-export-file",
    ),
]
