"""Who may call what: deny by default, then allow by role within the caller's own clinic."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.roles import Role


def role_allows(request, roles: frozenset[str]) -> bool:
    """The caller's role is one of `roles`, or the caller holds a break-glass grant for the
    patient of this request (accounts.break_glass) and `roles` may read clinical records."""
    if request.user.role in roles:
        return True
    return (
        request.method in SAFE_METHODS
        and getattr(request.user, "break_glass_grant", None) is not None
        and bool(roles & CLINICAL_ROLES)
    )


class IsClinicStaff(BasePermission):
    """An active staff member of an active clinic (the default for every endpoint)."""

    message = "Only staff members of an active clinic may use this endpoint."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.is_clinic_staff and user.clinic.is_active
        )


class HasRole(IsClinicStaff):
    """Clinic staff whose role is one of `roles`; build with `HasRole.of(...)`."""

    roles: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *roles: str) -> type["HasRole"]:
        names = ", ".join(sorted(roles))
        return type(
            f"HasRole({names})",
            (cls,),
            {"roles": frozenset(roles), "message": f"This action needs one of the roles: {names}."},
        )

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and role_allows(request, self.roles)


class ReadWriteRoles(IsClinicStaff):
    """Clinic staff whose role may read (safe methods) or write; build with `.of(...)`."""

    read_roles: frozenset[str] = frozenset()
    write_roles: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *, read: frozenset[str], write: frozenset[str]) -> type["ReadWriteRoles"]:
        return type(
            f"ReadWriteRoles(read={sorted(read)}, write={sorted(write)})",
            (cls,),
            {"read_roles": frozenset(read), "write_roles": frozenset(write)},
        )

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        roles = self.read_roles if request.method in SAFE_METHODS else self.write_roles
        if not role_allows(request, roles):
            self.message = f"This action needs one of the roles: {', '.join(sorted(roles))}."
            return False
        return True


# Roles that may read and write clinical records (conditions, plans, visits); the front desk
# keeps demographics only.
CLINICAL_ROLES = frozenset({Role.CHIROPRACTOR, Role.CLINIC_ADMIN})

IsClinicAdmin = HasRole.of(Role.CLINIC_ADMIN)
IsClinicAdmin.__doc__ = "Clinic admins: manage the staff of their own clinic."

IsClinician = HasRole.of(*CLINICAL_ROLES)
IsClinician.__doc__ = "Chiropractors and clinic admins: read and write clinical records."


ALL_ROLES = frozenset(Role.values)

# Treatment plans: the chiropractor writes; clinic admins read; the front desk sees that a
# plan exists (its clinical content is left out by the serializer).
PlanPermission = ReadWriteRoles.of(read=ALL_ROLES, write=frozenset({Role.CHIROPRACTOR}))
PlanPermission.__doc__ = "Plans: chiropractors write, every role reads (front desk a summary)."

PlanContentPermission = ReadWriteRoles.of(read=CLINICAL_ROLES, write=frozenset({Role.CHIROPRACTOR}))
PlanContentPermission.__doc__ = (
    "Plan goals and interventions: chiropractors write, clinicians read."
)

VisitPermission = ReadWriteRoles.of(read=ALL_ROLES, write=frozenset({Role.CHIROPRACTOR}))
VisitPermission.__doc__ = (
    "Visits: chiropractors log, sign, amend; every role reads (front desk a summary)."
)

VisitDraftPermission = ReadWriteRoles.of(read=ALL_ROLES, write=CLINICAL_ROLES)
VisitDraftPermission.__doc__ = (
    "Draft visits: their own chiropractor or a clinic admin edits or discards them "
    "(treatments.visits.services checks whose draft it is)."
)

OutcomePermission = ReadWriteRoles.of(read=CLINICAL_ROLES, write=frozenset({Role.CHIROPRACTOR}))
OutcomePermission.__doc__ = "Outcome measures: chiropractors record, clinic admins read."

ReferenceWritePermission = ReadWriteRoles.of(read=ALL_ROLES, write=CLINICAL_ROLES)
ReferenceWritePermission.__doc__ = "Reference lists: everyone reads; clinicians add clinic entries."


AppointmentTypePermission = ReadWriteRoles.of(read=ALL_ROLES, write=frozenset({Role.CLINIC_ADMIN}))
AppointmentTypePermission.__doc__ = "Appointment types: everyone reads, clinic admins keep them."

SchedulePermission = ReadWriteRoles.of(read=ALL_ROLES, write=CLINICAL_ROLES)
SchedulePermission.__doc__ = (
    "Working hours and time off: everyone reads; a chiropractor keeps their own, a clinic "
    "admin everyone's (scheduling.services checks whose)."
)

StartsVisits = HasRole.of(Role.CHIROPRACTOR)
StartsVisits.__doc__ = "Starting an appointment's visit: chiropractors (their own appointments)."

AppointmentPermission = ReadWriteRoles.of(read=ALL_ROLES, write=ALL_ROLES)
AppointmentPermission.__doc__ = (
    "Appointments: every role books, moves and cancels; outside working hours only "
    "chiropractors and clinic admins (scheduling.services)."
)

CoveragePermission = ReadWriteRoles.of(read=ALL_ROLES, write=ALL_ROLES)
CoveragePermission.__doc__ = (
    "Coverage and cases: every role reads and keeps them (the desk mostly)."
)

FeeSchedulePermission = ReadWriteRoles.of(read=ALL_ROLES, write=frozenset({Role.CLINIC_ADMIN}))
FeeSchedulePermission.__doc__ = "The fee schedule: everyone reads, clinic admins keep it."

BillingPermission = ReadWriteRoles.of(read=ALL_ROLES, write=CLINICAL_ROLES)
BillingPermission.__doc__ = (
    "A visit's coding, claim, superbill and a patient's statement: every role reads; coding "
    "corrections by the visit's chiropractor or a clinic admin (treatments.visits.services)."
)

ClaimPaymentPermission = ReadWriteRoles.of(read=ALL_ROLES, write=ALL_ROLES)
ClaimPaymentPermission.__doc__ = (
    "Payments on a visit's claims: every role reads and records them (the desk posts remittances)."
)

ReminderPermission = ReadWriteRoles.of(read=ALL_ROLES, write=frozenset())
ReminderPermission.__doc__ = (
    "Appointment reminders: every role reads what was sent; only the job queue writes them."
)


def may_read_clinical(user) -> bool:
    """By role, or for this request's patient under a break-glass grant."""
    return (
        getattr(user, "role", None) in CLINICAL_ROLES
        or getattr(user, "break_glass_grant", None) is not None
    )


ClinicSettingsPermission = ReadWriteRoles.of(read=ALL_ROLES, write=frozenset({Role.CLINIC_ADMIN}))
ClinicSettingsPermission.__doc__ = "The clinic's settings: everyone reads, clinic admins change."

OpensBreakGlass = HasRole.of(Role.FRONT_DESK)
OpensBreakGlass.__doc__ = "Break-glass: for the role that does not read clinical records."

# What each role may read and write, per resource: the same classes the views use, told to
# front ends by GET /api/v1/auth/me so that they can hide what the user may not use.
NOBODY: frozenset[str] = frozenset()
RESOURCE_ROLES: dict[str, tuple[frozenset[str], frozenset[str], str]] = {
    "patients": (ALL_ROLES, ALL_ROLES, "Patients' demographics."),
    "clinical_fields": (
        CLINICAL_ROLES,
        CLINICAL_ROLES,
        "Clinical fields of patients, plans, visits.",
    ),
    "conditions": (IsClinician.roles, IsClinician.roles, "Conditions (diagnoses)."),
    "treatment_plans": (PlanPermission.read_roles, PlanPermission.write_roles, "Treatment plans."),
    "plan_items": (
        PlanContentPermission.read_roles,
        PlanContentPermission.write_roles,
        "Goals and interventions of plans.",
    ),
    "visits": (
        VisitPermission.read_roles,
        VisitPermission.write_roles,
        "Visits: log, sign, amend.",
    ),
    "outcome_measures": (
        OutcomePermission.read_roles,
        OutcomePermission.write_roles,
        "Outcome measures (NRS, ODI, NDI).",
    ),
    "record_history": (IsClinician.roles, NOBODY, "Record history and access logs."),
    "staff": (IsClinicAdmin.roles, IsClinicAdmin.roles, "Staff accounts."),
    "audit_events": (IsClinicAdmin.roles, NOBODY, "The audit trail, its seals and proofs."),
    "clinic_settings": (
        ClinicSettingsPermission.read_roles,
        ClinicSettingsPermission.write_roles,
        "The clinic's settings.",
    ),
    "break_glass": (ALL_ROLES, OpensBreakGlass.roles, "Break-glass grants (read: own, or all)."),
    "reference": (
        ReferenceWritePermission.read_roles,
        ReferenceWritePermission.write_roles,
        "Reference lists (write: the clinic's own techniques and exercises).",
    ),
    "appointment_types": (
        AppointmentTypePermission.read_roles,
        AppointmentTypePermission.write_roles,
        "Appointment types.",
    ),
    "schedules": (
        SchedulePermission.read_roles,
        SchedulePermission.write_roles,
        "Working hours and time off (write: a chiropractor their own).",
    ),
    "appointments": (
        AppointmentPermission.read_roles,
        AppointmentPermission.write_roles,
        "Appointments and available times.",
    ),
    "appointment_reminders": (
        ReminderPermission.read_roles,
        ReminderPermission.write_roles,
        "Appointment reminders sent, failed or skipped (written by the job queue only).",
    ),
    "coverage": (
        CoveragePermission.read_roles,
        CoveragePermission.write_roles,
        "Coverage and cases (payers, authorisations).",
    ),
    "fee_schedule": (
        FeeSchedulePermission.read_roles,
        FeeSchedulePermission.write_roles,
        "The clinic's fee schedule.",
    ),
    "billing": (
        BillingPermission.read_roles,
        BillingPermission.write_roles,
        "Coding, claim data, superbills, statements (write: coding corrections).",
    ),
}


def capabilities_of(role: str) -> dict[str, dict[str, bool]]:
    return {
        resource: {"read": role in read, "write": role in write}
        for resource, (read, write, _) in RESOURCE_ROLES.items()
    }
