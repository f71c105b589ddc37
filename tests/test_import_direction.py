"""Imports run one way: no app imports an app above it (README, Layout).

A small AST check over the project's own modules (migrations aside): an `import x` or
`from x import …` of an app the importing app must not know fails here, naming the file
and line. Apps above a domain reach it through the app registry (`apps.get_model`,
treatments.billing_port), never by import.
"""

import ast
from pathlib import Path

from django.conf import settings

DOMAINS = ["patients", "reference", "treatments", "billing", "scheduling"]
ABOVE_ALL = "ops"  # demo data, benchmarks, the load test: above every domain

# What each app must not import: the plumbing (api, clinics, idempotency) no domain; access
# and audit (which know patients) nothing above patients; each domain nothing above it.
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
}
# Arrows against the direction that exist today, each to be turned round (the layout issue):
# archiving a patient asks whether a plan is under way.
KNOWN = {"patients/services.py imports treatments"}


def imported_apps(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def test_no_app_imports_an_app_above_it():
    root = Path(settings.BASE_DIR)
    wrong = set()
    for app, forbidden in FORBIDDEN.items():
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, name in imported_apps(path):
                if name in forbidden:
                    wrong.add((f"{path.relative_to(root)} imports {name}", line))
    unexpected = sorted(f"{where} (line {line})" for where, line in wrong if where not in KNOWN)
    assert unexpected == [], "\n".join(unexpected)
    assert {where for where, _ in wrong} == KNOWN  # a known arrow turned round: drop it here
