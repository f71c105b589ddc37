"""Who may call what: deny by default, then allow by role within the caller's own clinic."""

from rest_framework.permissions import BasePermission

from clinics.models import Role


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
        return super().has_permission(request, view) and request.user.role in self.roles


# Roles that may read and write clinical records (conditions, plans, visits); the front desk
# keeps demographics only.
CLINICAL_ROLES = frozenset({Role.CHIROPRACTOR, Role.CLINIC_ADMIN})

IsClinicAdmin = HasRole.of(Role.CLINIC_ADMIN)
IsClinicAdmin.__doc__ = "Clinic admins: manage the staff of their own clinic."

IsClinician = HasRole.of(*CLINICAL_ROLES)
IsClinician.__doc__ = "Chiropractors and clinic admins: read and write clinical records."


def may_read_clinical(user) -> bool:
    return getattr(user, "role", None) in CLINICAL_ROLES
