"""Every error code the test suite sees on an answer is documented on that operation.

A pytest plugin (loaded by tests/conftest.py): each answer of the API clients in the suite
is matched to its operation in `openapi.yaml`; when the run ends, an error code that the
operation's response for that status does not list in `x-error-codes` fails the run, naming
the operation, the status and the code. The lists themselves are generated from the code
(api.raised_codes), so this is the walk from both sides: what the code says it raises against
what the server was seen to send.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import yaml
from rest_framework.test import APIClient

SCHEMA = Path(__file__).resolve().parent.parent / "openapi.yaml"


@dataclass(frozen=True)
class Seen:
    operation: str  # "POST /api/v1/visits/{id}/sign/"
    status: int
    code: str
    test: str


SEEN: set[Seen] = set()
_current_test = {"name": ""}


@cache
def _operations() -> list[tuple[re.Pattern, str, dict]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, where built: 20× faster
    schema = yaml.load(SCHEMA.read_text(), Loader=loader)  # noqa: S506 (a safe loader)
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


def _record(response, method: str, path: str) -> None:
    if response.status_code < 400:
        return
    if not response.get("Content-Type", "").startswith("application/json"):
        return
    try:
        body = response.json()
    except ValueError:
        return
    match = _operation_of(method.upper(), path)
    if match is None or not isinstance(body, dict):
        return
    for error in body.get("errors", []):
        if isinstance(error, dict) and isinstance(error.get("code"), str):
            SEEN.add(Seen(match[0], response.status_code, error["code"], _current_test["name"]))


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
    return problems


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    problems = undocumented()
    if problems:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("=", "error codes answered but not documented", red=True)
            for problem in problems:
                reporter.write_line(problem)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
