from django.db import migrations, models
from django.utils.text import slugify


def give_each_clinic_a_slug(apps, schema_editor):
    Clinic = apps.get_model("clinics", "Clinic")
    taken: set[str] = set()
    for clinic in Clinic.objects.order_by("created_at", "id"):
        base = slugify(clinic.name)[:32] or "clinic"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        clinic.slug = slug
        clinic.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [("clinics", "0004_clinic_mfa_required_roles")]

    operations = [
        migrations.AddField(
            model_name="clinic",
            name="slug",
            field=models.SlugField(max_length=40, null=True, db_index=False),
        ),
        migrations.RunPython(give_each_clinic_a_slug, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="clinic",
            name="slug",
            field=models.SlugField(
                help_text="The clinic's short name: staff log in as `<name>@<slug>`.",
                max_length=40,
                unique=True,
            ),
        ),
    ]
