"""Load a demo clinic with one user per role and a few patients, so that `make run` has
something to show."""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction

from billing.models import Coverage, FeeScheduleEntry
from billing.services import case_create, coverage_create, fee_create
from clinics.models import Clinic, Role, User
from clinics.services import clinic_create, login_name, staff_create
from ops.fees import TYPICAL_FEES
from patients.models import Patient, search_key
from patients.phone import normalize_phone
from patients.services import condition_record, patient_create
from reference.models import Exercise, Listing, Segment, SoftTissueModality, Technique
from treatments.models import PlanPhase, TreatmentPlan
from treatments.plans.services import plan_create, plan_transition

DEMO_CLINIC = "Demo Spine & Sports Chiropractic"
DEMO_SLUG = "demo"
DEMO_PASSWORD = "lumbar-lighthouse-2026"
APOSTROPHE = "'"
DEMO_PATIENTS = [
    # (given, family, born, sex, occupation, activity, phone, conditions as (code, region, pain))
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


# The demo clinic's fees (what it charges a unit).
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
                data={
                    "given_name": given,
                    "family_name": family,
                    "date_of_birth": born,
                    "sex_at_birth": sex,
                    "occupation": occupation,
                    "activity_level": activity,
                    "phone": normalize_phone(phone),
                    "email": f"{search_key(given)}.{search_key(family).replace(APOSTROPHE, '')}@example.com",
                },
            )
            for code, region, pain in conditions:
                condition_record(
                    patient=patient,
                    data={
                        "code": code,
                        "body_region": region,
                        "laterality": "left" if region == "lower_extremity" else "",
                        "pain_at_intake": pain,
                        "onset_date": datetime.date(2026, 10, 1),
                    },
                    by=chiropractor,
                )

        maria = Patient.objects.for_clinic(clinic.pk).get(given_name="María", family_name="García")
        if not TreatmentPlan.objects.filter(patient=maria).exists():
            self._load_demo_plan(clinic, chiropractor, maria)
        self._load_demo_billing(clinic, chiropractor, maria)

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
                    data={
                        "cpt": cpt,
                        "charge": charge,
                        "effective_from": datetime.date(2026, 1, 1),
                    },
                )
        if Coverage.objects.filter(patient=patient).exists():
            return
        coverage = coverage_create(
            clinic=clinic,
            data={
                "patient": patient,
                "payer_name": "Medicare Part B",
                "payer_type": "medicare",
                "member_id": "1EG4-TE5-MK73",
                "starts_on": datetime.date(2026, 1, 1),
            },
        )
        case_create(
            clinic=clinic,
            data={
                "patient": patient,
                "coverage": coverage,
                "plan": TreatmentPlan.objects.filter(patient=patient).first(),
                "title": "Neck pain, 2026",
                "authorisation_number": "AUTH-55012",
                "authorised_visits": 12,
                "authorised_from": datetime.date(2026, 11, 1),
                "authorised_to": datetime.date(2027, 1, 31),
            },
        )

    def _load_demo_plan(self, clinic: Clinic, chiropractor: User, patient: Patient) -> None:
        """An active relief plan for María's neck: adjustments, soft tissue and stretches."""
        plan = plan_create(
            clinic=clinic,
            by=chiropractor,
            data={
                "patient": patient,
                "conditions": list(patient.conditions.all()),
                "phase": PlanPhase.RELIEF,
                "start_date": datetime.date(2026, 11, 2),
                "visits_per_week": 3,
                "weeks": 4,
                "notes": "Desk worker; review workstation ergonomics at the re-examination.",
                "goals": [
                    {
                        "description": "Neck pain at most 2/10",
                        "measure": "nrs_pain",
                        "comparator": "<=",
                        "target_value": 2,
                    },
                    {
                        "description": "Cervical rotation at least 70°",
                        "measure": "cervical_rotation_degrees",
                        "comparator": ">=",
                        "target_value": 70,
                    },
                ],
                "adjustments": [
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
                "soft_tissue": [
                    {
                        "modality": SoftTissueModality.objects.get(code="myofascial_release"),
                        "muscles": ["upper_trapezius", "levator_scapulae"],
                        "minutes": 8,
                    },
                ],
                "exercises": [
                    {
                        "exercise": Exercise.objects.get(code="chin_tuck", clinic=None),
                        "sets": 2,
                        "repetitions": 10,
                        "hold_seconds": 5,
                        "times_per_day": 3,
                        "instructions": "Every hour at the desk.",
                    },
                    {
                        "exercise": Exercise.objects.get(
                            code="upper_trapezius_stretch", clinic=None
                        ),
                        "sets": 1,
                        "repetitions": 3,
                        "hold_seconds": 30,
                        "times_per_day": 2,
                    },
                ],
            },
        )
        plan_transition(plan=plan, action="activate")
