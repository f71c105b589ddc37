"""Who may call what: deny by default, then allow by role within the caller's own clinic."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from clinics.models import Role


def role_allows(request, roles: frozenset[str]) -> bool:
    """The caller's role is one of `roles`, or the caller holds a break-glass grant for the
    patient of this request (access.break_glass) and `roles` may read clinical records."""
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
    "(treatments.services.visits checks whose draft it is)."
)

OutcomePermission = ReadWriteRoles.of(read=CLINICAL_ROLES, write=frozenset({Role.CHIROPRACTOR}))
OutcomePermission.__doc__ = "Outcome measures: chiropractors record, clinic admins read."

ReferenceWritePermission = ReadWriteRoles.of(read=ALL_ROLES, write=CLINICAL_ROLES)
ReferenceWritePermission.__doc__ = "Reference lists: everyone reads; clinicians add clinic entries."


def may_read_clinical(user) -> bool:
    """By role, or for this request's patient under a break-glass grant."""
    return (
        getattr(user, "role", None) in CLINICAL_ROLES
        or getattr(user, "break_glass_grant", None) is not None
    )
