"""Codings of the chiropractic vocabulary (the reference app's lists): segments, listings,
techniques, soft-tissue modalities, muscles, exercises, body regions and sides.

Our own code systems (fhir_api.systems) carry the reference lists' codes, which are the same in
every deployment; SNOMED CT appears only where the concept is certain (the three sides).
"""

from collections.abc import Iterable

from api.shipped_rows import shipped_rows
from fhir_api.resources.elements import LATERALITY_SNOMED, coding, concept
from fhir_api.systems import (
    BODY_REGION,
    EXERCISE,
    LISTING,
    MUSCLE,
    SEGMENT,
    SNOMED,
    SOFT_TISSUE_MODALITY,
    TECHNIQUE,
    vocabulary_system,
)
from patients.models import Laterality
from reference.models import (
    BodyRegion,
    Exercise,
    Listing,
    Muscle,
    Segment,
    SoftTissueModality,
    Technique,
)


def segment_concept(segment: Segment, laterality: str = "") -> dict:
    text = f"{segment.name}, {Laterality(laterality).label.lower()}" if laterality else segment.name
    return concept(SEGMENT, segment.code, segment.name, text)


def body_region_concept(region: str) -> dict:
    label = BodyRegion(region).label
    return concept(BODY_REGION, region, label, label)


def listing_concept(listing: Listing) -> dict:
    return concept(LISTING, listing.code, listing.description, listing.description)


def technique_coding(technique: Technique) -> dict:
    return coding(vocabulary_system(TECHNIQUE, technique.clinic_id), technique.code, technique.name)


def modality_coding(modality: SoftTissueModality) -> dict:
    return coding(SOFT_TISSUE_MODALITY, modality.code, modality.name)


def exercise_coding(exercise: Exercise) -> dict:
    return coding(vocabulary_system(EXERCISE, exercise.clinic_id), exercise.code, exercise.name)


def muscles_of(codes: Iterable[str]) -> list[Muscle]:
    """The shipped muscles of `codes`, in the order given (unknown codes are left out: the
    service checks them on the way in)."""
    muscles = shipped_rows(Muscle)
    return [muscles[code] for code in codes if code in muscles]


def muscle_concept(muscle: Muscle, laterality: str = "") -> dict:
    text = f"{muscle.name}, {Laterality(laterality).label.lower()}" if laterality else muscle.name
    return concept(MUSCLE, muscle.code, muscle.name, text)


def side_concept(laterality: str) -> dict | None:
    """The side as a SNOMED CT qualifier, or None when no side is recorded."""
    if not laterality:
        return None
    code, display = LATERALITY_SNOMED[Laterality(laterality)]
    return concept(SNOMED, code, display, Laterality(laterality).label)
