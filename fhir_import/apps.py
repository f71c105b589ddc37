from django.apps import AppConfig


class FhirImportConfig(AppConfig):
    name = "fhir_import"
    verbose_name = "FHIR import"
