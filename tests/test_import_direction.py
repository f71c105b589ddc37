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

ROOMS_AND_TOP = {*TREATMENTS_TOP, *(f"treatments.{room}" for room in ROOMS)}
ACCESS_AND_AUDIT = {"access", "audit"}
# The plumbing's own views (login, the record viewset, staff) answer requests with the audit
# trail and second factors: they stand above access and audit, the rest of the plumbing below.
PLUMBING_VIEWS = ("api/auth/", "api/viewsets.py", "clinics/views.py")

# What each app, room or module (a path) must not import, as dotted prefixes: the plumbing
# (api, clinics, idempotency) no domain and, but for its views, neither access nor audit;
# access and audit (which know patients) nothing above patients; each domain nothing above
# it; each room of treatments no room above it, and what the rooms share no room.
FORBIDDEN = {
    "api": {*DOMAINS, ABOVE_ALL, *ACCESS_AND_AUDIT},
    "clinics": {*DOMAINS, ABOVE_ALL, *ACCESS_AND_AUDIT},
    "idempotency": {*DOMAINS, ABOVE_ALL, *ACCESS_AND_AUDIT},
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
    "treatments/items.py": ROOMS_AND_TOP,
    "treatments/examples": ROOMS_AND_TOP,
}


def imported_modules(path: Path, root: Path) -> list[tuple[int, str]]:
    """Each module (or name of one) the file imports, relative imports made absolute."""
    package = list(path.relative_to(root).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def files_of(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(path.rglob("*.py"))


def is_under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(f"{prefix}.")


def test_no_app_or_room_imports_one_above_it():
    root = Path(settings.BASE_DIR)
    wrong = []
    for where, forbidden in FORBIDDEN.items():
        for path in files_of(root / where):
            if "migrations" in path.parts:
                continue
            rules = forbidden
            if str(path.relative_to(root)).startswith(PLUMBING_VIEWS):
                rules = forbidden - ACCESS_AND_AUDIT
            for line, module in imported_modules(path, root):
                above = sorted(prefix for prefix in rules if is_under(module, prefix))
                if above:
                    wrong.append(f"{path.relative_to(root)}:{line} imports {above[0]}")
    assert wrong == [], "\n".join(wrong)


def test_the_rooms_of_treatments_are_what_the_layout_says():
    """A room added or renamed is placed in ROOMS (and the README), not left unchecked."""
    root = Path(settings.BASE_DIR) / "treatments"
    found = {p.name for p in root.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert found == {*ROOMS, "examples", "migrations"}
    assert all((root / room / "__init__.py").is_file() for room in ROOMS)
