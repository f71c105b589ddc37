from django.db import migrations


def name_staff_within_their_clinic(apps, schema_editor):
    """Existing staff log in as `<name>@<clinic slug>` like new ones, so that no name of one
    clinic can ever collide with, and so reveal, a name of another."""
    User = apps.get_model("clinics", "User")
    for user in User.objects.filter(clinic__isnull=False).select_related("clinic"):
        suffix = f"@{user.clinic.slug}"
        if not user.username.endswith(suffix):
            user.username = user.username[: 150 - len(suffix)] + suffix
            user.save(update_fields=["username"])


class Migration(migrations.Migration):
    dependencies = [("clinics", "0005_clinic_slug")]

    operations = [migrations.RunPython(name_staff_within_their_clinic, migrations.RunPython.noop)]
