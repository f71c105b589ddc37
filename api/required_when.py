"""Fields a request must give only when another field has some value, declared once.

A condition of an extremity needs its side; a payer other than self-pay needs the member id.
Each rule is declared beside its serializer (`@required_when(...)`); the validation reads
the rule's `applies`, and the contract states it on the serializer's request component as
JSON Schema 2020-12 `if`/`then` (`declare_required_when`), so a generated client or a form
builder knows it before the server says `required`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Component name (as drf-spectacular names the serializer) -> its rules.
_DECLARED: dict[str, tuple["RequiredWhen", ...]] = {}


@dataclass(frozen=True)
class RequiredWhen:
    """`field` is required, and not blank, when `deciding` is given and is one of `values`;
    with `unless=True`, when it is given and is none of them."""

    field: str
    deciding: str
    values: tuple[str, ...]
    unless: bool = False

    def applies(self, deciding_value: object) -> bool:
        return (deciding_value in self.values) != self.unless

    def schema(self) -> dict:
        values = {"enum": list(self.values)}
        # An absent deciding field takes its default, which never requires the field.
        chosen = {
            "required": [self.deciding],
            "properties": {self.deciding: {"not": values} if self.unless else values},
        }
        listed = ", ".join(f"`{value}`" for value in self.values)
        if len(self.values) == 1:
            verb = "is not" if self.unless else "is"
        else:
            verb = "is none of" if self.unless else "is one of"
        return {
            "description": f"`{self.field}` is required, not blank, when `{self.deciding}` "
            f"{verb} {listed}.",
            "if": chosen,
            "then": {
                "required": [self.field],
                "properties": {self.field: {"not": {"enum": ["", None]}}},
            },
        }


def required_when(*rules: RequiredWhen) -> Callable[[type], type]:
    """Declares the rules of a serializer's requests (its component is its name without
    `Serializer`, as drf-spectacular names it)."""

    def declare(serializer: type) -> type:
        _DECLARED[serializer.__name__.removesuffix("Serializer")] = rules
        return serializer

    return declare


def declared() -> Iterable[tuple[str, tuple[RequiredWhen, ...]]]:
    return _DECLARED.items()


def declare_required_when(result: dict, generator, request, public) -> dict:
    """Puts each declared rule on its request component as `if`/`then` (the `Patched…`
    component of a partial update is left alone: there the stored value may decide)."""
    schemas = result.get("components", {}).get("schemas", {})
    for component, rules in declared():
        target = schemas.get(f"{component}Request")
        if target is not None:
            target["allOf"] = [rule.schema() for rule in rules]
    return result
