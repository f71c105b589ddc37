from tenancy.models import check_tenant_models_are_clinic_scoped


def test_models_of_tenant_apps_are_all_clinic_scoped():
    assert check_tenant_models_are_clinic_scoped() == []


def test_a_model_without_a_clinic_in_a_tenant_app_is_refused_at_start_up(settings):
    settings.TENANT_APPS = ["clinics"]

    errors = check_tenant_models_are_clinic_scoped()

    assert {error.id for error in errors} == {"tenancy.E001"}
    assert any("clinics.User" in error.msg for error in errors)
