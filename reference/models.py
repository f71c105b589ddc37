"""Reference vocabulary for pickers: segments, listings, techniques, modalities, muscles,
exercises. Shipped entries have no clinic and are shared; a clinic's own techniques and
exercises carry its clinic and are seen by that clinic only."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from api.error_codes import ApiCode

code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{1,59}$",
    "Use 2–60 lower-case letters, digits or underscores, starting with a letter.",
    code=ApiCode.INVALID_CODE,
)


class BodyRegion(models.TextChoices):
    CERVICAL = "cervical", "Cervical"
    THORACIC = "thoracic", "Thoracic"
    LUMBAR = "lumbar", "Lumbar"
    SACRAL = "sacral", "Sacral"
    PELVIC = "pelvic", "Pelvic"
    HEAD = "head", "Head"
    RIB_CAGE = "rib_cage", "Rib cage"
    UPPER_EXTREMITY = "upper_extremity", "Upper extremity"
    LOWER_EXTREMITY = "lower_extremity", "Lower extremity"
    ABDOMEN = "abdomen", "Abdomen"


class CmtRegion(models.TextChoices):
    CERVICAL = "cervical", "Cervical"
    THORACIC = "thoracic", "Thoracic"
    LUMBAR = "lumbar", "Lumbar"
    SACRAL = "sacral", "Sacral"
    PELVIC = "pelvic", "Pelvic"
    EXTRASPINAL = "extraspinal", "Extraspinal"


class SegmentKind(models.TextChoices):
    VERTEBRA = "vertebra", "Vertebra"
    COSTOVERTEBRAL = "costovertebral", "Costovertebral joints"
    SACRUM = "sacrum", "Sacrum"
    COCCYX = "coccyx", "Coccyx"
    ILIUM = "ilium", "Ilium"
    PUBIC_SYMPHYSIS = "pubic_symphysis", "Pubic symphysis"
    EXTREMITY = "extremity", "Extremity joint"
    RIB = "rib", "Ribs"


class Segment(models.Model):
    """A spinal segment or joint that can be adjusted, with its CMT region."""

    changes_only_by_migration = True  # api.shipped_rows

    shared_across_clinics = True

    code = models.CharField(primary_key=True, max_length=20)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=SegmentKind.choices)
    cmt_region = models.CharField(max_length=12, choices=CmtRegion.choices)
    sided = models.BooleanField(help_text="True when an adjustment must say left or right.")
    position = models.PositiveSmallIntegerField(help_text="Head-to-toe order.")

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class ListingNotation(models.TextChoices):
    GONSTEAD = "gonstead", "Gonstead"
    DIVERSIFIED = "diversified", "Diversified (restricted motion)"


class Listing(models.Model):
    """A misalignment or restriction finding, in Gonstead or Diversified notation."""

    changes_only_by_migration = True  # api.shipped_rows

    shared_across_clinics = True

    code = models.CharField(primary_key=True, max_length=40)
    description = models.CharField(max_length=200)
    notation = models.CharField(max_length=12, choices=ListingNotation.choices)
    applies_to = ArrayField(
        models.CharField(max_length=20, choices=SegmentKind.choices),
        help_text="Kinds of segment the listing can describe.",
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.code


class ClinicExtensibleQuerySet(models.QuerySet):
    def available_to(self, clinic_id: object) -> "ClinicExtensibleQuerySet":
        """Shipped entries plus the clinic's own."""
        return self.filter(models.Q(clinic__isnull=True) | models.Q(clinic_id=clinic_id))


class ClinicExtensibleModel(models.Model):
    """Reference entries that ship with the product and that a clinic may add to."""

    shared_across_clinics = True

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(
        "clinics.Clinic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The clinic that added the entry; null for shipped entries.",
    )
    code = models.CharField(max_length=60, validators=[code_validator])
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicExtensibleQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class Technique(ClinicExtensibleModel):
    """An adjusting technique (Diversified, Gonstead, Activator, …)."""

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "code"], name="technique_code_unique", nulls_distinct=False
            )
        ]


class SoftTissueModality(models.Model):
    """A soft-tissue therapy and the timed CPT code it is billed under."""

    changes_only_by_migration = True  # api.shipped_rows

    shared_across_clinics = True

    code = models.CharField(primary_key=True, max_length=40)
    name = models.CharField(max_length=120)
    cpt_code = models.CharField(max_length=5)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class Muscle(models.Model):
    """A muscle commonly treated."""

    changes_only_by_migration = True  # api.shipped_rows

    shared_across_clinics = True

    code = models.CharField(primary_key=True, max_length=40)
    name = models.CharField(max_length=120)
    body_region = models.CharField(max_length=20, choices=BodyRegion.choices)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


# An exercise is billed as therapeutic exercise unless it re-educates (97112).
THERAPEUTIC_EXERCISE = "97110"


class Exercise(ClinicExtensibleModel):
    """A stretch or exercise of the library, with its usual dosage."""

    body_region = models.CharField(max_length=20, choices=BodyRegion.choices)
    default_sets = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    default_repetitions = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    default_hold_seconds = models.PositiveSmallIntegerField(validators=[MaxValueValidator(600)])
    cpt_code = models.CharField(
        max_length=5,
        choices=[
            (THERAPEUTIC_EXERCISE, "97110 therapeutic exercise"),
            ("97112", "97112 neuromuscular re-education"),
        ],
        default=THERAPEUTIC_EXERCISE,
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "code"], name="exercise_code_unique", nulls_distinct=False
            )
        ]
        indexes = [models.Index(fields=["clinic", "body_region"], name="exercise_region_idx")]


class Icd10Code(models.Model):
    """An ICD-10-CM category, subcategory or code with its 7th character (the CDC's release,
    as the `simple-icd-10-cm` package ships it), with the words the picker searches.

    Created and filled by migrations, read only by the API: its own table rather than the
    package's index in every worker (180 MB and a second and a half per process). Unmanaged,
    so that a test database's flush leaves it in place, as it leaves the migrations.
    """

    code = models.CharField(primary_key=True, max_length=8, db_collation="C")
    # The code without its dot, for prefix search (`M545` finds M54.5…).
    compact = models.CharField(max_length=7, db_collation="C")
    description = models.TextField()
    billable = models.BooleanField()
    # Lower-case words of the description and of the everyday words staff type for the
    # chiropractic codes, separated by spaces (full-text searched by word prefix).
    search_words = models.TextField()

    shared_across_clinics = True

    class Meta:
        managed = False
        db_table = "reference_icd10code"

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    @property
    def chiropractic(self) -> bool:
        """One of the codes chiropractic clinics use most (ranked first in searches)."""
        from reference.icd10 import CHIROPRACTIC_CODES

        return self.code in CHIROPRACTIC_CODES
