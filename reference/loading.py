"""Loads the shipped catalogue into the reference tables (called from data migrations)."""

from reference import catalog


def sync_catalog(apps, schema_editor=None) -> None:
    """Insert or update every shipped entry; clinic-added entries are left alone."""
    Segment = apps.get_model("reference", "Segment")
    Listing = apps.get_model("reference", "Listing")
    Technique = apps.get_model("reference", "Technique")
    SoftTissueModality = apps.get_model("reference", "SoftTissueModality")
    Muscle = apps.get_model("reference", "Muscle")
    Exercise = apps.get_model("reference", "Exercise")

    for position, (code, name, kind, region, sided) in enumerate(catalog.SEGMENTS):
        Segment.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "cmt_region": region,
                "sided": sided,
                "position": position,
            },
        )
    for position, (code, description, notation, applies_to) in enumerate(catalog.LISTINGS):
        Listing.objects.update_or_create(
            code=code,
            defaults={
                "description": description,
                "notation": notation,
                "applies_to": list(applies_to),
                "position": position,
            },
        )
    for code, name, description in catalog.TECHNIQUES:
        Technique.objects.update_or_create(
            clinic=None, code=code, defaults={"name": name, "description": description}
        )
    for position, (code, name, cpt_code) in enumerate(catalog.SOFT_TISSUE_MODALITIES):
        SoftTissueModality.objects.update_or_create(
            code=code, defaults={"name": name, "cpt_code": cpt_code, "position": position}
        )
    for position, (code, name, region) in enumerate(catalog.MUSCLES):
        Muscle.objects.update_or_create(
            code=code, defaults={"name": name, "body_region": region, "position": position}
        )
    for code, name, description, region, sets, reps, hold, cpt_code in catalog.EXERCISES:
        Exercise.objects.update_or_create(
            clinic=None,
            code=code,
            defaults={
                "name": name,
                "description": description,
                "body_region": region,
                "default_sets": sets,
                "default_repetitions": reps,
                "default_hold_seconds": hold,
                "cpt_code": cpt_code,
            },
        )
