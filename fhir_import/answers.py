"""The import's answer: a `transaction-response` or `batch-response` Bundle, one entry per
entry posted and in its order, or, for a transaction that was refused, the OperationOutcome
of the entry that stopped it."""

from http import HTTPStatus

from fhir_api.outcomes import operation_outcome
from fhir_api.resources.elements import instant
from fhir_import.services import Answer, ImportResult


def _status_line(status: int) -> str:
    return f"{status} {HTTPStatus(status).phrase}"


def _response(answer: Answer, base: str) -> dict:
    response: dict = {"status": _status_line(answer.status)}
    entry: dict = {}
    if answer.record_id is not None:
        location = f"{answer.resource_type}/{answer.record_id}"
        entry["fullUrl"] = f"{base}/{location}"
        version = getattr(answer.record, "version", None)
        response["location"] = f"{location}/_history/{version}" if version is not None else location
        if version is not None:
            response["etag"] = f'W/"{version}"'
        changed = getattr(answer.record, "updated_at", None) or getattr(
            answer.record, "created_at", None
        )
        if changed is not None:
            response["lastModified"] = instant(changed)
    if answer.issues:
        response["outcome"] = operation_outcome(answer.issues)
    entry["response"] = response
    return entry


def response_bundle(result: ImportResult, *, base: str) -> dict:
    bundle: dict = {"resourceType": "Bundle", "type": f"{result.type}-response"}
    if result.answers:  # FHIR allows no empty lists
        bundle["entry"] = [_response(answer, base) for answer in result.answers]
    return bundle


def refusal(answer: Answer) -> dict:
    return operation_outcome(answer.issues)
