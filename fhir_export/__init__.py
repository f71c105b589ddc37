"""FHIR Bulk Data export (v2): a clinic's records as NDJSON files, made by the job queue."""
