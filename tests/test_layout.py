"""The layout the import contracts name (pyproject.toml, `[tool.importlinter]`; `make lint`
runs them): a room of treatments added or renamed is placed in the contract, not left unchecked;
and every package is type-checked (`[tool.mypy]`).
"""

import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def tool(name: str) -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"][name]


def contracts() -> list[dict]:
    return tool("importlinter")["contracts"]


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


def test_every_package_of_the_project_is_type_checked():
    """mypy checks every package the layers name (and so every package of the project)."""
    assert set(tool("mypy")["files"]) == layers_of("The packages")
