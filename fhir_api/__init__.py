"""FHIR R4 (US Core 6.1.0) over the same records as the REST API."""
