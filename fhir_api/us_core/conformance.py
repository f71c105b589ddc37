"""Checks a FHIR resource (plain JSON) against a US Core 6.1.0 profile read from shipped data.

The rules: cardinality, choice types, required slices, fixed and pattern values and
must-support, each read from the StructureDefinitions in `profiles/` (and the value sets in
`valuesets/`), none written here. Pure functions: no Django, no database.

What the shipped data does not say is not checked. The profiles are differentials, so a base
FHIR R4 cardinality that a profile does not restate (Observation.status is 1..1 in R4 itself) is
the FHIR model's to check (fhir.resources), not this module's. A slice whose items the shipped
data cannot tell apart (a value set that imports another) is skipped rather than guessed.
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PROFILES_DIR = Path(__file__).with_name("profiles")
VALUE_SETS_DIR = Path(__file__).with_name("valuesets")
EXTENSION_NAMES = frozenset({"extension", "modifierExtension"})


@dataclass(frozen=True)
class Element:
    """One element definition of a profile, as the checker reads it."""

    id: str
    min: int | None
    max: str | None
    must_support: bool
    types: tuple[str, ...]
    type_profiles: tuple[str, ...]
    discriminators: tuple[tuple[str, str], ...] | None
    pattern: Any
    fixed: Any
    value_set: str | None

    @property
    def name(self) -> str:
        """The element's own name, without the slice: `category` of `Observation.category:us-core`."""
        return self.id.rsplit(".", 1)[-1].split(":", 1)[0]

    @property
    def slice_name(self) -> str | None:
        last = self.id.rsplit(".", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else None


@dataclass(frozen=True)
class Profile:
    """A shipped profile: what identifies it, and its elements in the order it declares them."""

    id: str
    url: str
    version: str
    name: str
    type: str
    base_definition: str
    elements: tuple[Element, ...]

    @property
    def root(self) -> str:
        return self.elements[0].id


def _element(raw: Mapping[str, Any]) -> Element:
    pattern = next((v for k, v in raw.items() if k.startswith("pattern")), None)
    fixed = next((v for k, v in raw.items() if k.startswith("fixed")), None)
    binding = raw.get("binding", {})
    slicing = raw.get("slicing")
    return Element(
        id=raw["id"],
        min=raw.get("min"),
        max=raw.get("max"),
        must_support=bool(raw.get("mustSupport")),
        types=tuple(kind["code"] for kind in raw.get("type", ())),
        type_profiles=tuple(p for kind in raw.get("type", ()) for p in kind.get("profile", ())),
        discriminators=(
            tuple((d["type"], d["path"]) for d in slicing.get("discriminator", ()))
            if slicing
            else None
        ),
        pattern=pattern,
        fixed=fixed,
        value_set=(
            binding["valueSet"].split("|")[0]
            if binding.get("strength") == "required" and "valueSet" in binding
            else None
        ),
    )


@cache
def load_profile(profile_id: str) -> Profile:
    """The shipped profile `profile_id` (e.g. `us-core-patient`); KeyError if none is shipped."""
    path = PROFILES_DIR / f"{profile_id}.json"
    if not path.is_file():
        raise KeyError(f"no US Core profile {profile_id!r} is shipped")
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Profile(
        id=raw["id"],
        url=raw["url"],
        version=raw["version"],
        name=raw["name"],
        type=raw["type"],
        base_definition=raw["baseDefinition"],
        elements=tuple(_element(e) for e in raw.get("snapshot", raw["differential"])["element"]),
    )


def shipped_profile_ids() -> list[str]:
    return sorted(path.stem for path in PROFILES_DIR.glob("*.json"))


@cache
def _profile_ids_by_url() -> dict[str, str]:
    return {load_profile(profile_id).url: profile_id for profile_id in shipped_profile_ids()}


@cache
def _value_sets_by_url() -> dict[str, dict[str, Any]]:
    value_sets = (json.loads(p.read_text(encoding="utf-8")) for p in VALUE_SETS_DIR.glob("*.json"))
    return {value_set["url"]: value_set for value_set in value_sets}


@cache
def _tree(profile_id: str) -> tuple[dict[str, Element], dict[str, tuple[str, ...]]]:
    """The profile's elements by id and each element's children, in the order they are declared.

    A differential may name `Coverage.class:group.type` without ever naming a parent; the
    missing parents are added without rules of their own.
    """
    profile = load_profile(profile_id)
    elements = {e.id: e for e in profile.elements}
    children: dict[str, list[str]] = {}
    for element_id in list(elements):
        while "." in element_id:
            parent, _ = element_id.rsplit(".", 1)
            siblings = children.setdefault(parent, [])
            if element_id not in siblings:
                siblings.append(element_id)
            if parent in elements:
                break
            elements[parent] = _element({"id": parent})
            element_id = parent
    return elements, {parent: tuple(ids) for parent, ids in children.items()}


def _nested_profile(element: Element) -> str | None:
    """The shipped profile an element's items conform to (an extension's definition), if any."""
    ids = _profile_ids_by_url()
    return next((ids[url] for url in element.type_profiles if url.split("|")[0] in ids), None)


def must_support_paths(profile_id: str) -> list[str]:
    """Every must-support element id of the profile, with those of the shipped extension
    definitions it uses under the slice that uses them (`Patient.extension:race.extension:text`)."""
    elements, _ = _tree(profile_id)
    paths = []
    for element in load_profile(profile_id).elements:
        if element.must_support:
            paths.append(element.id)
        nested = _nested_profile(element)
        if nested:
            root = load_profile(nested).root
            paths += [element.id + path[len(root) :] for path in must_support_paths(nested)]
    return paths


def check(
    resource: Mapping[str, Any], profile_id: str, *, not_held: frozenset[str] = frozenset()
) -> list[str]:
    """The ways `resource` breaks the profile's rules, one readable sentence each ([] when none).

    `not_held` names the must-support elements (ids as `must_support_paths` gives them) that the
    server declares it cannot populate; any other must-support element that is absent is a
    problem.
    """
    profile = load_profile(profile_id)
    if resource.get("resourceType") != profile.type:
        return [f"{profile.id} profiles {profile.type}, not {resource.get('resourceType')!r}"]
    return list(
        _check_children(profile.id, profile.root, resource, profile.type, profile.root, not_held)
    )


def _check_children(
    profile_id: str,
    element_id: str,
    node: Mapping[str, Any],
    location: str,
    outer_id: str,
    not_held: frozenset[str],
) -> Iterator[str]:
    """Checks the children of `element_id` in `node`, the JSON object of one of its items.

    `outer_id` is the id `element_id` has for the caller: itself, or the slice that uses an
    extension's definition (`Patient.extension:race` for the race extension's `Extension`).
    """
    elements, children = _tree(profile_id)
    names = dict.fromkeys(elements[i].name for i in children.get(element_id, ()))
    for name in names:
        child = elements.get(f"{element_id}.{name}") or _element({"id": f"{element_id}.{name}"})
        where = f"{location}.{name}"
        items, shapes = _items(node, child, where)
        yield from shapes
        child_outer_id = outer_id + child.id[len(element_id) :]
        yield from _check_items(profile_id, child, items, where, child_outer_id, not_held)
        for slice_id in children[element_id]:
            slice_ = elements[slice_id]
            if slice_.slice_name is None or slice_.name != name:
                continue
            matched = _slice_items(profile_id, child, slice_, items)
            if matched is None:
                continue  # nothing shipped tells this slice's items apart
            yield from _check_items(
                profile_id,
                slice_,
                matched,
                f"{where}:{slice_.slice_name}",
                outer_id + slice_.id[len(element_id) :],
                not_held,
            )


def _check_items(
    profile_id: str,
    element: Element,
    items: Sequence[tuple[str, Any, Any]],
    where: str,
    outer_id: str,
    not_held: frozenset[str],
) -> Iterator[str]:
    """Cardinality, fixed and pattern values and must-support of one element's items, then the
    rules beneath it in each item. An item is (location, value, the `_name` object of a primitive)."""
    count = len(items)
    if element.min is not None and count < element.min:
        yield f"{where}: {element.min} or more required ({outer_id} min {element.min}), found {count}"
    elif element.must_support and not count and outer_id not in not_held:
        yield f"{where}: must-support element {outer_id} is absent and not declared not held"
    if element.max == "0" and count:
        yield f"{where}: not allowed ({outer_id} max 0), found {count}"
    elif element.max not in (None, "*", "0") and count > int(element.max):
        yield f"{where}: at most {element.max} allowed ({outer_id} max {element.max}), found {count}"
    for location, value, primitive_extras in items:
        if element.fixed is not None and value != element.fixed:
            yield f"{location}: must be exactly {json.dumps(element.fixed)}"
        if element.pattern is not None and not _matches_pattern(value, element.pattern):
            yield f"{location}: must match {json.dumps(element.pattern)}"
        node = value if isinstance(value, Mapping) else primitive_extras
        if not isinstance(node, Mapping):
            continue
        yield from _check_children(profile_id, element.id, node, location, outer_id, not_held)
        nested = _nested_profile(element)
        if nested:
            yield from _check_children(
                nested, load_profile(nested).root, node, location, outer_id, not_held
            )


def _items(
    node: Mapping[str, Any], element: Element, where: str
) -> tuple[list[tuple[str, Any, Any]], list[str]]:
    """The items of `element` in `node`, each with its location, and any problem of shape: a
    choice type not among those the profile allows, or two of a choice at once."""
    problems = []
    if element.name.endswith("[x]"):
        stem = element.name[:-3]
        allowed = {stem + kind[0].upper() + kind[1:] for kind in element.types}
        keys = [
            key
            for key in dict.fromkeys(k.lstrip("_") for k in node)
            if key.startswith(stem) and key[len(stem) : len(stem) + 1].isupper()
        ]
        if len(keys) > 1:
            problems.append(f"{where}: one of {', '.join(keys)} at most ({element.id})")
        for key in keys:
            if allowed and key not in allowed:
                problems.append(
                    f"{where[: -len(element.name)]}{key}: {element.id} allows "
                    f"{', '.join(sorted(allowed))} only"
                )
    else:
        keys = [element.name]
    items: list[tuple[str, Any, Any]] = []
    for key in keys:
        location = where.removesuffix(element.name) + key
        value, extras = node.get(key), node.get(f"_{key}")
        if isinstance(value, list) or isinstance(extras, list):
            values = value if isinstance(value, list) else [None] * len(extras or [])
            extras_ = extras if isinstance(extras, list) else [None] * len(values)
            items += [
                (f"{location}[{i}]", v, x)
                for i, (v, x) in enumerate(zip(values, extras_, strict=False))
                if v is not None or x is not None
            ]
        elif value is not None or extras is not None:
            items.append((location, value, extras))
    return items, problems


def _slice_items(
    profile_id: str, sliced: Element, slice_: Element, items: Sequence[tuple[str, Any, Any]]
) -> list[tuple[str, Any, Any]] | None:
    """The items that belong to `slice_`, or None when the shipped data cannot tell."""
    elements, _ = _tree(profile_id)
    discriminators = sliced.discriminators
    if discriminators is None and sliced.name in EXTENSION_NAMES:
        discriminators = (("value", "url"),)  # FHIR slices extensions by url unless told otherwise
    if not discriminators:
        return None
    matched = []
    for item in items:
        verdicts = [
            _discriminates(elements, slice_, kind, path, item[1]) for kind, path in discriminators
        ]
        if None in verdicts:
            return None
        if all(verdicts):
            matched.append(item)
    return matched


def _discriminates(
    elements: Mapping[str, Element], slice_: Element, kind: str, path: str, value: Any
) -> bool | None:
    if kind not in ("value", "pattern"):
        return None
    target = slice_ if path == "$this" else elements.get(f"{slice_.id}.{path}")
    found = value if path == "$this" else _at(value, path)
    if (
        path == "url"
        and slice_.name in EXTENSION_NAMES
        and (target is None or target.fixed is None)
    ):
        urls = [url.split("|")[0] for url in slice_.type_profiles]
        return found in urls if urls else None
    if target is None:
        return None
    if target.fixed is not None:
        return bool(found == target.fixed)
    if target.pattern is not None:
        return _matches_pattern(found, target.pattern)
    if target.value_set is not None:
        return _in_value_set(found, target.value_set)
    return None


def _at(value: Any, path: str) -> Any:
    for name in path.split("."):
        value = value.get(name) if isinstance(value, Mapping) else None
    return value


def _matches_pattern(value: Any, pattern: Any) -> bool:
    """FHIR's pattern[x]: every value the pattern gives is in `value`; a list in the pattern
    is matched when each of its items matches some item of the value's list."""
    if isinstance(pattern, Mapping):
        return isinstance(value, Mapping) and all(
            _matches_pattern(value.get(key), wanted) for key, wanted in pattern.items()
        )
    if isinstance(pattern, list):
        values = value if isinstance(value, list) else [value]
        return all(any(_matches_pattern(v, wanted) for v in values) for wanted in pattern)
    return bool(value == pattern)


def _in_value_set(value: Any, url: str) -> bool | None:
    """Whether a code, Coding or CodeableConcept is in the shipped value set; None when the
    value set is not shipped, or when it imports or filters and the code is not found."""
    value_set = _value_sets_by_url().get(url)
    if value_set is None:
        return None
    if isinstance(value, Mapping) and "coding" in value:
        codings = value["coding"]
    elif isinstance(value, Mapping):
        codings = [value]
    else:
        codings = [{"code": value}]
    undecided = False
    for include in value_set["compose"]["include"]:
        if "valueSet" in include or "filter" in include:
            undecided = True
            continue
        codes = {concept["code"] for concept in include.get("concept", ())}
        for coding in codings:
            same_system = "system" not in coding or coding["system"] == include.get("system")
            if same_system and (not codes or coding.get("code") in codes):
                return True
    return None if undecided else False
