"""The framework internals the project relies on, each one declared here: the seam.

Django, DRF, drf-spectacular and drf-standardized-errors are used through their public APIs,
but for these few places where the public API costs what the project measured it cannot pay:
- the database backend (tenancy/postgres/base.py): the hooks Django's backends implement
  (`_set_autocommit`, `_commit`, `_rollback`) and its cursor's `_execute`, so that BEGIN
  travels with a request's first statement and the audit event with its COMMIT;
- the schema (api/schema.py): the hooks drf-standardized-errors documents for choosing a
  view's error responses, and drf-spectacular's helpers they read;
- reads (api/serializers.py, api/nested_reads.py): DRF's readable fields, and model rows made
  without `Model.__init__` (checked against `Model.from_db` below).

An upgrade that renames one, changes its parameters or what it does fails here, before it
fails in production. What each one does is checked by the tests named beside it. A private
method of a framework class overridden anywhere in the project must be declared here
(`test_every_private_override_is_a_declared_seam`).
"""

import enum
import importlib
import inspect
import pkgutil
from dataclasses import dataclass
from typing import Protocol

import pytest
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.base import DatabaseWrapper
from django.db.backends.utils import CursorWrapper
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_standardized_errors.openapi import AutoSchema as StandardizedAutoSchema
from rest_framework import serializers

from tests.test_layout import layers_of


@dataclass(frozen=True)
class Seam:
    owner: type
    name: str
    parameters: tuple[str, ...]  # as inspect.signature names them
    relied_on_by: str
    behaviour: str  # the tests that check what it does


BACKEND = "tenancy/postgres/base.py"
BACKEND_TESTS = "tests/api/test_round_trips.py, tests/api/test_row_security.py"
SCHEMA = "api/schema.py (ApiAutoSchema)"
SCHEMA_TESTS = "tests/api/test_contract.py (drift), tests/api/test_error_codes.py"

SEAMS = [
    Seam(BaseDatabaseWrapper, "_commit", ("self",), BACKEND, BACKEND_TESTS),
    Seam(BaseDatabaseWrapper, "_rollback", ("self",), BACKEND, BACKEND_TESTS),
    Seam(DatabaseWrapper, "_set_autocommit", ("self", "autocommit"), BACKEND, BACKEND_TESTS),
    Seam(
        CursorWrapper,
        "_execute",
        ("self", "sql", "params", "ignored_wrapper_args"),
        BACKEND,
        BACKEND_TESTS,
    ),
    Seam(
        CursorWrapper,
        "_executemany",
        ("self", "sql", "param_list", "ignored_wrapper_args"),
        BACKEND,
        BACKEND_TESTS,
    ),
    *(
        Seam(StandardizedAutoSchema, name, ("self",), SCHEMA, SCHEMA_TESTS)
        for name in (
            "_get_http400_serializer",
            "_get_serializer_for_validation_error_response",
            "_should_add_http404_error_response",
            "_should_add_http415_error_response",
            "_should_add_parse_error_response",
            "_should_add_validation_error_response",
            "_determine_fields_with_error_codes",
        )
    ),
    Seam(
        StandardizedAutoSchema, "_get_response_bodies", ("self", "direction"), SCHEMA, SCHEMA_TESTS
    ),
    Seam(
        StandardizedAutoSchema,
        "_should_add_error_response",
        ("self", "responses", "status_code"),
        SCHEMA,
        SCHEMA_TESTS,
    ),
    Seam(
        StandardizedAutoSchema,
        "_get_validation_error_codes_by_field",
        ("self", "data_fields"),
        SCHEMA,
        SCHEMA_TESTS,
    ),
    Seam(SpectacularAutoSchema, "_get_paginator", ("self",), SCHEMA, SCHEMA_TESTS),
    Seam(SpectacularAutoSchema, "_is_list_view", ("self", "serializer"), SCHEMA, SCHEMA_TESTS),
    Seam(SpectacularAutoSchema, "_get_parameters", ("self",), SCHEMA, SCHEMA_TESTS),
    Seam(
        SpectacularAutoSchema,
        "_get_response_for_code",
        ("self", "serializer", "status_code", "media_types", "direction"),
        SCHEMA,
        SCHEMA_TESTS,
    ),
    Seam(
        serializers.Serializer,
        "_readable_fields",
        (),
        "api/serializers.py (PlainReadsMixin)",
        "tests/api/test_plain_reads.py",
    ),
]


@pytest.mark.parametrize("seam", SEAMS, ids=lambda s: f"{s.owner.__qualname__}.{s.name}")
def test_each_seam_is_still_there_as_it_was(seam: Seam):
    member = inspect.getattr_static(seam.owner, seam.name)
    if isinstance(member, property):
        assert seam.parameters == ()
        return
    parameters = tuple(inspect.signature(member).parameters)
    assert parameters == seam.parameters, f"{seam.relied_on_by} relies on {seam.name}{parameters}"


def _project_classes() -> list[type]:
    found = []
    for package in layers_of("The packages"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            if ".migrations" in module.name or ".management" in module.name:
                continue
            loaded = importlib.import_module(module.name)
            found += [
                value
                for value in vars(loaded).values()
                if inspect.isclass(value) and value.__module__ == loaded.__name__
            ]
    return found


def _is_project(klass: type) -> bool:
    return klass.__module__.split(".")[0] in layers_of("The packages")


def test_every_private_override_is_a_declared_seam():
    declared = {(seam.owner, seam.name) for seam in SEAMS}
    undeclared = set()
    for klass in _project_classes():
        if issubclass(klass, enum.Enum | Protocol):
            continue  # their private members are made by the enum and typing machinery
        mro = klass.__mro__
        for index, ours in enumerate(mro):
            if not _is_project(ours):
                continue
            for name, member in vars(ours).items():
                if not name.startswith("_") or name.startswith("__"):
                    continue
                if not (inspect.isfunction(member) or isinstance(member, property)):
                    continue
                framework = next((base for base in mro[index + 1 :] if name in vars(base)), None)
                if framework is None or _is_project(framework):
                    continue
                if (framework, name) not in declared:
                    undeclared.add(
                        f"{ours.__qualname__}.{name} overrides {framework.__qualname__}'s"
                    )
    assert undeclared == set()
