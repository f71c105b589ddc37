"""One module per FHIR resource type: its rows, its mapping, its search parameters."""
