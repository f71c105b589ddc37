"""Errors as FHIR OperationOutcomes: the API's one error body, said in FHIR.

The API's handler (api.errors) decides the status, headers and codes of every refusal; the
FHIR endpoints answer the same refusal as an OperationOutcome, each error one `issue` whose
`details.coding` carries the API's code (the same codes `openapi.yaml` lists per operation),
`details.text` the reason and `expression` the parameter or element concerned.
"""

from fhir_api.systems import ERROR_CODE

# The FHIR issue type of each HTTP status (http://hl7.org/fhir/issue-type).
ISSUE_TYPES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    410: "deleted",
    412: "conflict",
    413: "too-costly",
    414: "too-costly",
    415: "not-supported",
    422: "processing",
    429: "throttled",
    431: "too-costly",
    503: "transient",
}


def issue(
    *,
    status: int,
    code: str,
    text: str,
    expression: str | None = None,
    severity: str = "error",
    issue_type: str | None = None,
) -> dict:
    """One issue of an OperationOutcome, carrying the API's code; its FHIR issue type is the
    status's unless given."""
    entry: dict = {
        "severity": severity,
        "code": issue_type or ISSUE_TYPES.get(status, "exception"),
        "details": {"coding": [{"system": ERROR_CODE, "code": code}], "text": text},
    }
    if expression:
        entry["expression"] = [expression]
    return entry


def operation_outcome(issues: list[dict]) -> dict:
    return {"resourceType": "OperationOutcome", "issue": issues}


def outcome_of_errors(status: int, errors: list[dict]) -> dict:
    """The API's error body (`{"type", "errors": [{"code", "detail", "attr"}]}`) as FHIR."""
    return operation_outcome(
        [
            issue(
                status=status,
                code=str(error.get("code", "error")),
                text=str(error.get("detail", "")),
                expression=error.get("attr"),
            )
            for error in errors
        ]
    )
