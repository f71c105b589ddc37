"""Schedule: one per chiropractor (the id is theirs), their weekly working hours in words.

The hours themselves are rules (scheduling.availability): time off, extra hours and bookings
change when a chiropractor is free, and the free times are the Slots of this Schedule.
"""

from datetime import date, time

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet
from django.db.models.functions import JSONObject

from api.permissions import SchedulePermission
from api.roles import Role
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import compact, concept, reference
from fhir_api.search import IdParameter, ReferencesParameter, TokenParameter
from fhir_api.systems import SERVICE_CATEGORY, SERVICE_TYPE
from scheduling.models import Weekday
from scheduling.selectors import working_hours_list

# The example code systems of FHIR R4 (service-category, service-type) have both.
ALLIED_HEALTH = concept(SERVICE_CATEGORY, "34", "Allied Health")
CHIROPRACTIC = concept(SERVICE_TYPE, "52", "Chiropractic")


def schedule_rows(user: User) -> QuerySet[User]:
    """The clinic's chiropractors, each with their current weekly hours (`hours`) in the
    same statement."""
    hours = (
        working_hours_list(user=user)
        .filter(chiropractor_id=OuterRef("pk"))
        .order_by("weekday", "start_time")
        .values(
            json=JSONObject(
                weekday="weekday",
                start="start_time",
                end="end_time",
                valid_from="valid_from",
                valid_until="valid_until",
            )
        )
    )
    return (
        User.objects.filter(clinic_id=user.staff_clinic_id, role=Role.CHIROPRACTOR)
        .select_related("clinic")
        .annotate(hours=ArraySubquery(hours))
    )


def _clock(text: str) -> str:
    return time.fromisoformat(text).strftime("%H:%M")


def _validity(row: dict) -> str:
    parts = []
    if row["valid_from"]:
        parts.append(f"from {row['valid_from']}")
    if row["valid_until"]:
        parts.append(f"until {row['valid_until']}")
    return f" ({' '.join(parts)})" if parts else ""


def working_hours_text(hours: list[dict], time_zone: str) -> str:
    """`Monday 09:00–12:00 and 14:00–18:00; Wednesday 09:00–13:00 (until 2027-03-31)`."""
    if not hours:
        return "No working hours are kept for this chiropractor."
    days: dict[int, list[str]] = {}
    for row in hours:
        span = f"{_clock(row['start'])}–{_clock(row['end'])}{_validity(row)}"
        days.setdefault(row["weekday"], []).append(span)
    week = "; ".join(
        f"{Weekday(day).label} {' and '.join(spans)}" for day, spans in sorted(days.items())
    )
    return (
        f"Working hours ({time_zone}): {week}. Time off and extra hours change them; the free "
        "times are this Schedule's Slots."
    )


def planning_horizon(hours: list[dict]) -> dict:
    """When the weekly hours apply: from the first range's start to the last one's end, each
    side only when every range is bounded on it."""
    if not hours:
        return {}
    starts = [row["valid_from"] for row in hours]
    ends = [row["valid_until"] for row in hours]
    horizon = {}
    if all(starts):
        horizon["start"] = min(date.fromisoformat(day) for day in starts).isoformat()
    if all(ends):
        horizon["end"] = max(date.fromisoformat(day) for day in ends).isoformat()
    return horizon


def schedule_resource(chiropractor: User) -> dict:
    hours: list[dict] = getattr(chiropractor, "hours", [])
    return compact(
        {
            "resourceType": "Schedule",
            "id": str(chiropractor.id),
            "active": chiropractor.is_active,
            "serviceCategory": [ALLIED_HEALTH],
            "serviceType": [CHIROPRACTIC],
            "actor": [
                reference("Practitioner", chiropractor.id, chiropractor.display_name),
                reference("Location", chiropractor.staff_clinic_id, chiropractor.staff_clinic.name),
            ],
            "planningHorizon": planning_horizon(hours),
            "comment": working_hours_text(hours, chiropractor.staff_clinic.time_zone),
        }
    )


SCHEDULE = ResourceKind(
    # Staff and clinic rows keep no change time: an export writes them whatever `_since`.
    last_updated=None,
    name="Schedule",
    summary="Schedules: one per chiropractor (the same id as their Practitioner), with their "
    "weekly working hours; the free times are its Slots.",
    rows=schedule_rows,
    resource=schedule_resource,
    readers=SchedulePermission.read_roles,
    audit_resource="working_hours",
    ordering="username",
    patient_attr=None,
    search={
        "_id": IdParameter("The schedule's id (its chiropractor's)."),
        "actor": ReferencesParameter(
            "`Practitioner/<id>` (the chiropractor) or `Location/<id>` (the clinic).",
            targets={"Practitioner": "pk", "Location": "clinic_id"},
        ),
        "active": TokenParameter(
            "true: chiropractors at work; false: accounts deactivated.",
            column="is_active",
            codes={"true": ("True",), "false": ("False",)},
        ),
    },
)
