"""The error codes an operation can answer, read from the code that serves it.

The contract lists on each operation every error code its view, serializers, filters,
permissions, paginator and the services they call can send. Nobody types these lists: they
are found here by reading that code's syntax trees and following its calls into the project's
own functions, so a new `raise Conflict(..., code="...")` in a service appears on every
operation that reaches it. The reading is deliberately generous where Python hides the target
of a call (a method called on a local of unknown class is looked up by name among the
project's classes): a code listed that an operation never sends costs a client nothing, a code
sent and not listed breaks it. tests/api/test_error_codes.py checks that direction: every
error code the test suite sees on an answer is listed on that operation
(tests/error_codes_seen.py). A code the reader cannot read (one held in a variable) fails the
schema's generation instead of going unlisted.
"""

from __future__ import annotations

import ast
import builtins
import enum
import inspect
import sys
import textwrap
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import UniqueConstraint
from django.http import Http404
from django.urls import get_resolver
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import warn
from drf_standardized_errors.openapi_utils import (
    get_filter_forms,
    get_flat_serializer_fields,
    get_form_fields_with_error_codes,
    get_serializer_fields_with_error_codes,
)
from rest_framework import exceptions, filters, pagination, permissions, serializers, views
from rest_framework.fields import Field
from rest_framework.generics import GenericAPIView
from rest_framework.throttling import BaseThrottle

from api.errors import DomainError

# Framework code walked to reach the project's hooks it calls (perform_create, …), and the
# password validators a clinic's settings configure.
_FRAMEWORK_MODULES = (
    "rest_framework.mixins",
    "rest_framework.generics",
    "django.contrib.auth.password_validation",
)


class Answered(Exception):
    """Stands for an error answered (returned) rather than raised: no `except` takes it back."""


@dataclass(frozen=True)
class Raised:
    status: int
    code: str
    exception: type[BaseException]


@cache
def _project_packages() -> frozenset[str]:
    base = Path(settings.BASE_DIR).resolve()
    return frozenset(
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base  # not the packages installed beside
    ) | {"api"}


def _is_project_module(name: str) -> bool:
    return name.split(".")[0] in _project_packages()


def _is_project(obj: object) -> bool:
    return _is_project_module(getattr(obj, "__module__", None) or "")


def _is_walkable(func: object) -> bool:
    module = getattr(func, "__module__", None) or ""
    return isinstance(func, types.FunctionType) and (
        _is_project(func) or module in _FRAMEWORK_MODULES
    )


def _is_project_object(value: object) -> bool:
    """An object made from one of the project's classes (a module's status machine): not a
    class, module, function or enum member."""
    return not isinstance(
        value, type | types.ModuleType | types.FunctionType | enum.Enum | _Instance
    ) and _is_project(type(value))


def _method_of(value: object, name: str) -> object:
    """`value.name` when it is a method of the object's class (the object's own attributes,
    read without running anything, come first); None otherwise, so that the call is looked
    up by name like any other unknown."""
    found = _unwrap(inspect.getattr_static(value, name, None))
    return found if isinstance(found, types.FunctionType) else None


@dataclass(frozen=True)
class _Instance:
    """An object of a known class (`self`, an annotated parameter, `x = Model(...)`)."""

    cls: type


def _unwrap(raw: object) -> object:
    if isinstance(raw, staticmethod | classmethod):
        return raw.__func__
    if isinstance(raw, property):
        return raw.fget
    func = getattr(raw, "func", None)  # functools.cached_property
    if isinstance(func, types.FunctionType):
        return func
    while isinstance(raw, types.FunctionType) and hasattr(raw, "__wrapped__"):
        raw = raw.__wrapped__
    return raw


def _class_attribute(cls: type, name: str) -> object:
    for klass in cls.__mro__:
        if name in vars(klass):
            return _unwrap(vars(klass)[name])
    return None


@cache
def _framework_names() -> frozenset[str]:
    """Names of framework methods: a call of one on an object of unknown class is not looked
    up among the project's methods (every model has `save`, every serializer `is_valid`)."""
    from django import forms
    from django_filters import FilterSet

    bases = (
        object,
        dict,
        list,
        str,
        Exception,
        models.Model,
        models.Manager,
        models.QuerySet,
        serializers.ModelSerializer,
        serializers.ListSerializer,
        Field,
        views.APIView,
        pagination.CursorPagination,
        filters.BaseFilterBackend,
        filters.OrderingFilter,
        FilterSet,
        forms.Form,
        permissions.BasePermission,
        BaseThrottle,
    )
    return frozenset(name for base in bases for klass in base.__mro__ for name in vars(klass))


@cache
def _methods_by_name() -> dict[str, tuple[tuple[type, types.FunctionType], ...]]:
    get_resolver().url_patterns  # noqa: B018 -- imports every view and what it imports
    found: dict[str, list[tuple[type, types.FunctionType]]] = {}
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if not _is_project_module(name) or name == __name__:  # not this reader's own
            continue
        for cls in list(vars(module).values()):
            if not isinstance(cls, type) or cls.__module__ != module.__name__:
                continue
            for name, raw in list(vars(cls).items()):
                func = _unwrap(raw)
                if isinstance(func, types.FunctionType):
                    found.setdefault(name, []).append((cls, func))
    return {name: tuple(entries) for name, entries in found.items()}


# Django's own exceptions, as DRF answers them.
_DJANGO_EXCEPTIONS: dict[type[BaseException], tuple[int, str]] = {
    DjangoValidationError: (400, "invalid"),
    DjangoPermissionDenied: (403, "permission_denied"),
    Http404: (404, "not_found"),
}


def _status_of(exception: type[BaseException]) -> int | None:
    if issubclass(exception, DomainError | exceptions.APIException):
        return exception.status_code
    for django_exception, (status, _code) in _DJANGO_EXCEPTIONS.items():
        if issubclass(exception, django_exception):
            return status
    return None


def _default_code(exception: type[BaseException]) -> str:
    if issubclass(exception, DomainError | exceptions.APIException):
        return str(exception.default_code)
    for django_exception, (_status, code) in _DJANGO_EXCEPTIONS.items():
        if issubclass(exception, django_exception):
            return code
    return "invalid"


def _bound_argument(call: ast.Call, callee: Callable, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    try:
        parameters = list(inspect.signature(callee).parameters)
    except (TypeError, ValueError):
        return None
    if isinstance(callee, type) and issubclass(callee, DjangoValidationError):
        parameters = ["message", "code", "params"]
    elif isinstance(callee, type) and issubclass(callee, BaseException):
        parameters = ["detail", "code"]
    if name in parameters:
        index = parameters.index(name)
        positional = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
        if index < len(positional):
            return positional[index]
    return None


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


class _FunctionReader:
    """The codes one function raises, itself and through what it calls."""

    def __init__(self, reader: CodeReader, func: types.FunctionType, owner: type | None):
        self.reader = reader
        self.func = func
        self.owner = owner
        self.locals: dict[str, object] = {}

    def read(self) -> set[Raised]:
        try:
            source = textwrap.dedent(inspect.getsource(self.func))
        except (OSError, TypeError):
            return set()
        tree = ast.parse(source)
        definition = tree.body[0]
        if not isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef):
            return set()
        self._learn_locals(definition)
        return self._statements(definition.body)

    # Which class a local holds, where the code says so.
    def _learn_locals(self, definition: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        arguments = definition.args
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            if argument.annotation is not None:
                cls = self._annotated_class(argument.annotation)
                if cls is not None:
                    self.locals[argument.arg] = _Instance(cls)
        for node in ast.walk(definition):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                cls = self._annotated_class(node.annotation)
                if cls is not None:
                    self.locals[node.target.id] = _Instance(cls)
            elif (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                cls = self._made_class(node.value)
                if cls is not None:
                    self.locals.setdefault(node.targets[0].id, _Instance(cls))

    def _annotated_class(self, node: ast.expr) -> type | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._annotated_class(node.left) or self._annotated_class(node.right)
        value = self._resolve(node)
        return value if isinstance(value, type) and _is_project(value) else None

    def _made_class(self, node: ast.expr) -> type | None:
        """`Model(...)`, `Model.objects.….get(...)`: an object of that class."""
        while isinstance(node, ast.Call | ast.Attribute):
            if isinstance(node, ast.Call):
                value = self._resolve(node.func)
                if isinstance(value, type) and _is_project(value):
                    return value
                node = node.func
            else:
                if node.attr == "objects":
                    value = self._resolve(node.value)
                    return value if isinstance(value, type) and _is_project(value) else None
                node = node.value
        return None

    def _resolve(self, node: ast.expr) -> object:
        if isinstance(node, ast.Name):
            if node.id in {"self", "cls"} and self.owner is not None:
                return _Instance(self.owner)
            if node.id in self.locals:
                return self.locals[node.id]
            if node.id in self.func.__globals__:
                return self.func.__globals__[node.id]
            closure = inspect.getclosurevars(self.func).nonlocals if self.func.__closure__ else {}
            if node.id in closure:
                return closure[node.id]
            return getattr(builtins, node.id, None)
        if isinstance(node, ast.Attribute):
            if self._is_super(node.value):
                return self._inherited(node.attr)
            base = self._resolve(node.value)
            if isinstance(base, _Instance):
                return _class_attribute(base.cls, node.attr)
            if isinstance(base, type):
                return _class_attribute(base, node.attr)
            if isinstance(base, types.ModuleType):
                return getattr(base, node.attr, None)
            if _is_project_object(base):
                return _method_of(base, node.attr)
        if isinstance(node, ast.Call):
            made = self._resolve(node.func)
            return _Instance(made) if isinstance(made, type) else None
        return None

    def _inherited(self, name: str) -> object:
        """`super().name` in a method of `owner`: the next definition along owner's MRO after
        the class that defines the method being read."""
        if self.owner is None:
            return None
        mro = self.owner.__mro__
        defining = next(
            (
                i
                for i, klass in enumerate(mro)
                if any(_unwrap(raw) is self.func for raw in list(vars(klass).values()))
            ),
            None,
        )
        if defining is None:
            return None
        for klass in mro[defining + 1 :]:
            if name in vars(klass):
                return _unwrap(vars(klass)[name])
        return None

    @staticmethod
    def _is_super(node: ast.expr) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "super"
        )

    def _statements(self, statements: Iterable[ast.stmt]) -> set[Raised]:
        found: set[Raised] = set()
        for statement in statements:
            if isinstance(statement, ast.If):
                taken = self._evaluate(statement.test)
                if taken is None:
                    found |= self._expressions(statement.test)
                    found |= self._statements(statement.body) | self._statements(statement.orelse)
                    continue
                branch = statement.body if taken else statement.orelse
                found |= self._statements(branch)
                if branch and isinstance(branch[-1], ast.Return | ast.Raise):
                    break  # what follows is not reached by this operation
            elif isinstance(statement, ast.Try):
                found |= self._try(statement)
            elif isinstance(statement, ast.With | ast.AsyncWith):
                for item in statement.items:
                    found |= self._expressions(item.context_expr)
                found |= self._statements(statement.body)
            elif isinstance(statement, ast.For | ast.AsyncFor | ast.While):
                header = statement.test if isinstance(statement, ast.While) else statement.iter
                found |= self._expressions(header)
                found |= self._statements(statement.body) | self._statements(statement.orelse)
            elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                found |= self._statements(statement.body)
            else:
                found |= self._expressions(statement)
        return found

    def _evaluate(self, test: ast.expr) -> bool | None:
        """A condition on the request's method or the view's action, decided for the
        operation being read (`if request.method in SAFE_METHODS: return obj`); None when the
        condition depends on anything else."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self._evaluate(test.operand)
            return None if inner is None else not inner
        if isinstance(test, ast.BoolOp):
            values = [self._evaluate(value) for value in test.values]
            if isinstance(test.op, ast.And):
                return False if False in values else (None if None in values else True)
            return True if True in values else (None if None in values else False)
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
            return None
        subject_of = {
            "self.action": self.reader.action,
            "request.method": self.reader.method,
            "self.request.method": self.reader.method,
        }
        subject_name = ast.unparse(test.left)
        if subject_name not in subject_of:
            return None  # another object's `action` (an audit event's, a transition's)
        subject = subject_of[subject_name]
        if subject is None:
            return None
        other = test.comparators[0]
        if isinstance(other, ast.Constant):
            values = {other.value}
        elif isinstance(other, ast.Set | ast.Tuple | ast.List) and all(
            isinstance(item, ast.Constant) for item in other.elts
        ):
            values = {item.value for item in other.elts}  # type: ignore[attr-defined]
        else:
            resolved = self._resolve(other)
            if not isinstance(resolved, tuple | set | frozenset | list):
                return None
            values = set(resolved)
        operator = test.ops[0]
        if isinstance(operator, ast.Eq | ast.In):
            return subject in values
        if isinstance(operator, ast.NotEq | ast.NotIn):
            return subject not in values
        return None

    def _try(self, statement: ast.Try) -> set[Raised]:
        body = self._statements(statement.body)
        found: set[Raised] = set()
        for handler in statement.handlers:
            # `raise` again, or raise something made of the caught error (its error_list).
            reraises = any(
                isinstance(node, ast.Raise)
                and (
                    node.exc is None
                    or any(
                        isinstance(name, ast.Name) and name.id == handler.name
                        for name in ast.walk(node.exc)
                    )
                )
                for node in ast.walk(handler)
            )
            caught = self._caught(handler.type)
            if not reraises:  # what this handler takes back does not leave the function
                body = {raised for raised in body if not issubclass(raised.exception, caught)}
            found |= self._statements(handler.body)
        found |= body
        return found | self._statements(statement.orelse) | self._statements(statement.finalbody)

    def _caught(self, node: ast.expr | None) -> tuple[type[BaseException], ...]:
        if node is None:
            return (BaseException,)
        nodes = node.elts if isinstance(node, ast.Tuple) else [node]
        classes = [self._resolve(item) for item in nodes]
        return tuple(cls for cls in classes if isinstance(cls, type))

    def _expressions(self, tree: ast.AST) -> set[Raised]:
        found: set[Raised] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Name | ast.Attribute):
                exception = self._resolve(node.exc)
                if isinstance(exception, type) and issubclass(exception, BaseException):
                    status = _status_of(exception)
                    if status is not None:
                        found.add(Raised(status, _default_code(exception), exception))
            elif isinstance(node, ast.Call):
                found |= self._call(node)
            elif isinstance(node, ast.Attribute | ast.Name) and isinstance(node.ctx, ast.Load):
                found |= self._reference(node)
        return found

    def _reference(self, node: ast.Attribute | ast.Name) -> set[Raised]:
        """A function or method mentioned (called, or passed on to be called later)."""
        value = self._resolve(node)
        if value is GenericAPIView.filter_queryset:
            return self.reader.view_filters()
        if value is GenericAPIView.paginate_queryset:
            return self.reader.view_pagination()
        if isinstance(value, types.FunctionType) and _is_walkable(value):
            return self.reader.function(value, self._owner_of(node))
        if (
            value is None
            and isinstance(node, ast.Attribute)
            and self._resolve(node.value) is None
            and node.attr not in _framework_names()
        ):
            found: set[Raised] = set()
            for cls, func in _methods_by_name().get(node.attr, ()):
                found |= self.reader.function(func, cls)
            return found
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "full_clean"
            and isinstance(self._resolve(node.value), _Instance)
        ):
            model = self._resolve(node.value).cls  # type: ignore[union-attr]
            if issubclass(model, models.Model):
                return model_validation_codes(model)
        return set()

    def _owner_of(self, node: ast.Attribute | ast.Name) -> type | None:
        """The class a method mentioned as `node` is read for (what `self` is inside it)."""
        if not isinstance(node, ast.Attribute):
            return None
        if self._is_super(node.value):
            return self.owner
        base = self._resolve(node.value)
        owner = base.cls if isinstance(base, _Instance) else base
        if _is_project_object(owner):
            owner = type(owner)
        return owner if isinstance(owner, type) else None

    def _call(self, call: ast.Call) -> set[Raised]:
        callee = self._resolve(call.func)
        if not isinstance(callee, type | types.FunctionType):
            return set()
        if isinstance(callee, type) and issubclass(callee, BaseException):
            return self._exception(call, callee)
        if callee is validate_password:
            found: set[Raised] = set()
            for validator in get_default_password_validators():
                found |= self.reader.methods(type(validator), {"validate"})
            return found
        if callee is exceptions.ErrorDetail:  # a validation error's message with its code
            code = _literal(_bound_argument(call, callee, "code"))
            return {Raised(400, code, exceptions.ValidationError)} if code else set()
        if isinstance(callee, type) and issubclass(callee, serializers.BaseSerializer):
            # Built with `data=`, it validates; built around an object, it only answers.
            reads = any(keyword.arg == "data" for keyword in call.keywords)
            return self.reader.serializer(callee) if reads else set()
        if isinstance(callee, type) and _is_project(callee):
            init = _class_attribute(callee, "__init__")
            if isinstance(init, types.FunctionType) and _is_walkable(init):
                return self.reader.function(init, callee)
            return set()
        if isinstance(callee, types.FunctionType) and _is_project(callee):
            return self._helper(call, callee)
        return set()

    def _exception(self, call: ast.Call, exception: type[BaseException]) -> set[Raised]:
        status = _status_of(exception)
        if status is None:
            return set()
        code_node = _bound_argument(call, exception, "code")
        code = _literal(code_node)
        if code is not None:
            return {Raised(status, code, exception)}
        if isinstance(code_node, ast.Name) and code_node.id == "code":
            return set()  # a helper's `code` parameter: its callers' literals are read there
        if code_node is not None:
            warn(
                f"{self.func.__module__}.{self.func.__qualname__} raises {exception.__name__} "
                f"with a code the contract cannot read ({ast.unparse(code_node)}): write it "
                "as a literal, or pass it through a parameter named `code`."
            )
            return set()
        detail = call.args[0] if call.args else _bound_argument(call, exception, "detail")
        if detail is None:
            detail = _bound_argument(call, exception, "message")
        if issubclass(exception, DjangoValidationError | exceptions.ValidationError) and not (
            detail is None or isinstance(detail, ast.Constant | ast.JoinedStr | ast.BinOp)
        ):
            return set()  # errors gathered elsewhere (a dict, a list, serializer.errors)
        return {Raised(status, _default_code(exception), exception)}

    def _helper(self, call: ast.Call, helper: types.FunctionType) -> set[Raised]:
        """A function that builds or raises an error from a `code` argument."""
        code = _literal(_bound_argument(call, helper, "code"))
        if code is None:
            return set()
        status_node = _bound_argument(call, helper, "status_code")
        status = None
        if isinstance(status_node, ast.Constant) and isinstance(status_node.value, int):
            status = status_node.value
        elif status_node is not None:
            value = self._resolve(status_node)
            status = value if isinstance(value, int) else None
        if status is not None:
            return {Raised(status, code, Answered)}
        return {Raised(status, code, exception) for status, exception in _code_statuses(helper)}


@cache
def _code_statuses(helper: types.FunctionType) -> frozenset[tuple[int, type[BaseException]]]:
    """The statuses a helper's `code` parameter ends up answered with."""
    reader = _FunctionReader(CodeReader(), helper, None)  # only to resolve names
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(helper)))
    except (OSError, TypeError):
        return frozenset()
    found: set[tuple[int, type[BaseException]]] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = reader._resolve(node.func)
        if not isinstance(callee, type | types.FunctionType):
            continue
        passed = _bound_argument(node, callee, "code")
        if not (isinstance(passed, ast.Name) and passed.id == "code"):
            continue
        if isinstance(callee, type) and issubclass(callee, BaseException):
            status = _status_of(callee)
            if status is not None:
                found.add((status, callee))
        elif isinstance(callee, types.FunctionType) and _is_project(callee):
            status_node = _bound_argument(node, callee, "status_code")
            if isinstance(status_node, ast.Constant) and isinstance(status_node.value, int):
                found.add((status_node.value, Answered))
            elif callee is not helper:
                found |= _code_statuses(callee)
    return frozenset(found)


def model_validation_codes(model: type[models.Model]) -> set[Raised]:
    """What `full_clean()` can refuse a model instance with (as_serializer_error's codes)."""
    codes: set[str] = set()
    for field in model._meta.concrete_fields:
        if not field.null:
            codes.add("null")
        if not field.blank:
            codes.add("blank")
        if field.choices:
            codes.add("invalid_choice")
        if field.unique and not field.primary_key:
            codes.add("unique")
        codes |= {key for key in field.error_messages if key not in {"null", "blank", "unique"}}
        codes -= {"invalid_choice"} if not field.choices else set()
        codes |= {v.code for v in field.validators if isinstance(getattr(v, "code", None), str)}
    for constraint in model._meta.constraints:
        if constraint.violation_error_code:
            codes.add(constraint.violation_error_code)
        elif isinstance(constraint, UniqueConstraint) and constraint.fields:
            codes.add("unique" if len(constraint.fields) == 1 else "unique_together")
        else:
            codes.add("invalid")
    if model._meta.unique_together:
        codes.add("unique_together")
    codes.discard("unique_for_date")
    return {Raised(400, code, DjangoValidationError) for code in codes}


class CodeReader:
    """Collects what roots (functions, serializer and other classes) can raise when one view
    serves one HTTP method (and, on a viewset, one action); with none given, every branch.

    What a function raises depends on the view only through `self` and the view's filters
    and paginator, so results are shared between operations of the same view, method and
    action; a call cycle reads as raising nothing more than the rest of the cycle.
    """

    _cache: dict[tuple, set[Raised]] = {}

    def __init__(
        self,
        method: str | None = None,
        action: str | None = None,
        view: views.APIView | None = None,
    ) -> None:
        self.method = method
        self.action = action
        self.view = view
        self._context = (type(view), method, action)

    def _cached(self, key: tuple, read: Callable[[], set[Raised]]) -> set[Raised]:
        key = (*key, *self._context)
        if key not in self._cache:
            self._cache[key] = set()
            self._cache[key] = read()
        return self._cache[key]

    def view_filters(self) -> set[Raised]:
        """What the view's filter backends and filter set refuse (`filter_queryset`)."""
        found: set[Raised] = set()
        for backend in getattr(self.view, "filter_backends", ()):
            found |= self.methods(backend)
            if self.view is not None and issubclass(backend, DjangoFilterBackend):
                # django-filter's form fields: invalid_choice, invalid, …
                for form in get_filter_forms(self.view, [backend()]):
                    for form_field in get_form_fields_with_error_codes(form):
                        found |= _validation(form_field.error_codes)
        filterset = getattr(self.view, "filterset_class", None)
        if filterset is not None:
            found |= self.methods(filterset)
            for query_filter in filterset.base_filters.values():
                for klass in (type(query_filter), query_filter.field_class):
                    if _is_project(klass):
                        found |= self.methods(klass)
        return found

    def view_pagination(self) -> set[Raised]:
        pagination = getattr(self.view, "pagination_class", None)
        return self.methods(pagination) if pagination is not None else set()

    def function(self, func: types.FunctionType, owner: type | None) -> set[Raised]:
        func = inspect.unwrap(func)  # read the decorated function (@transaction.atomic …)
        return self._cached(("function", func, owner), _FunctionReader(self, func, owner).read)

    def methods(self, cls: type, names: Iterable[str] | None = None) -> set[Raised]:
        """The project's methods of `cls` (all of them, or those named)."""
        found: set[Raised] = set()
        for klass in cls.__mro__:
            for name, raw in list(vars(klass).items()):
                if names is not None and name not in names:
                    continue
                func = _unwrap(raw)
                if isinstance(func, types.FunctionType) and _is_walkable(func):
                    found |= self.function(func, cls)
        return found

    def serializer(self, cls: type) -> set[Raised]:
        return self._cached(("serializer", cls), lambda: self._read_serializer(cls))

    def _read_serializer(self, cls: type) -> set[Raised]:
        found = self.methods(cls)
        try:
            instance = cls()
            fields = instance.fields
        except Exception:  # an abstract or context-bound serializer: its methods suffice
            return found
        for field in fields.values():
            found |= self.field(field)
        # The codes DRF's own fields give (required, max_value, …), as drf-standardized-errors
        # reads them.
        for data_field in get_serializer_fields_with_error_codes(
            get_flat_serializer_fields(instance)
        ):
            found |= _validation(data_field.error_codes)
        return found

    def field(self, field: Field) -> set[Raised]:
        field = getattr(field, "child", None) or field
        if isinstance(field, serializers.BaseSerializer):
            return self.serializer(type(field))
        found: set[Raised] = set()
        if _is_project(type(field)):
            found |= self.methods(type(field))
        for validator in getattr(field, "validators", []):
            target = validator if isinstance(validator, types.FunctionType) else type(validator)
            if isinstance(target, types.FunctionType) and _is_project(target):
                found |= self.function(target, None)
            elif isinstance(target, type) and _is_project(target):
                found |= self.methods(target, {"__call__"})
        return found

    def permission(self, cls: type) -> set[Raised]:
        found = self.methods(cls, {"has_permission", "has_object_permission"})
        code = getattr(cls, "code", None)
        if isinstance(code, str):
            found.add(Raised(403, code, exceptions.PermissionDenied))
        return found


def _validation(codes: Iterable[str]) -> set[Raised]:
    return {Raised(400, code, exceptions.ValidationError) for code in codes}


def _permission_classes(view: views.APIView) -> list[type]:
    try:  # views that choose their permissions per action
        return [type(permission) for permission in view.get_permissions()]
    except Exception:  # one that needs a real request to choose
        return list(getattr(view, "permission_classes", ()))


def raised_by(
    view: views.APIView, method: str, *, serializers_read: Iterable[type] = ()
) -> set[Raised]:
    """Everything the operation `method` of `view` can raise: its handler and the hooks
    DRF calls around it, what they call, its request serializers, permissions,
    authentication and throttles."""
    action = getattr(view, "action", None)
    reader = CodeReader(method, action, view)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))  # call chains run deep
    try:
        found = reader.methods(
            type(view), {action or method.lower(), "initial", "finalize_response"}
        )
        for serializer in serializers_read:
            found |= reader.serializer(serializer)
        if method in {"POST", "PUT", "PATCH"}:  # the body is parsed
            for parser in getattr(view, "parser_classes", ()):
                found |= reader.methods(parser)
        for permission in _permission_classes(view):
            found |= reader.permission(permission)
        for klass in [*getattr(view, "authentication_classes", ()), *view.get_throttles()]:
            found |= reader.methods(klass if isinstance(klass, type) else type(klass))
    finally:
        sys.setrecursionlimit(limit)
    return found
