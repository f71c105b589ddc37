"""Trims the US Core StructureDefinitions, and the value sets their slices are told apart by,
to the rules `conformance.py` reads; run by hand, never imported by the app.

    python -m fhir_api.us_core.trim_profiles SOURCE_DIR [--ig-version 6.1.0]

SOURCE_DIR holds the original resources, as JSON (the files of the FHIR package
hl7.fhir.us.core) or as YAML (the HL7 US-Core repository's `input/resources-yaml` at the
release tag, where some profiles exist only as YAML). The files are written beside this module,
in `profiles/<id>.json` and `valuesets/<id>.json`.
"""

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent

# The profiles the FHIR face serves, and the extensions they name.
PROFILES = (
    "us-core-patient",
    "us-core-practitioner",
    "us-core-practitionerrole",
    "us-core-organization",
    "us-core-location",
    "us-core-condition-encounter-diagnosis",
    "us-core-condition-problems-health-concerns",
    "us-core-careplan",
    "us-core-goal",
    "us-core-servicerequest",
    "us-core-encounter",
    "us-core-procedure",
    "us-core-observation-clinical-result",
    "us-core-observation-screening-assessment",
    "us-core-simple-observation",
    "us-core-questionnaireresponse",
    "us-core-coverage",
    "us-core-provenance",
    "us-core-race",
    "us-core-ethnicity",
    "us-core-birthsex",
    "us-core-sex",
    "us-core-genderIdentity",
    "us-core-tribal-affiliation",
    "us-core-extension-questionnaire-uri",
)

PROFILE_KEYS = ("resourceType", "id", "url", "version", "name", "type", "baseDefinition")
ELEMENT_KEYS = ("id", "path", "sliceName", "min", "max", "mustSupport")
TYPE_KEYS = ("code", "profile", "targetProfile")
SLICING_KEYS = ("discriminator", "ordered", "rules")
BINDING_KEYS = ("strength", "valueSet")


def read_resources(source: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(source.iterdir()):
        if path.suffix == ".json":
            yield json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix in {".yml", ".yaml"}:
            import yaml  # only the repository's YAML needs it; the package is JSON

            yield yaml.safe_load(path.read_text(encoding="utf-8"))


def trim_element(element: dict[str, Any]) -> dict[str, Any]:
    kept = {key: element[key] for key in ELEMENT_KEYS if key in element}
    if "type" in element:
        kept["type"] = [
            {key: kind[key] for key in TYPE_KEYS if key in kind} for kind in element["type"]
        ]
    if "slicing" in element:
        kept["slicing"] = {
            key: element["slicing"][key] for key in SLICING_KEYS if key in element["slicing"]
        }
    kept.update(
        {key: value for key, value in element.items() if key.startswith(("pattern", "fixed"))}
    )
    if "binding" in element:
        kept["binding"] = {
            key: element["binding"][key] for key in BINDING_KEYS if key in element["binding"]
        }
    return kept


def trim_profile(definition: dict[str, Any], ig_version: str) -> dict[str, Any]:
    trimmed = {key: definition[key] for key in PROFILE_KEYS if key in definition}
    # The IG publisher stamps every resource with the guide's version; the repository's sources
    # mostly carry none (and one an older one), so the release's version is written here.
    trimmed["version"] = ig_version
    for part in ("differential", "snapshot"):
        if part in definition:
            trimmed[part] = {"element": [trim_element(e) for e in definition[part]["element"]]}
    return {
        key: trimmed[key] for key in (*PROFILE_KEYS, "differential", "snapshot") if key in trimmed
    }


def trim_value_set(value_set: dict[str, Any], ig_version: str) -> dict[str, Any]:
    includes = []
    for include in value_set.get("compose", {}).get("include", []):
        kept = {key: include[key] for key in ("system", "valueSet", "filter") if key in include}
        if "concept" in include:
            kept["concept"] = [{"code": concept["code"]} for concept in include["concept"]]
        includes.append(kept)
    return {
        "resourceType": "ValueSet",
        "id": value_set["id"],
        "url": value_set["url"],
        "version": ig_version,
        "compose": {"include": includes},
    }


def slice_value_sets(profile: dict[str, Any]) -> set[str]:
    """The required value sets that tell a slice's items apart (its discriminator's binding)."""
    found = set()
    for part in ("differential", "snapshot"):
        elements = {e["id"]: e for e in profile.get(part, {}).get("element", [])}
        for element in elements.values():
            if "sliceName" not in element:
                continue
            sliced = elements.get(element["id"].rsplit(":", 1)[0], {})
            for discriminator in sliced.get("slicing", {}).get("discriminator", []):
                path = discriminator["path"]
                target = elements.get(
                    element["id"] if path == "$this" else f"{element['id']}.{path}", {}
                )
                binding = target.get("binding", {})
                if binding.get("strength") == "required" and "valueSet" in binding:
                    found.add(binding["valueSet"].split("|")[0])
    return found


def write(path: Path, resource: dict[str, Any]) -> None:
    path.write_text(json.dumps(resource, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder of StructureDefinition/ValueSet files")
    parser.add_argument("--ig-version", default="6.1.0")
    args = parser.parse_args(argv)

    resources = list(read_resources(args.source))
    definitions = {r["id"]: r for r in resources if r.get("resourceType") == "StructureDefinition"}
    value_sets = {r["url"]: r for r in resources if r.get("resourceType") == "ValueSet"}
    missing = [profile_id for profile_id in PROFILES if profile_id not in definitions]
    if missing:
        print(f"not in {args.source}: {', '.join(missing)}", file=sys.stderr)
        return 1

    needed: set[str] = set()
    for profile_id in PROFILES:
        definition = definitions[profile_id]
        if definition.get("version", args.ig_version) != args.ig_version:
            print(f"{profile_id}: source says version {definition['version']}", file=sys.stderr)
        profile = trim_profile(definition, args.ig_version)
        write(HERE / "profiles" / f"{profile_id}.json", profile)
        needed |= slice_value_sets(profile)
    for url in sorted(needed):
        if url in value_sets:
            value_set = trim_value_set(value_sets[url], args.ig_version)
            write(HERE / "valuesets" / f"{value_set['id']}.json", value_set)
        else:
            print(f"value set not in {args.source}: {url}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
