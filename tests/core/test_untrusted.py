"""Untrusted JSON parsed within bounds: size, encoding, depth, integer length and lone surrogates,
each one ``UntrustedJSONError`` naming the source and the JSON path; ``Node`` checks types."""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from conformance.core.errors import InputError
from conformance.core.untrusted import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_INTEGER,
    Node,
    UntrustedJSONError,
    child_path,
    describe,
    parse_json,
    path_at,
    read_at_most,
)


def refused(data: bytes | str, **limits: int) -> UntrustedJSONError:
    with pytest.raises(UntrustedJSONError) as caught:
        parse_json(data, source="doc.json", **limits)
    return caught.value


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


# -- what passes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"a": [1, 2.5, None, True, "x"], "b": {}},
        [],
        "text",
        -(10**30),
        {"emoji": "\U0001f600", "pair": "\ud83d\ude00"},
        json.loads(nested(MAX_DEPTH)),
    ],
    ids=["object", "empty", "string", "big-integer", "astral", "deepest-allowed"],
)
def test_json_within_the_bounds_decodes_as_json_loads_does(value: Any) -> None:
    text = json.dumps(value)
    assert parse_json(text, source="doc.json") == json.loads(text)
    assert parse_json(text.encode(), source="doc.json") == json.loads(text)


def test_a_utf8_byte_order_mark_is_allowed() -> None:
    assert parse_json(b'\xef\xbb\xbf{"a": 1}', source="doc.json") == {"a": 1}


def test_an_escaped_surrogate_pair_is_one_character() -> None:
    assert parse_json('"\\ud83d\\ude00"', source="doc.json") == "\U0001f600"


def test_the_error_is_an_input_error_and_a_value_error() -> None:
    error = refused("[")
    assert isinstance(error, InputError) and isinstance(error, ValueError)


# -- size ------------------------------------------------------------------------------------


def test_a_document_larger_than_the_limit_is_refused_before_it_is_decoded() -> None:
    error = refused(b"[" + b"1," * 600 + b"1]", max_bytes=1000)
    assert str(error) == "doc.json: $ is 1,203 bytes, more than the 1,000 this harness reads"


def test_the_size_of_text_is_counted_in_utf8_bytes() -> None:
    assert refused('"' + "é" * 400 + '"', max_bytes=500).problem.startswith("is 802 bytes")
    assert parse_json('"' + "e" * 400 + '"', source="doc.json", max_bytes=500) == "e" * 400


# -- encoding --------------------------------------------------------------------------------


def test_bytes_that_are_not_utf8_are_named_by_offset_and_field() -> None:
    error = refused(b'{"a": 1, "suite": "ab\xffcd"}')
    assert str(error) == "doc.json: $.suite is not UTF-8 (byte 0xff at offset 21)"


def test_a_surrogate_encoded_as_bytes_is_not_utf8() -> None:
    error = refused(b'{"list": ["ok", "\xed\xa0\x80"]}')
    assert (error.path, error.problem) == ("$.list[1]", "is not UTF-8 (byte 0xed at offset 17)")


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('"\\ud800"', "$"),
        ('{"a": {"b": ["x", "y\\udfffz"]}}', "$.a.b[1]"),
        ('{"a": "\\ud83d"}', "$.a"),  # a high half with no low half after it
        ('["\\ude00\\ud83d"]', "$[0]"),  # the halves in the wrong order
    ],
    ids=["alone", "nested", "high-half", "reversed"],
)
def test_a_lone_surrogate_escape_is_refused_with_its_path(text: str, path: str) -> None:
    error = refused(text)
    assert (error.path, error.problem) == (
        path,
        "holds a lone surrogate (half a UTF-16 pair), which is not text",
    )


def test_a_lone_surrogate_in_a_key_names_its_object() -> None:
    error = refused('{"fine": {"\\ud800": 1}}')
    assert str(error) == "doc.json: $.fine has a key holding a lone surrogate (half a UTF-16 pair)"


def test_a_str_that_already_holds_a_lone_surrogate_is_refused() -> None:
    assert refused('{"a": "\ud800"}').path == "$.a"


# -- depth -----------------------------------------------------------------------------------


def test_one_level_past_the_limit_is_refused() -> None:
    assert parse_json(nested(MAX_DEPTH), source="doc.json")
    error = refused(nested(MAX_DEPTH + 1))
    assert error.problem == f"nests deeper than {MAX_DEPTH} levels"


def test_objects_count_as_levels_too() -> None:
    text = '{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)
    assert refused(text).path.startswith("$.a.a.a")


@pytest.mark.parametrize("depth", [100_000, 1_000_000])
def test_a_document_nested_far_past_the_recursion_limit_is_refused_at_once(depth: int) -> None:
    assert depth > sys.getrecursionlimit()
    tracemalloc.start()
    try:
        error = refused(nested(depth))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.problem == f"nests deeper than {MAX_DEPTH} levels"
    assert peak < 64 * 1024 * 1024  # the text is 2-4 MB: its decoding stays within a few copies


def test_a_deep_path_is_shown_by_its_start_and_its_end() -> None:
    error = refused('{"checks": [' + nested(100_000) + "]}")
    assert error.path == "$.checks[0][0][0][0][0][0][0][0][0]…(52 more levels)…[0][0]"


def test_brackets_inside_strings_are_not_levels() -> None:
    text = json.dumps({"a": "[" * 10_000, "b": ["{" * 10_000]})
    assert parse_json(text, source="doc.json") == json.loads(text)


def test_a_lower_depth_limit_applies() -> None:
    assert refused(nested(4), max_depth=3).problem == "nests deeper than 3 levels"


# -- integers --------------------------------------------------------------------------------


def test_an_integer_longer_than_the_limit_is_refused_with_its_path() -> None:
    error = refused('{"usage": {"input_tokens": ' + "9" * 5000 + "}}")
    assert str(error) == (
        "doc.json: $.usage.input_tokens is an integer of 5,000 digits (at most 4,300 are read)"
    )


def test_the_sign_is_not_a_digit() -> None:
    assert parse_json("-" + "9" * MAX_INT_DIGITS, source="doc.json") == -int("9" * MAX_INT_DIGITS)
    assert refused("[1, -" + "9" * (MAX_INT_DIGITS + 1) + "]").path == "$[1]"


def test_the_interpreter_s_own_lower_limit_is_an_error_too() -> None:
    previous = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        assert refused("[" + "9" * 700 + "]").problem.startswith("is an integer of 700 digits")
    finally:
        sys.set_int_max_str_digits(previous)


def test_a_long_float_is_a_float() -> None:
    assert parse_json("0." + "1" * 5000, source="doc.json") == pytest.approx(1 / 9)


# -- syntax ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "problem"),
    [
        ("", "$", "is not JSON (Expecting value at line 1, column 1)"),
        ('{"a": [1, 2,', "$.a[2]", "is not JSON (Expecting value at line 1, column 13)"),
        ('{"a": {"b": tru}}', "$.a.b", "is not JSON (Expecting value at line 1, column 13)"),
        ('{"a": "cut', "$.a", "is not JSON (Unterminated string starting at line 1, column 7)"),
    ],
    ids=["empty", "truncated-array", "bad-literal", "unterminated-string"],
)
def test_text_that_is_not_json_says_where(text: str, path: str, problem: str) -> None:
    error = refused(text)
    assert (error.path, error.problem) == (path, problem)
    assert isinstance(error.decode_error, json.JSONDecodeError)


def test_a_pathological_unterminated_string_is_described_in_linear_time() -> None:
    text = "[" * 100 + '"' + '\\"' * 1_000_000
    start = time.process_time()
    error = refused(text)
    assert time.process_time() - start < 5  # quadratic would be hours
    assert error.problem.startswith("is not JSON (Unterminated string")


# -- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"a": [1, {"b": [0, 0, ', "$.a[1].b[2]"),
        ('{"a": 1, ', "$"),
        ('{"a b": {"c": ', '$["a b"].c'),
        ('[{"x": "]}, ["}, ', "$[1]"),
        ('{"k\\"ey": ', '$["k\\"ey"]'),
    ],
    ids=["nested", "awaiting-key", "quoted-key", "brackets-in-strings", "escaped-quote"],
)
def test_path_at_names_the_value_at_a_position(text: str, path: str) -> None:
    assert path_at(text, len(text)) == path


def test_child_path_quotes_keys_that_are_not_names() -> None:
    assert child_path("$", "checks") == "$.checks"
    assert child_path("$.checks", 3) == "$.checks[3]"
    assert child_path("$", "claude-sonnet-4-5") == '$["claude-sonnet-4-5"]'


# -- Node --------------------------------------------------------------------------------------


def node(value: Any) -> Node:
    return Node(value, "doc.json")


def test_node_reads_fields_with_their_paths() -> None:
    doc = node({"checks": [{"id": "MSG-BASIC", "n": 3, "ok": True, "t": 1.5}]})
    (check,) = doc.field("checks").items()
    assert check.path == "$.checks[0]"
    assert check.field("id").string() == "MSG-BASIC"
    assert (check.field("n").integer(), check.field("ok").boolean()) == (3, True)
    assert check.field("t").number() == 1.5 and check.field("n").number() == 3.0
    assert check.get("absent") is None
    assert [key for key, _ in check.entries()] == ["id", "n", "ok", "t"]


@pytest.mark.parametrize(
    ("value", "read", "message"),
    [
        ({"a": 5}, lambda n: n.field("a").string(), "$.a is the number 5, not a string"),
        ({"a": "5"}, lambda n: n.field("a").integer(), "$.a is the string '5', not an integer"),
        ({"a": True}, lambda n: n.field("a").integer(), "$.a is true, not an integer"),
        ({"a": False}, lambda n: n.field("a").number(), "$.a is false, not a number"),
        ({"a": None}, lambda n: n.field("a").boolean(), "$.a is null, not true or false"),
        ({"a": {}}, lambda n: n.field("a").items(), "$.a is an object, not an array"),
        ([1], lambda n: n.field("a"), "$ is an array, not an object"),
        ({}, lambda n: n.field("a"), "$.a is missing"),
        ({"a": float("nan")}, lambda n: n.field("a").number(), "$.a is the number nan, not a finite"),
        ({"a": 10**400}, lambda n: n.field("a").number(), "$.a is an integer of 1329 bits, beyond"),
        ({"a": MAX_INTEGER + 1}, lambda n: n.field("a").integer(), "$.a is an integer beyond 64 bits"),
    ],
    ids=[
        "string", "integer", "bool-integer", "bool-number", "boolean", "array", "object",
        "missing", "nan", "huge-number", "huge-integer",
    ],
)  # fmt: skip
def test_node_names_the_field_of_the_wrong_type(value: Any, read: Any, message: str) -> None:
    with pytest.raises(UntrustedJSONError) as caught:
        read(node(value))
    assert str(caught.value).startswith(f"doc.json: {message}")


def test_describe_cuts_long_strings() -> None:
    assert describe("x" * 100) == f"the string '{'x' * 40}…'"
    assert describe([1]) == "an array" and describe(None) == "null"


# -- read_at_most ------------------------------------------------------------------------------


def test_read_at_most_reads_a_small_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 3000)
    assert read_at_most(path, 4096) == b"x" * 3000


def test_read_at_most_stops_one_byte_past_the_limit_without_a_buffer_of_the_limit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * (3 * 1024 * 1024))
    tracemalloc.start()
    try:
        data = read_at_most(path, 64 * 1024 * 1024)
        small = read_at_most(path, 1000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(data) == 3 * 1024 * 1024 and small == b"x" * 1001
    assert peak < 16 * 1024 * 1024  # not the 64 MiB a read(limit + 1) would allocate
