"""The kick-off's parameters (FHIR Bulk Data Access v2): `_type`, `_since`, `_outputFormat`."""

import datetime
from collections.abc import Mapping

from rest_framework import serializers

from fhir_api.kinds import ResourceKind
from fhir_export.error_codes import ExportCode

# NDJSON, by every name the specification lets a client use.
OUTPUT_FORMATS = frozenset({"application/fhir+ndjson", "application/ndjson", "ndjson"})
KNOWN = frozenset({"_type", "_since", "_outputFormat", "_format"})


def _refuse(name: str, message: str, code: str) -> serializers.ValidationError:
    return serializers.ValidationError({name: [serializers.ErrorDetail(message, code=code)]})


def export_types(raw: str | None, exportable: list[ResourceKind]) -> list[str]:
    names = [kind.name for kind in exportable]
    if not raw:
        return names
    asked = list(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
    unknown = [name for name in asked if name not in names]
    if unknown or not asked:
        raise _refuse(
            "_type",
            f"Not exported here: {', '.join(unknown) or '(none)'}; these are: {', '.join(names)}.",
            ExportCode.UNKNOWN_TYPE,
        )
    return asked


def export_since(raw: str | None) -> datetime.datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not 1900 <= moment.year <= 2999:
        raise _refuse(
            "_since",
            "A FHIR instant with its time zone, e.g. 2026-01-01T00:00:00Z.",
            ExportCode.INVALID_SINCE,
        )
    return moment


def check_parameters(query: Mapping[str, str]) -> None:
    for name in query:
        if name not in KNOWN:
            raise _refuse(
                name,
                "This server exports by `_type` and `_since` only.",
                ExportCode.UNSUPPORTED_EXPORT_PARAMETER,
            )
    output = query.get("_outputFormat")
    if output is not None and output not in OUTPUT_FORMATS:
        raise _refuse(
            "_outputFormat",
            "Only NDJSON (`application/fhir+ndjson`) is written.",
            ExportCode.UNSUPPORTED_OUTPUT_FORMAT,
        )
