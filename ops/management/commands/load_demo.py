"""Load a demo clinic with one user per role and a few patients, so that `make run` has
something to show: a working week on the calendar, and María's plan with signed, billed
visits."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from api.roles import Role
from billing.models import Coverage, FeeScheduleEntry
from billing.selectors import coded_visit_list
from billing.services import case_create, coverage_create, fee_create
from charts.services import visit_sign
from clinics.models import Clinic, ReminderSchedule, User
from clinics.services import clinic_create, login_name, staff_create
from ops.fees import TYPICAL_FEES
from patients.models import Patient, search_key
from patients.phone import normalize_phone
from patients.services import clinic_today, condition_record, patient_create
from reference.models import Exercise, Listing, Segment, SoftTissueModality, Technique
from scheduling.models import Appointment, AppointmentType, VisitKind, WorkingHours
from scheduling.services import appointment_book, appointment_type_create, working_hours_create
from treatments.models import PlanPhase, PlanStatus, TreatmentPlan, Visit
from treatments.plans.services import plan_create, plan_transition
from treatments.visits.services import visit_create

DEMO_CLINIC = "Demo Spine & Sports Chiropractic"
DEMO_SLUG = "demo"
DEMO_PASSWORD = "lumbar-lighthouse-2026"
APOSTROPHE = "'"
# (given, family, born, sex, occupation, activity, phone, conditions as (code, region, pain))
DemoPatient = tuple[str, str, datetime.date, str, str, str, str, list[tuple[str, str, int | None]]]
DEMO_PATIENTS: list[DemoPatient] = [
    (
        "María",
        "García",
        datetime.date(1979, 3, 14),
        "female",
        "Software developer",
        "desk_work",
        "(617) 555-0100",
        [("M54.2", "cervical", 6), ("M99.01", "cervical", None)],
    ),
    (
        "James",
        "O'Connor",
        datetime.date(1965, 11, 2),
        "male",
        "Warehouse picker",
        "manual_labour",
        "(617) 555-0134",
        [("M54.50", "lumbar", 7), ("M62.830", "lumbar", 7), ("M99.03", "lumbar", None)],
    ),
    (
        "Aiko",
        "Tanaka",
        datetime.date(1994, 7, 21),
        "female",
        "Marathon runner",
        "athlete",
        "(617) 555-0178",
        [("M62.831", "lower_extremity", 4)],
    ),
    (
        "Zoë",
        "Müller",
        datetime.date(1988, 1, 30),
        "female",
        "Nurse",
        "active",
        "(617) 555-0192",
        [("S13.4XXA", "cervical", 8), ("G44.209", "head", 5)],
    ),
    (
        "Samuel",
        "Okafor",
        datetime.date(2001, 5, 9),
        "male",
        "Student",
        "sedentary",
        "(617) 555-0147",
        [],
    ),
]
DEMO_STAFF = [
    ("admin.demo", Role.CLINIC_ADMIN, "Alex", "Admin"),
    ("dr.demo", Role.CHIROPRACTOR, "Daniel", "Palmer"),
    ("desk.demo", Role.FRONT_DESK, "Fiona", "Desk"),
]
# Dr. Palmer's week on the clinic's clock: Monday to Friday, with a lunch break.
DEMO_HOURS = [(datetime.time(8), datetime.time(12)), (datetime.time(13), datetime.time(18))]
DEMO_APPOINTMENT_TYPES = [
    # (name, minutes, buffer after, the kind of visit it is the clinic's default for)
    ("New-patient exam", 45, 15, VisitKind.NEW_PATIENT),
    ("Adjustment visit", 15, 0, VisitKind.REGULAR_VISIT),
    ("Re-examination", 30, 0, VisitKind.REEXAMINATION),
]
DEMO_WEEK = [
    # (weekday, time, patient's given name, appointment type)
    (0, datetime.time(9), "María", "Adjustment visit"),
    (0, datetime.time(10, 30), "James", "Adjustment visit"),
    (0, datetime.time(14), "Samuel", "New-patient exam"),
    (1, datetime.time(8, 30), "Zoë", "Adjustment visit"),
    (1, datetime.time(11), "Aiko", "Adjustment visit"),
    (1, datetime.time(16), "James", "Adjustment visit"),
    (2, datetime.time(9), "María", "Adjustment visit"),
    (2, datetime.time(13, 30), "Aiko", "Adjustment visit"),
    (2, datetime.time(17), "Zoë", "Adjustment visit"),
    (3, datetime.time(10), "James", "Re-examination"),
    (3, datetime.time(15), "Samuel", "Adjustment visit"),
    (4, datetime.time(9), "María", "Re-examination"),
    (4, datetime.time(11, 30), "Aiko", "Adjustment visit"),
    (4, datetime.time(14), "Zoë", "Adjustment visit"),
]
# A time this close is treated as passed: booking refuses a start that passes meanwhile.
BOOKING_MARGIN = datetime.timedelta(minutes=5)
DEMO_VISIT_TIME = datetime.time(9)
DEMO_VISITS = [
    # (days after the plan's start, pain before, pain after, what she reports)
    (0, 6, 4, "Neck pain since October, worse after long days at the desk."),
    (2, 5, 3, "Less stiffness in the mornings; sore again by the late afternoon."),
    (4, 4, 2, "Could turn her head to reverse the car without pain."),
]
# Supervised minutes of a prescribed exercise at a visit (timed, 97110); others are reviewed.
SUPERVISED_MINUTES = {"chin_tuck": 10}


class Command(BaseCommand):
    help = "Create (once) a demo clinic with a clinic admin, a chiropractor and a front-desk user."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        clinic = Clinic.objects.filter(name=DEMO_CLINIC).first()
        if clinic is None:
            clinic = clinic_create(
                name=DEMO_CLINIC,
                admin_username=DEMO_STAFF[0][0],
                admin_password=DEMO_PASSWORD,
                time_zone="America/New_York",
                slug=DEMO_SLUG,
            )
            # Once, when made: the worker `make run` starts prints the week's reminders on the
            # console; a demo clinic an admin turned them off in stays off.
            Clinic.objects.filter(pk=clinic.pk).update(appointment_reminders=ReminderSchedule.BOTH)
        for username, role, first_name, last_name in DEMO_STAFF:
            if not User.objects.filter(username=login_name(clinic, username)).exists():
                staff_create(clinic=clinic, username=username, password=DEMO_PASSWORD, role=role)
            User.objects.filter(username=login_name(clinic, username)).update(
                first_name=first_name, last_name=last_name
            )

        chiropractor = User.objects.get(username=login_name(clinic, "dr.demo"))
        for given, family, born, sex, occupation, activity, phone, conditions in DEMO_PATIENTS:
            if (
                Patient.objects.for_clinic(clinic.pk)
                .filter(given_name=given, family_name=family)
                .exists()
            ):
                continue
            patient = patient_create(
                clinic=clinic,
                given_name=given,
                family_name=family,
                date_of_birth=born,
                sex_at_birth=sex,
                occupation=occupation,
                activity_level=activity,
                phone=normalize_phone(phone),
                email=f"{search_key(given)}.{search_key(family).replace(APOSTROPHE, '')}@example.com",
            )
            for code, region, pain in conditions:
                condition_record(
                    patient=patient,
                    code=code,
                    body_region=region,
                    laterality="left" if region == "lower_extremity" else "",
                    pain_at_intake=pain,
                    onset_date=datetime.date(2026, 10, 1),
                    by=chiropractor,
                )

        maria = Patient.objects.for_clinic(clinic.pk).get(given_name="María", family_name="García")
        if not TreatmentPlan.objects.filter(patient=maria).exists():
            self._load_demo_plan(clinic, chiropractor, maria)
        self._load_demo_billing(clinic, chiropractor, maria)
        self._load_demo_visits(clinic, chiropractor, maria)
        self._load_demo_calendar(clinic, chiropractor)
        self._load_demo_week(clinic, chiropractor)

        self.stdout.write(f"Demo clinic: {clinic.name}")
        for username, role, *_ in DEMO_STAFF:
            login = login_name(clinic, username)
            self.stdout.write(f"  login {login:<17} password {DEMO_PASSWORD}  ({role.label})")

    def _load_demo_billing(self, clinic: Clinic, chiropractor: User, patient: Patient) -> None:
        """What claims need: NPIs, the clinic's tax id and address, a fee schedule, and
        María's Medicare coverage with a case for her plan (12 visits authorised)."""
        if not clinic.npi:
            Clinic.objects.filter(pk=clinic.pk).update(
                npi="1245319599",
                tax_id="12-3456789",
                address="12 Spine Street, Springfield, IL 62701",
                phone="+1 217 555 0100",
            )
        if not chiropractor.npi:
            User.objects.filter(pk=chiropractor.pk).update(npi="1234567893")
        for cpt, charge in TYPICAL_FEES.items():
            if not FeeScheduleEntry.objects.filter(clinic=clinic, cpt=cpt).exists():
                fee_create(
                    clinic=clinic,
                    cpt=cpt,
                    charge=charge,
                    effective_from=datetime.date(2026, 1, 1),
                )
        if Coverage.objects.filter(patient=patient).exists():
            return
        coverage = coverage_create(
            clinic=clinic,
            patient=patient,
            payer_name="Medicare Part B",
            payer_type="medicare",
            member_id="1EG4-TE5-MK73",
            starts_on=datetime.date(2026, 1, 1),
        )
        case_create(
            clinic=clinic,
            patient=patient,
            coverage=coverage,
            plan=TreatmentPlan.objects.filter(patient=patient).first(),
            title="Neck pain, 2026",
            authorisation_number="AUTH-55012",
            authorised_visits=12,
            authorised_from=datetime.date(2026, 11, 1),
            authorised_to=datetime.date(2027, 1, 31),
        )

    def _load_demo_plan(self, clinic: Clinic, chiropractor: User, patient: Patient) -> None:
        """An active relief plan for María's neck: adjustments, soft tissue and stretches."""
        plan = plan_create(
            clinic=clinic,
            by=chiropractor,
            patient=patient,
            conditions=list(patient.conditions.all()),
            phase=PlanPhase.RELIEF,
            start_date=datetime.date(2026, 11, 2),
            visits_per_week=3,
            weeks=4,
            notes="Desk worker; review workstation ergonomics at the re-examination.",
            goals=[
                {
                    "description": "Neck pain at most 2/10",
                    "measure": "nrs_pain",
                    "comparator": "<=",
                    "target_value": Decimal(2),
                },
                {
                    "description": "Cervical rotation at least 70°",
                    "measure": "cervical_rotation_degrees",
                    "comparator": ">=",
                    "target_value": Decimal(70),
                },
            ],
            adjustments=[
                {
                    "segment": Segment.objects.get(code="C5"),
                    "listing": Listing.objects.get(code="PRS"),
                    "technique": Technique.objects.get(code="diversified", clinic=None),
                },
                {
                    "segment": Segment.objects.get(code="T4"),
                    "technique": Technique.objects.get(code="activator", clinic=None),
                },
            ],
            soft_tissue=[
                {
                    "modality": SoftTissueModality.objects.get(code="myofascial_release"),
                    "muscles": ["upper_trapezius", "levator_scapulae"],
                    "minutes": 8,
                },
            ],
            exercises=[
                {
                    "exercise": Exercise.objects.get(code="chin_tuck", clinic=None),
                    "sets": 2,
                    "repetitions": 10,
                    "hold_seconds": 5,
                    "times_per_day": 3,
                    "instructions": "Every hour at the desk.",
                },
                {
                    "exercise": Exercise.objects.get(code="upper_trapezius_stretch", clinic=None),
                    "sets": 1,
                    "repetitions": 3,
                    "hold_seconds": 30,
                    "times_per_day": 2,
                },
            ],
        )
        plan_transition(plan=plan, action="activate")

    def _load_demo_visits(self, clinic: Clinic, chiropractor: User, patient: Patient) -> None:
        """María's first week of care, signed: each visit carries out her plan's adjustments,
        soft tissue and exercises, so that it has coding, a claim, a superbill and a line on
        her statement. Visits are logged only once they have taken place."""
        plan = TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE).first()
        if plan is None or Visit.objects.filter(patient=patient).exists():
            return
        adjustments = list(plan.adjustments.filter(removed_at__isnull=True).order_by("position"))
        soft_tissue = list(plan.soft_tissue.filter(removed_at__isnull=True).order_by("position"))
        exercises = list(plan.exercises.filter(removed_at__isnull=True).order_by("position"))
        zone = ZoneInfo(clinic.time_zone)
        for days, pain_before, pain_after, subjective in DEMO_VISITS:
            visit_at = datetime.datetime.combine(
                plan.start_date + datetime.timedelta(days=days), DEMO_VISIT_TIME, zone
            )
            if visit_at > timezone.now():
                break
            visit = visit_create(
                clinic=clinic,
                by=chiropractor,
                patient=patient,
                plan=plan,
                visit_at=visit_at,
                pain_before=pain_before,
                pain_after=pain_after,
                subjective=subjective,
                objective="Tender, hypertonic upper trapezius; C5 and T4 restricted.",
                assessment="Cervicalgia with C5 subluxation, improving.",
                plan_note="Continue the plan; chin tucks at the desk every hour.",
                # The home programme starts at the first visit: nothing to follow before it.
                adherence="full" if days else "",
                findings=[
                    {
                        "region": "cervical",
                        "pain": True,
                        "asymmetry": True,
                        "range_of_motion": True,
                        "tissue": True,
                        "range_of_motion_note": "Right rotation limited",
                    },
                    {"region": "thoracic", "pain": True, "range_of_motion": True},
                ],
                # Each carries out its planned item, and takes from it what it does not say.
                adjustments=[{"planned_item": item} for item in adjustments],
                soft_tissue=[{"planned_item": item} for item in soft_tissue],
                exercises=[
                    {
                        "planned_item": item,
                        "minutes": SUPERVISED_MINUTES.get(item.exercise.code, 0),
                    }
                    for item in exercises
                ],
            )
            # Signed as the API signs: the visit read with what its coding needs.
            visit_sign(visit=coded_visit_list(user=chiropractor).get(pk=visit.pk), by=chiropractor)

    def _load_demo_calendar(self, clinic: Clinic, chiropractor: User) -> None:
        """Dr. Palmer's working hours and the clinic's appointment types (a new clinic has
        none of either)."""
        if not WorkingHours.objects.filter(chiropractor=chiropractor).exists():
            for weekday in range(5):
                for start, end in DEMO_HOURS:
                    working_hours_create(
                        clinic=clinic,
                        by=chiropractor,
                        chiropractor=chiropractor,
                        # scheduling.inputs declares the weekday as text; it is its number.
                        weekday=weekday,  # type: ignore[arg-type]
                        start_time=start,
                        end_time=end,
                    )
        for name, minutes, buffer, default_for in DEMO_APPOINTMENT_TYPES:
            offered = AppointmentType.objects.filter(clinic=clinic, is_active=True)
            if offered.filter(Q(name=name) | Q(default_for=default_for)).exists():
                continue
            appointment_type_create(
                clinic=clinic,
                name=name,
                duration_minutes=minutes,
                buffer_after_minutes=buffer,
                default_for=default_for,
            )

    def _load_demo_week(self, clinic: Clinic, chiropractor: User) -> None:
        """A working week of appointments for every patient, booked by the front desk, so
        that the calendar is current whenever the demo is loaded: this week's slots on the
        clinic's clock, and, as no time that has passed can be booked, next week's for
        those already past. None is arrived or completed yet, for the same reason."""
        zone = ZoneInfo(clinic.time_zone)
        today = clinic_today(clinic)
        monday = today - datetime.timedelta(days=today.weekday())
        week_start = datetime.datetime.combine(monday, datetime.time(0), zone)
        if Appointment.objects.filter(chiropractor=chiropractor, start_at__gte=week_start).exists():
            return
        desk = User.objects.get(username=login_name(clinic, "desk.demo"))
        patients = {p.given_name: p for p in Patient.objects.for_clinic(clinic.pk)}
        types = {t.name: t for t in AppointmentType.objects.filter(clinic=clinic, is_active=True)}
        plans = {
            plan.patient_id: plan
            for plan in TreatmentPlan.objects.filter(clinic=clinic, status=PlanStatus.ACTIVE)
        }
        soon = timezone.now() + BOOKING_MARGIN
        for weekday, at, given, type_name in DEMO_WEEK:
            day = monday + datetime.timedelta(days=weekday)
            if datetime.datetime.combine(day, at, zone) <= soon:
                day += datetime.timedelta(weeks=1)
            patient = patients[given]
            appointment_book(
                clinic=clinic,
                by=desk,
                patient=patient,
                chiropractor=chiropractor,
                appointment_type=types[type_name],
                plan=plans.get(patient.pk),
                start_at=datetime.datetime.combine(day, at, zone),
            )
