"""Load a demo clinic with one user per role, so that `make run` has something to show."""

from django.core.management.base import BaseCommand
from django.db import transaction

from clinics.models import Clinic, Role, User
from clinics.services import clinic_create, staff_create

DEMO_CLINIC = "Demo Spine & Sports Chiropractic"
DEMO_PASSWORD = "demo-password-2026"
DEMO_STAFF = [
    ("admin.demo", Role.CLINIC_ADMIN, "Alex", "Admin"),
    ("dr.demo", Role.CHIROPRACTOR, "Daniel", "Palmer"),
    ("desk.demo", Role.FRONT_DESK, "Fiona", "Desk"),
]


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
            )
        for username, role, first_name, last_name in DEMO_STAFF:
            if not User.objects.filter(username=username).exists():
                staff_create(clinic=clinic, username=username, password=DEMO_PASSWORD, role=role)
            User.objects.filter(username=username).update(
                first_name=first_name, last_name=last_name
            )

        self.stdout.write(f"Demo clinic: {clinic.name}")
        for username, role, *_ in DEMO_STAFF:
            self.stdout.write(f"  login {username:<12} password {DEMO_PASSWORD}  ({role.label})")
