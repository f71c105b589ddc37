import pytest
from django.core.management import call_command

from api.roles import Role
from clinics.models import Clinic, User
from patients.models import Condition, Patient
from treatments.models import TreatmentPlan


@pytest.mark.django_db
def test_demo_data_loads_once_with_a_user_per_role_and_patients():
    call_command("load_demo")
    call_command("load_demo")

    clinic = Clinic.objects.get()
    assert set(User.objects.filter(clinic=clinic).values_list("role", flat=True)) == set(
        Role.values
    )
    assert sorted(User.objects.filter(clinic=clinic).values_list("username", flat=True)) == [
        "admin.demo@demo",
        "desk.demo@demo",
        "dr.demo@demo",
    ]
    assert Patient.objects.filter(clinic=clinic).count() == 5
    assert Condition.objects.filter(clinic=clinic).count() == 8
    assert TreatmentPlan.objects.filter(clinic=clinic, status="active").count() == 1
