"""The FHIR import: a transaction or batch Bundle's entries made into the clinic's records."""
