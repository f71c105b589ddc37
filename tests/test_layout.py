"""The layout the import contracts name (pyproject.toml, `[tool.importlinter]`; `make lint`
runs them): a room of treatments added or renamed is placed in the contract, not left unchecked.
"""

import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def layers_of(name_start: str) -> set[str]:
    contract = next(c for c in contracts() if c["name"].startswith(name_start))
    return {name.strip() for layer in contract["layers"] for name in layer.split("|")}


def test_the_rooms_of_treatments_are_what_the_contract_layers():
    """A room added or renamed is placed in the rooms' contract, not left unchecked."""
    root = ROOT / "treatments"
    rooms = {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert rooms - {"migrations"} <= layers_of("The rooms of treatments")


def test_every_package_of_the_project_is_in_the_layers():
    """A package added at the top (an app, a plain package) is placed in the layers."""
    packages = {
        p.name
        for p in ROOT.iterdir()
        if (p / "__init__.py").is_file() and p.name not in {"tests", "docs"}
    }
    assert packages == layers_of("The packages")
