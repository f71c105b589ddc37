"""factory_boy factories for clinics, staff, patients and conditions."""

import datetime

import factory

from api.roles import Role
from clinics.models import Clinic, User
from patients.models import BodyRegion, Condition, Patient, SexAtBirth

TEST_PASSWORD = "a-long-test-password-42"


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    time_zone = "America/New_York"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    clinic = factory.SubFactory(ClinicFactory)
    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    role = Role.CHIROPRACTOR
    password = factory.django.Password(TEST_PASSWORD)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    chart_number = factory.Sequence(lambda n: f"T{n:05d}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = datetime.date(1985, 4, 12)
    sex_at_birth = SexAtBirth.FEMALE
    phone = "+16175550123"
    email = factory.Sequence(lambda n: f"patient{n}@example.com")


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition

    patient = factory.SubFactory(PatientFactory)
    clinic = factory.SelfAttribute("patient.clinic")
    code = "M62.830"
    display = "Muscle spasm of back"
    body_region = BodyRegion.LUMBAR
    recorded_by = factory.SubFactory(UserFactory, clinic=factory.SelfAttribute("..clinic"))
