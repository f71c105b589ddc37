"""Rules on a patient that every app's writes apply."""

from api.errors import Conflict
from patients.error_codes import PatientCode
from patients.models import Patient, PatientStatus


def ensure_patient_active(patient: Patient, *, restore_to: str = "first") -> None:
    """An archived patient's records are kept as they are: nothing is written for them until
    the patient is restored (409 `patient_archived`)."""
    if patient.status == PatientStatus.ARCHIVED:
        raise Conflict(
            f"The patient is archived; restore it {restore_to}.", code=PatientCode.PATIENT_ARCHIVED
        )
