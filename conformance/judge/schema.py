"""A small JSON Schema check for the tool inputs the harness itself defines (types, required, enum)."""

from __future__ import annotations

from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


def schema_problems(value: Any, schema: dict[str, Any], where: str = "input") -> list[str]:
    """Every way ``value`` breaks ``schema`` (the subset: type, properties, required, enum, items)."""
    problems: list[str] = []
    expected = schema.get("type")
    if isinstance(expected, str):
        kinds = _TYPES.get(expected, (object,))
        is_bool = isinstance(value, bool)
        if not isinstance(value, kinds) or (is_bool and expected in {"integer", "number"}):
            return [f"{where} should be {expected}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where} is {value!r}, not one of {schema['enum']!r}")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{where} lacks the required property `{name}`")
        properties = schema.get("properties", {})
        for name, sub in properties.items():
            if name in value:
                problems.extend(schema_problems(value[name], sub, f"{where}.{name}"))
        if schema.get("additionalProperties") is False:
            problems.extend(
                f"{where} has the unexpected property `{name}`"
                for name in value
                if name not in properties
            )
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            problems.extend(schema_problems(item, schema["items"], f"{where}[{i}]"))
    return problems
