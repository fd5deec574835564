"""Example values for tool input schemas."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.emulator.schemas import example_for_schema


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, "example"),
        ({"type": "string", "format": "date"}, "2026-01-01"),
        ({"type": "string", "minLength": 10}, "examplexxx"),
        ({"type": "string", "maxLength": 3}, "exa"),
        ({"type": "integer"}, 1),
        ({"type": "integer", "minimum": 5}, 5),
        ({"type": "integer", "exclusiveMinimum": 5}, 6),
        ({"type": "integer", "maximum": 0}, 0),
        ({"type": "number"}, 1.5),
        ({"type": "boolean"}, True),
        ({"type": "null"}, None),
        ({"type": ["null", "integer"]}, 1),
        ({"enum": ["b", "a"]}, "b"),
        ({"const": 42}, 42),
        ({"type": "string", "default": "d"}, "d"),
        ({"type": "array", "items": {"type": "integer"}}, [1]),
        ({"type": "array", "items": {"type": "integer"}, "minItems": 2}, [1, 1]),
        ({"type": "array", "maxItems": 0}, []),
        ({"anyOf": [{"type": "null"}, {"type": "boolean"}]}, True),
        ({"oneOf": [{"type": "integer"}]}, 1),
    ],
)
def test_a_value_for_each_type(schema: dict[str, Any], expected: Any) -> None:
    assert example_for_schema(
        {"type": "object", "properties": {"x": schema}, "required": ["x"]}
    ) == {"x": expected}


def test_only_required_properties_are_filled() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "required": ["b"],
    }
    assert example_for_schema(schema) == {"b": 1}


def test_nested_objects_refs_and_all_of() -> None:
    schema = {
        "type": "object",
        "$defs": {
            "Point": {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]}
        },
        "properties": {
            "where": {"$ref": "#/$defs/Point"},
            "both": {"allOf": [{"properties": {"a": {"type": "string"}}}, {"required": ["a"]}]},
        },
        "required": ["where", "both"],
    }
    assert example_for_schema(schema) == {"where": {"x": 1.5}, "both": {"a": "example"}}


def test_a_recursive_schema_terminates() -> None:
    schema = {
        "type": "object",
        "properties": {"child": {"$ref": "#"}},
        "required": ["child"],
    }
    value = example_for_schema(schema)
    depth = 0
    while isinstance(value, dict):
        value = value["child"]
        depth += 1
    assert depth < 12


def test_no_schema_gives_an_empty_object() -> None:
    assert example_for_schema(None) == {}
    assert example_for_schema({"type": "object"}) == {}
