"""A value that satisfies a tool's ``input_schema``, for the emulator's forced tool calls.

Only what a conformance check needs: required properties filled with type-appropriate values,
honouring ``enum``/``const``/``default``, bounds, ``anyOf``/``oneOf``/``allOf`` and local ``$ref``s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Recursive schemas ($ref to an ancestor) stop here rather than loop.
MAX_DEPTH = 8


def example_for_schema(schema: object) -> Any:
    """A JSON value valid for ``schema`` (an object when ``type`` is omitted, as for tools)."""
    root = schema if isinstance(schema, Mapping) else {}
    return _example({"type": "object", **root}, root, 0)


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    node: Any = root
    for part in ref[2:].split("/"):
        node = (
            node.get(part.replace("~1", "/").replace("~0", "~"))
            if isinstance(node, Mapping)
            else None
        )
    return node if isinstance(node, Mapping) else {}


def _example(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> Any:
    schema = _resolve(schema, root)
    if depth > MAX_DEPTH:
        return None
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    if "default" in schema:
        return schema["default"]
    for combinator in ("anyOf", "oneOf"):
        options = schema.get(combinator)
        if isinstance(options, list) and options:
            non_null = [o for o in options if isinstance(o, Mapping) and o.get("type") != "null"]
            return _example((non_null or options)[0], root, depth + 1)
    all_of = schema.get("allOf")
    if isinstance(all_of, list) and all_of:
        merged: dict[str, Any] = {}
        for part in all_of:
            if isinstance(part, Mapping):
                merged |= dict(_resolve(part, root))
        return _example(
            {**merged, **{k: v for k, v in schema.items() if k != "allOf"}}, root, depth + 1
        )
    return _by_type(schema, root, depth)


def _schema_type(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _by_type(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> Any:
    kind = _schema_type(schema)
    if kind == "object":
        properties = schema.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        required = schema.get("required")
        names = [n for n in required if isinstance(n, str)] if isinstance(required, list) else []
        return {name: _example(properties.get(name) or {}, root, depth + 1) for name in names}
    if kind == "array":
        items = schema.get("items")
        count = schema.get("minItems", 1)
        count = count if isinstance(count, int) and count >= 0 else 1
        count = max(count, 1)
        max_items = schema.get("maxItems")
        if isinstance(max_items, int):
            count = min(count, max_items)
        item_schema = items if isinstance(items, Mapping) else {}
        return [_example(item_schema, root, depth + 1) for _ in range(count)]
    if kind == "integer":
        return _number(schema, 1, integral=True)
    if kind == "number":
        return _number(schema, 1.5, integral=False)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema)


def _number(schema: Mapping[str, Any], fallback: float, *, integral: bool) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    value: float = fallback
    if isinstance(low, int | float) and not isinstance(low, bool):
        value = max(
            value, low + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0)
        )
    if isinstance(high, int | float) and not isinstance(high, bool):
        value = min(
            value, high - (1 if "exclusiveMaximum" in schema and "maximum" not in schema else 0)
        )
    return int(value) if integral else float(value)


def _string(schema: Mapping[str, Any]) -> str:
    formats = {
        "date-time": "2026-01-01T00:00:00Z",
        "date": "2026-01-01",
        "email": "user@example.com",
        "uri": "https://example.com/",
        "uuid": "00000000-0000-4000-8000-000000000000",
    }
    value = formats.get(str(schema.get("format")), "example")
    min_length = schema.get("minLength")
    if isinstance(min_length, int) and len(value) < min_length:
        value = value.ljust(min_length, "x")
    max_length = schema.get("maxLength")
    if isinstance(max_length, int) and len(value) > max_length:
        value = value[:max_length]
    return value
