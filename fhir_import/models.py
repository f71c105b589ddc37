"""What the FHIR import keeps: which record each imported resource became, by its source
identifier, so that posting the same Bundle again creates nothing new."""

from django.conf import settings
from django.db import models

from patients.models import Patient
from tenancy.models import ClinicScopedModel

# The longest source identifier system and value kept: a URL and a record number, or an
# entry's `urn:uuid:` fullUrl, fit many times over.
MAX_SOURCE_LENGTH = 255


class ImportedResourceType(models.TextChoices):
    PATIENT = "Patient", "Patient"
    CONDITION = "Condition", "Condition"
    COVERAGE = "Coverage", "Coverage"
    OBSERVATION = "Observation", "Observation (an outcome measure)"
    QUESTIONNAIRE_RESPONSE = "QuestionnaireResponse", "QuestionnaireResponse (an outcome measure)"
    CARE_PLAN = "CarePlan", "CarePlan (a treatment plan)"
    GOAL = "Goal", "Goal (a treatment plan's)"
    SERVICE_REQUEST = "ServiceRequest", "ServiceRequest (a planned intervention)"
    ENCOUNTER = "Encounter", "Encounter (a visit)"
    PROCEDURE = "Procedure", "Procedure (a visit's performed item)"


class ImportedResource(ClinicScopedModel):
    """One source identifier of an imported resource and the record it became.

    A resource with several identifiers has a row for each; one without identifiers is known
    by its Bundle entry's `fullUrl` (system `urn:ietf:rfc:3986`). The unique constraint is
    what makes two imports of the same Bundle at once create each record once: the second
    one's row waits for the first's transaction, then conflicts (fhir_import.services).
    """

    resource_type = models.CharField(max_length=32, choices=ImportedResourceType.choices)
    source_system = models.CharField(max_length=MAX_SOURCE_LENGTH)
    source_value = models.CharField(max_length=MAX_SOURCE_LENGTH)
    # The id of the record (or, for a part, of the row: a goal, a planned or performed item)
    # the resource became: each table's UUID primary key.
    record_id = models.UUIDField()
    # The patient the record belongs to (for a Patient, itself): for the audit trail, and to
    # find the patient an entry refers to when that entry was imported before.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+", db_index=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # The value leads after the clinic: an import looks its keys up by value.
            models.UniqueConstraint(
                fields=["clinic", "source_value", "source_system", "resource_type"],
                name="fhir_import_source_unique_per_clinic",
            )
        ]
        indexes = [models.Index(fields=["clinic", "patient"], name="fhir_import_patient_idx")]

    def __str__(self) -> str:
        return f"{self.resource_type} {self.source_system}|{self.source_value}"
