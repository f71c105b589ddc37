"""Imports run one way: no app imports an app above it, and no room of treatments a room above
it (README, Layout; docs/architecture.md).

A small AST check over the project's own modules (migrations aside): an `import x` or
`from x import …` of a module the importing app or room must not know fails here, naming the
file and line. A layer below reaches one above only through the app registry
(`apps.get_model`, treatments.visits.billing_port, patients.treatments_port) or a model named
by string, never by import.
"""

import ast
from pathlib import Path

from django.conf import settings

DOMAINS = ["patients", "reference", "treatments", "billing", "scheduling"]
ABOVE_ALL = "ops"  # demo data, benchmarks, the load test: above every domain
# The rooms of treatments, lowest first; each may import those before it. The app's own
# `treatments.models` (every room's models, for Django) and `treatments.urls` stand above them all.
ROOMS = ["plans", "outcomes", "visits", "progress"]
TREATMENTS_TOP = {"treatments.models", "treatments.urls"}

# What each app (or room, as a folder) must not import, as dotted prefixes: the plumbing (api,
# clinics, idempotency) no domain; access and audit (which know patients) nothing above
# patients; each domain nothing above it.
FORBIDDEN = {
    "api": {*DOMAINS, ABOVE_ALL},
    "clinics": {*DOMAINS, ABOVE_ALL},
    "idempotency": {*DOMAINS, ABOVE_ALL},
    "access": {"treatments", "billing", "scheduling", ABOVE_ALL},
    "audit": {"treatments", "billing", "scheduling", ABOVE_ALL},
    "patients": {"treatments", "billing", "scheduling", ABOVE_ALL},
    "reference": {"treatments", "billing", "scheduling", ABOVE_ALL},
    "treatments": {"billing", "scheduling", ABOVE_ALL},
    "billing": {"scheduling", ABOVE_ALL},
    "scheduling": {ABOVE_ALL},
    **{
        f"treatments/{room}": {
            *TREATMENTS_TOP,
            *(f"treatments.{above}" for above in ROOMS[index + 1 :]),
        }
        for index, room in enumerate(ROOMS)
    },
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def is_under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(f"{prefix}.")


def test_no_app_or_room_imports_one_above_it():
    root = Path(settings.BASE_DIR)
    wrong = []
    for folder, forbidden in FORBIDDEN.items():
        for path in sorted((root / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, module in imported_modules(path):
                above = sorted(prefix for prefix in forbidden if is_under(module, prefix))
                if above:
                    wrong.append(f"{path.relative_to(root)}:{line} imports {above[0]}")
    assert wrong == [], "\n".join(wrong)


def test_the_rooms_of_treatments_are_what_the_layout_says():
    """A room added or renamed is placed in ROOMS (and the README), not left unchecked."""
    root = Path(settings.BASE_DIR) / "treatments"
    found = {p.parent.name for p in root.glob("*/__init__.py")}
    assert found == {*ROOMS, "examples", "migrations"}
