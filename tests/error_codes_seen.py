"""Every answer the test suite sees is one its operation documents.

A pytest plugin (loaded by tests/conftest.py): each answer of the API clients in the suite
is matched to its operation in `openapi.yaml`. When the run ends, it fails naming the
operation, the status and the test:
- an error code that the operation's response for that status does not list in
  `x-error-codes`. The lists are built from what each operation's parts declare
  (api.error_codes), so this checks the declarations against what the server was seen to send;
- an error code declared with another status (`ErrorCodes`: one code, one status);
- a JSON body that does not validate against the response's schema, read as the OpenAPI 3.1
  document says (JSON Schema 2020-12, formats checked): a null where the schema allows none,
  a missing required field, a value outside its enum.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import yaml
from openapi_schema_validator import OAS31Validator
from rest_framework.test import APIClient

from api.error_codes import all_error_codes
from fhir_api.media import FHIR_JSON
from fhir_api.systems import ERROR_CODE

SCHEMA = Path(__file__).resolve().parent.parent / "openapi.yaml"


@dataclass(frozen=True)
class Seen:
    operation: str  # "POST /api/v1/visits/{id}/sign/"
    status: int
    code: str
    test: str


SEEN: set[Seen] = set()
# "GET /api/v1/patients/ 200: [results, 0, email] 'x' is not a 'email' (test)", a few each.
MISFITS: dict[tuple[str, int], list[str]] = {}
_current_test = {"name": ""}


@cache
def _document() -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, where built: 20× faster
    return yaml.load(SCHEMA.read_text(), Loader=loader)  # noqa: S506 (a safe loader)


@cache
def _validator(operation: str, status: int) -> OAS31Validator | None:
    """The validator of the operation's JSON answer with that status; None when it has none."""
    method, path = operation.split(" ", 1)
    response = _document()["paths"][path][method.lower()]["responses"].get(str(status))
    content = (response or {}).get("content", {})
    # FHIR errors are documented in FHIR JSON only (fhir_api.schema).
    schema = (content.get("application/json") or content.get(FHIR_JSON) or {}).get("schema")
    if schema is None:
        return None
    # `#/components/…` references resolve against the document the schema sits in.
    return OAS31Validator(
        {**schema, "components": _document()["components"]},
        format_checker=OAS31Validator.FORMAT_CHECKER,
    )


@cache
def _operations() -> list[tuple[re.Pattern, str, dict]]:
    schema = _document()
    found = []
    for path, operations in schema["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
        # Literal segments must win over parameters (/patients/export/ before /patients/{id}/).
        specificity = path.count("{")
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                found.append((specificity, pattern, f"{method.upper()} {path}", operation))
    found.sort(key=lambda entry: entry[0])
    return [(pattern, name, operation) for _, pattern, name, operation in found]


def _operation_of(method: str, path: str) -> tuple[str, dict] | None:
    # Paths are served with and without their trailing slash (api.slash_twins).
    other = path[:-1] if path.endswith("/") else f"{path}/"
    for pattern, name, operation in _operations():
        if name.startswith(f"{method} ") and (pattern.match(path) or pattern.match(other)):
            return name, operation
    return None


def documented_codes(operation: dict, status: int) -> set[str] | None:
    response = operation["responses"].get(str(status))
    if response is None:
        return None
    return set(response.get("x-error-codes", ()))


def _check_shape(operation: str, status: int, body: object) -> None:
    validator = _validator(operation, status)
    if validator is None:
        return
    misfits = MISFITS.setdefault((operation, status), [])
    for error in validator.iter_errors(body):
        if len(misfits) < 3:
            where = list(error.absolute_path)
            misfits.append(f"{where} {error.message[:200]} ({_current_test['name']})")


def _codes(body: dict) -> list[str]:
    """The API's error codes in its error body, or in a FHIR OperationOutcome's issues."""
    if body.get("resourceType") == "OperationOutcome":
        return [
            coding["code"]
            for issue in body.get("issue", [])
            for coding in issue.get("details", {}).get("coding", [])
            if coding.get("system") == ERROR_CODE
        ]
    return [
        error["code"]
        for error in body.get("errors", [])
        if isinstance(error, dict) and isinstance(error.get("code"), str)
    ]


def _record(response, method: str, path: str) -> None:
    if not response.get("Content-Type", "").startswith(("application/json", FHIR_JSON)):
        return
    try:
        body = response.json()
    except ValueError:
        return
    match = _operation_of(method.upper(), path)
    if match is None:
        return
    _check_shape(match[0], response.status_code, body)
    if response.status_code < 400 or not isinstance(body, dict):
        return
    for code in _codes(body):
        SEEN.add(Seen(match[0], response.status_code, code, _current_test["name"]))


_original_request = APIClient.request


def _recording_request(self, **kwargs):
    response = _original_request(self, **kwargs)
    _record(response, kwargs.get("REQUEST_METHOD", ""), kwargs.get("PATH_INFO", ""))
    return response


def pytest_configure(config: pytest.Config) -> None:
    APIClient.request = _recording_request


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    _current_test["name"] = item.nodeid
    return (yield)


def undocumented() -> list[str]:
    problems = []
    for seen in sorted(SEEN, key=lambda s: (s.operation, s.status, s.code)):
        method, path = seen.operation.split(" ", 1)
        operation = next(op for _, name, op in _operations() if name == seen.operation)
        documented = documented_codes(operation, seen.status)
        if documented is None:
            problems.append(f"{seen.operation} answered {seen.status}, undocumented ({seen.test})")
        elif seen.code not in documented:
            problems.append(
                f"{seen.operation} answered {seen.status} `{seen.code}`, not in its "
                f"x-error-codes ({seen.test})"
            )
        declared = declared_statuses().get(seen.code)
        if declared is not None and declared != seen.status:
            problems.append(
                f"{seen.operation} answered `{seen.code}` with {seen.status}; it is declared "
                f"{declared} ({seen.test})"
            )
    return problems


@cache
def declared_statuses() -> dict[str, int]:
    """Each declared code's one status (api.error_codes)."""
    return {str(code): code.status for codes in all_error_codes() for code in codes}


def misfits() -> list[str]:
    return [
        f"{operation} {status}: {misfit}"
        for (operation, status), found in sorted(MISFITS.items())
        for misfit in found
    ]


# Under pytest-xdist each worker sees its own answers: it hands its findings to the controller
# (xdist's `workeroutput`), which reports them with its own when the run ends.
_FROM_WORKERS: dict[str, list[str]] = {}
TITLES = {
    "undocumented": "error codes answered but not documented",
    "misfits": "answers that do not match their schema (OpenAPI 3.1)",
}


def _findings() -> dict[str, list[str]]:
    return {"undocumented": undocumented(), "misfits": misfits()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    for kind, problems in getattr(node, "workeroutput", {}).get("api_contract", {}).items():
        _FROM_WORKERS.setdefault(kind, []).extend(problems)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    findings = _findings()
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports
        workeroutput["api_contract"] = findings
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for kind, title in TITLES.items():
        problems = sorted(set(findings[kind]) | set(_FROM_WORKERS.get(kind, ())))
        if problems:
            if reporter is not None:
                reporter.write_sep("=", title, red=True)
                for problem in problems:
                    reporter.write_line(problem)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
