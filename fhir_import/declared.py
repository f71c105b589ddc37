"""The codes an import may answer: its own, and those of the REST API's writes it makes
(the same serializers and services, so the same refusals, here per entry)."""

from drf_standardized_errors.openapi_utils import (
    get_flat_serializer_fields,
    get_serializer_fields_with_error_codes,
)

from api.error_codes import ApiCode, ErrorCodes, all_error_codes, declared_for_action
from billing.views import CoverageViewSet
from charts.views import VisitViewSet
from fhir_api.error_codes import FhirCode
from fhir_import.error_codes import ImportCode
from fhir_import.services import IMPORT_KINDS
from patients.views import PatientConditionViewSet, PatientViewSet
from treatments.outcomes.views import PatientOutcomeViewSet

# The REST operations whose work an import does.
WRITES = (
    (PatientViewSet, "create"),
    (PatientConditionViewSet, "create"),
    (CoverageViewSet, "create"),
    (PatientOutcomeViewSet, "create"),
    (VisitViewSet, "create"),
    (VisitViewSet, "sign"),
)


def _field_codes() -> set[ErrorCodes]:
    """What the serializers' fields answer (required, max_length, …), as declared codes."""
    by_value = {str(code): code for codes in all_error_codes() for code in codes}
    found: set[ErrorCodes] = set()
    for kind in IMPORT_KINDS.values():
        fields = get_serializer_fields_with_error_codes(
            get_flat_serializer_fields(kind.serializer())
        )
        found |= {
            by_value[code] for field in fields for code in field.error_codes if code in by_value
        }
    return found


def import_error_codes() -> tuple[ErrorCodes, ...]:
    codes: set[ErrorCodes] = {
        *ImportCode,
        FhirCode.UNSUPPORTED_FORMAT,
        ApiCode.OUT_OF_RANGE,
        ApiCode.INTEGRITY_CONFLICT,
    }
    for view, action in WRITES:
        codes |= declared_for_action(view, action)
    codes |= _field_codes()
    return tuple(sorted(codes))
