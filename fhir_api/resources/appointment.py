"""Appointment (base FHIR R4; US Core has no Appointment profile): a patient booked with a
chiropractor at the clinic, its status, type, times and the desk's notes."""

from django.db.models import QuerySet

from api.permissions import AppointmentPermission
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import coding, compact, concept, instant, meta, reference
from fhir_api.resources.schedule import ALLIED_HEALTH
from fhir_api.search import DateParameter, IdParameter, ReferenceParameter, TokenParameter
from fhir_api.systems import (
    APPOINTMENT_CANCELLATION_REASON,
    APPOINTMENT_STATUS,
    APPOINTMENT_TYPE,
    CANCELLATION_REASON,
    PARTICIPATION_TYPE,
)
from scheduling.models import Appointment, AppointmentStatus, CancellationReason

# FHIR's appointment status (http://hl7.org/fhir/appointmentstatus) of each of ours: a
# completed appointment had its visit logged (fulfilled); a no-show is FHIR's noshow.
STATUS = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.ARRIVED: "arrived",
    AppointmentStatus.COMPLETED: "fulfilled",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.NO_SHOW: "noshow",
}
# The nearest code of FHIR's example cancellation reasons (terminology.hl7.org
# appointment-cancellation-reason) beside ours, which says it exactly.
STANDARD_REASON = {
    CancellationReason.FEELING_BETTER: ("pat-fb", "Patient: Feeling Better"),
    CancellationReason.CONDITION_WORSE: ("pat", "Patient"),
    CancellationReason.SICK: ("pat", "Patient"),
    CancellationReason.AWAY: ("pat", "Patient"),
    CancellationReason.WORK: ("pat", "Patient"),
    CancellationReason.COST: ("oth-fin", "Other: Financial"),
    CancellationReason.CLINIC: ("prov", "Provider"),
    CancellationReason.OTHER: ("other", "Other"),
}


def appointment_rows(user: User) -> QuerySet[Appointment]:
    return Appointment.objects.for_clinic(user.staff_clinic_id).select_related(
        "appointment_type", "chiropractor", "clinic"
    )


def _cancellation(appointment: Appointment) -> dict | None:
    if not appointment.cancellation_reason:
        return None
    reason = CancellationReason(appointment.cancellation_reason)
    standard, display = STANDARD_REASON[reason]
    return {
        "coding": [
            coding(CANCELLATION_REASON, reason.value, reason.label),
            coding(APPOINTMENT_CANCELLATION_REASON, standard, display),
        ],
        "text": appointment.cancellation_note or reason.label,
    }


def appointment_resource(appointment: Appointment) -> dict:
    kind = appointment.appointment_type
    chiropractor = appointment.chiropractor
    return compact(
        {
            "resourceType": "Appointment",
            "id": str(appointment.id),
            "meta": meta(appointment),
            "status": STATUS[AppointmentStatus(appointment.status)],
            "cancelationReason": _cancellation(appointment),
            "serviceCategory": [ALLIED_HEALTH],
            "serviceType": [concept(APPOINTMENT_TYPE, str(kind.id), kind.name, text=kind.name)],
            "start": instant(appointment.start_at),
            "end": instant(appointment.end_at),
            "minutesDuration": int((appointment.end_at - appointment.start_at).total_seconds())
            // 60,
            "created": instant(appointment.created_at),
            # The desk's notes: every role reads them in the REST API too.
            "comment": appointment.desk_notes,
            # R4 bases an appointment on a ServiceRequest only: the plan it carries out is
            # information that supports it.
            "supportingInformation": [reference("CarePlan", appointment.plan_id)]
            if appointment.plan_id
            else [],
            "participant": [
                {
                    "actor": reference("Patient", appointment.patient_id),
                    "required": "required",
                    "status": "accepted",
                },
                {
                    "type": [concept(PARTICIPATION_TYPE, "PPRF", "primary performer")],
                    "actor": reference("Practitioner", chiropractor.id, chiropractor.display_name),
                    "required": "required",
                    "status": "accepted",
                },
                {
                    "actor": reference("Location", appointment.clinic_id, appointment.clinic.name),
                    "required": "required",
                    "status": "accepted",
                },
            ],
        }
    )


APPOINTMENT = ResourceKind(
    name="Appointment",
    summary="Appointments: who is booked with which chiropractor, when, for what type, and "
    "their status (booked, arrived, fulfilled, cancelled with a reason, noshow).",
    rows=appointment_rows,
    resource=appointment_resource,
    readers=AppointmentPermission.read_roles,
    audit_resource="appointment",
    search={
        "_id": IdParameter("The appointment's id."),
        "patient": ReferenceParameter(
            "The patient booked (`Patient/<id>`).", column="patient_id", target="Patient"
        ),
        "practitioner": ReferenceParameter(
            "The chiropractor (`Practitioner/<id>`).",
            column="chiropractor_id",
            target="Practitioner",
        ),
        "date": DateParameter("When it starts.", column="start_at"),
        "status": TokenParameter(
            "booked, arrived, fulfilled, cancelled, noshow.",
            column="status",
            system=APPOINTMENT_STATUS,
            codes={fhir: (ours,) for ours, fhir in STATUS.items()},
        ),
    },
)
