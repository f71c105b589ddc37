import pytest
from django.core.management import CommandError, call_command

from api.roles import Role
from clinics.models import Clinic, User


@pytest.mark.django_db
def test_create_clinic_makes_the_clinic_and_its_first_admin():
    call_command(
        "create_clinic", "Align Chiropractic", admin="owner", password="a-strong-pass-2026"
    )

    clinic = Clinic.objects.get(name="Align Chiropractic")
    assert clinic.slug == "align-chiropractic"
    admin = User.objects.get(username="owner@align-chiropractic")
    assert admin.clinic == clinic
    assert admin.role == Role.CLINIC_ADMIN
    assert admin.check_password("a-strong-pass-2026")


@pytest.mark.django_db
def test_create_clinic_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("CLINIC_ADMIN_PASSWORD", "from-the-env-2026")

    call_command(
        "create_clinic", "Env Clinic", admin="env.owner", time_zone="Europe/London", slug="env"
    )

    assert User.objects.get(username="env.owner@env").check_password("from-the-env-2026")
    assert Clinic.objects.get(name="Env Clinic").time_zone == "Europe/London"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"password": "short"}, "password"),
        ({"password": "a-strong-pass-2026", "time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_create_clinic_refuses_bad_input_and_writes_nothing(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_clinic", "Bad Clinic", admin="bad.owner", **options)

    assert not Clinic.objects.filter(name="Bad Clinic").exists()
    assert not User.objects.filter(username__startswith="bad.owner").exists()


@pytest.mark.django_db
def test_clinics_of_the_same_name_get_their_own_slugs():
    for _ in range(3):
        call_command("create_clinic", "Align", admin="owner", password="a-strong-pass-2026")

    assert sorted(Clinic.objects.values_list("slug", flat=True)) == ["align", "align-2", "align-3"]
