"""drf-spectacular hooks that finish the contract where introspection cannot."""

from api.serializers import CLINICAL_FIELDS_BY_COMPONENT

CLINICAL_NOTE = "Omitted for front-desk users, who do not read clinical data."


def mark_clinical_fields_optional(result: dict, generator, request, public) -> dict:
    """Fields hidden from the front desk are optional in responses, and say why."""
    schemas = result.get("components", {}).get("schemas", {})
    for component, fields in CLINICAL_FIELDS_BY_COMPONENT.items():
        schema = schemas.get(component)
        if schema is None:
            continue
        schema["required"] = [name for name in schema.get("required", []) if name not in fields]
        for name in fields:
            prop = schema["properties"][name]
            prop["description"] = f"{prop.get('description', '')} {CLINICAL_NOTE}".strip()
    return result
