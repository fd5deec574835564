"""The small JSON Schema subset the harness judges its own tools' inputs with."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.judge.schema import schema_problems

WEATHER: dict[str, Any] = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer"},
        "threshold": {"type": "number"},
        "alerts": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "where": {
            "type": "object",
            "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
            "required": ["lat", "lon"],
        },
    },
    "required": ["city"],
    "additionalProperties": False,
}


def test_a_valid_input_has_no_problem() -> None:
    value = {
        "city": "Paris",
        "unit": "celsius",
        "days": 3,
        "threshold": 2.5,
        "alerts": False,
        "tags": ["rain", "wind"],
        "where": {"lat": 48.86, "lon": 2},
    }
    assert schema_problems(value, WEATHER) == []


@pytest.mark.parametrize(
    ("value", "got"), [(["Paris"], "list"), ("Paris", "str"), (None, "NoneType")]
)
def test_a_value_of_the_wrong_type_is_one_problem_and_nothing_more_is_judged(
    value: Any, got: str
) -> None:
    assert schema_problems(value, WEATHER) == [f"input should be object, got {got}"]


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_not_an_integer_or_a_number(value: bool) -> None:
    assert schema_problems({"city": "Paris", "days": value}, WEATHER) == [
        "input.days should be integer, got bool"
    ]
    assert schema_problems({"city": "Paris", "threshold": value}, WEATHER) == [
        "input.threshold should be number, got bool"
    ]


def test_a_number_accepts_integers_and_floats_but_an_integer_refuses_floats() -> None:
    assert schema_problems(3, {"type": "number"}) == []
    assert schema_problems(3.5, {"type": "number"}) == []
    assert schema_problems(3.5, {"type": "integer"}) == ["input should be integer, got float"]


def test_a_value_outside_the_enum_is_quoted_with_the_choices() -> None:
    assert schema_problems({"city": "Paris", "unit": "kelvin"}, WEATHER) == [
        "input.unit is 'kelvin', not one of ['celsius', 'fahrenheit']"
    ]


def test_a_missing_required_property_is_named() -> None:
    assert schema_problems({}, WEATHER) == ["input lacks the required property `city`"]


def test_an_unexpected_property_is_named_when_additional_properties_are_refused() -> None:
    assert schema_problems({"city": "Paris", "country": "FR"}, WEATHER) == [
        "input has the unexpected property `country`"
    ]


def test_additional_properties_are_allowed_unless_refused() -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    assert schema_problems({"city": "Paris", "country": "FR"}, schema) == []


def test_array_items_are_judged_with_their_index() -> None:
    assert schema_problems({"city": "Paris", "tags": ["rain", 5, None]}, WEATHER) == [
        "input.tags[1] should be string, got int",
        "input.tags[2] should be string, got NoneType",
    ]


def test_nested_objects_are_judged_with_a_dotted_path() -> None:
    assert schema_problems({"city": "Paris", "where": {"lat": "north"}}, WEATHER) == [
        "input.where lacks the required property `lon`",
        "input.where.lat should be number, got str",
    ]


def test_every_problem_of_one_value_is_reported_in_order() -> None:
    value = {"unit": "kelvin", "days": "3", "extra": 1}
    assert schema_problems(value, WEATHER) == [
        "input lacks the required property `city`",
        "input.unit is 'kelvin', not one of ['celsius', 'fahrenheit']",
        "input.days should be integer, got str",
        "input has the unexpected property `extra`",
    ]


def test_the_path_prefix_can_be_named() -> None:
    assert schema_problems(5, {"type": "string"}, "tool_use.input") == [
        "tool_use.input should be string, got int"
    ]


def test_null_is_a_type_of_its_own() -> None:
    assert schema_problems(None, {"type": "null"}) == []
    assert schema_problems(0, {"type": "null"}) == ["input should be null, got int"]


def test_a_type_outside_the_subset_accepts_anything() -> None:
    assert schema_problems({"a": 1}, {"type": "uuid"}) == []


def test_a_schema_without_a_type_still_judges_enum_and_required() -> None:
    assert schema_problems(3, {"enum": [1, 2]}) == ["input is 3, not one of [1, 2]"]
    assert schema_problems({}, {"required": ["a"]}) == ["input lacks the required property `a`"]
