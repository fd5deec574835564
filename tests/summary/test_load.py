"""A saved summary read back: the round trip, and one clear ``SummaryError`` for each bad file."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.core.errors import SummaryError
from conformance.core.untrusted import child_path
from conformance.summary.load import load_summary, summary_from_dict
from conformance.summary.model import SCHEMA

from .runs import built_summary

UNEDITED = "give the summary.json a run wrote, unedited, or re-run the suite to get a fresh one"


def saved() -> dict[str, Any]:
    """The summary of a small run as ``summary.json`` holds it."""
    data: dict[str, Any] = json.loads(json.dumps(built_summary().to_dict()))
    return data


def refused(data: Any) -> str:
    with pytest.raises(SummaryError) as caught:
        summary_from_dict(data)
    return str(caught.value)


# -- the round trip ---------------------------------------------------------------------------


def test_a_built_summary_survives_the_round_trip_through_json() -> None:
    original = built_summary()
    assert original.diagnoses and original.checks[1].evidence  # a summary with substance
    assert summary_from_dict(saved()) == original


def test_a_written_summary_is_loaded_back_from_its_file(tmp_path: Path) -> None:
    original = built_summary()
    path = original.write(tmp_path / "reports" / "summary.json")
    loaded = load_summary(path)
    assert loaded == original
    assert loaded.to_dict() == original.to_dict()


def test_the_optional_parts_default_when_absent() -> None:
    data = saved()
    for name in ("secret_scan", "harness", "notes", "incomplete", "latency", "token_claims"):
        del data[name]
    loaded = summary_from_dict(data)
    assert loaded.secret_scan.clean is True and loaded.secret_scan.hits == []
    assert (loaded.harness, loaded.notes, loaded.incomplete) == ({}, [], False)
    assert (loaded.latency, loaded.token_claims) == ({}, {})


def test_evidence_keys_a_newer_writer_added_are_ignored() -> None:
    data = saved()
    data["checks"][1]["evidence"][0]["region"] = "swedencentral"
    loaded = summary_from_dict(data)
    assert loaded.checks[1].evidence[0] == built_summary().checks[1].evidence[0]


def test_keys_a_newer_writer_added_are_ignored_at_every_level() -> None:
    data = saved()
    data["usage"]["tokens"] = 2
    data["checks"][0]["region"] = "swedencentral"
    data["added_later"] = {"anything": [1]}
    assert summary_from_dict(data) == built_summary()


# -- malformed input --------------------------------------------------------------------------


@pytest.mark.parametrize("data", [[], "summary", 42, None], ids=["list", "str", "int", "null"])
def test_json_that_is_not_an_object_is_not_a_summary(data: Any) -> None:
    assert refused(data) == "the summary holds JSON, but not an object: it is not a run summary"


@pytest.mark.parametrize("schema", ["foundry-conformance.summary/2", None], ids=["newer", "absent"])
def test_a_summary_of_another_schema_is_refused_with_both_names(schema: str | None) -> None:
    data = saved()
    data["schema"] = schema
    assert refused(data) == (
        f"the summary has the schema {schema!r}, not {SCHEMA!r}: it was not written by this version "
        "of foundry-conformance (re-run the suite to get a fresh summary.json)"
    )


@pytest.mark.parametrize(
    "name",
    [
        "verdict",
        "target",
        "started_at",
        "finished_at",
        "duration_s",
        "counts",
        "checks",
        "diagnoses",
        "usage",
    ],
)
def test_a_missing_field_is_named(name: str) -> None:
    data = saved()
    del data[name]
    assert refused(data) == f"the summary: $.{name} is missing; {UNEDITED}"


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("duration_s",), "long", "$.duration_s is the string 'long', not a number"),
        (("duration_s",), True, "$.duration_s is true, not a number"),
        (("duration_s",), 10**400, "$.duration_s is an integer of 1329 bits, beyond the range"),
        (("target",), "contoso", "$.target is the string 'contoso', not an object"),
        (("counts",), 5, "$.counts is the number 5, not an object"),
        (("counts", "passed"), "3", "$.counts.passed is the string '3', not an integer"),
        (("counts", "passed"), 2**64, "$.counts.passed is an integer beyond 64 bits"),
        (("checks",), None, "$.checks is null, not an array"),
        (("checks", 1, "evidence"), [7], "$.checks[1].evidence[0] is the number 7, not an object"),
        (("checks", 1, "evidence", 0, "status"), "401",
         "$.checks[1].evidence[0].status is the string '401', not an integer"),
        (("checks", 1, "evidence", 0, "request_id"), 5,
         "$.checks[1].evidence[0].request_id is the number 5, not a string"),
        (("checks", 1), {"id": "AUTH-API-KEY"}, "$.checks[1].title is missing"),
        (("checks", 1, "params"), {"auth": 1}, "$.checks[1].params.auth is the number 1, not a string"),
        (("target", "deployments"), "d1", "$.target.deployments is the string 'd1', not an array"),
        (("secret_scan", "clean"), "yes", "$.secret_scan.clean is the string 'yes', not true or false"),
        (("incomplete",), 0, "$.incomplete is the number 0, not true or false"),
        (("latency",), {"x": {"p50": "a"}}, '$.latency.x.p50 is the string \'a\', not a number'),
        (("harness",), {"python": 3.11}, "$.harness.python is the number 3.11, not a string"),
        (("notes",), "one note", "$.notes is the string 'one note', not an array"),
    ],
    ids=[
        "duration", "duration-bool", "duration-huge", "target", "counts", "count-text",
        "count-huge", "checks", "evidence-item", "evidence-status", "evidence-request-id",
        "check-fields", "params", "deployments", "secret-scan", "incomplete", "latency",
        "harness", "notes",
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_type_is_named_by_its_path(
    path: tuple[str | int, ...], value: Any, problem: str
) -> None:
    data = copy.deepcopy(saved())
    parent: Any = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    message = refused(data)
    assert message.startswith(f"the summary: {problem}"), message
    assert message.endswith(f"; {UNEDITED}")


def _leaves(data: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    items = data.items() if isinstance(data, dict) else enumerate(data)
    found: list[tuple[str | int, ...]] = []
    for key, value in items:
        if isinstance(value, dict | list) and value:
            found.extend(_leaves(value, (*prefix, key)))
        else:
            found.append((*prefix, key))
    return found


# Where the model holds free-form JSON (Any), any value is a value.
_FREE_FORM = ("details", "token_claims")


def test_every_typed_field_of_a_saved_summary_is_checked() -> None:
    """Each leaf of a real summary, replaced by a JSON value of the wrong kind, is named."""
    for path in _leaves(saved()):
        if any(step in _FREE_FORM for step in path) or path == ("schema",):
            continue
        data = copy.deepcopy(saved())
        parent: Any = data
        for key in path[:-1]:
            parent = parent[key]
        original = parent[path[-1]]
        wrong: Any = "text" if isinstance(original, dict | list) else {"x": 1}
        parent[path[-1]] = [] if isinstance(original, str | None) else wrong
        shown = "$"
        for step in path:
            shown = child_path(shown, step)
        assert f"the summary: {shown} is " in refused(data), path


def test_an_unknown_verdict_is_refused_with_the_known_ones() -> None:
    data = saved()
    data["verdict"] = "green"
    assert refused(data) == (
        "the summary: $.verdict is 'green', not one of "
        f"conformant, nonconformant, unreachable, misconfigured, incomplete; {UNEDITED}"
    )


def test_an_evidence_status_that_is_not_a_number_is_refused() -> None:
    data = saved()
    data["checks"][1]["evidence"][0]["status"] = "401"
    assert "$.checks[1].evidence[0].status is the string '401', not an integer" in refused(data)


# -- files ------------------------------------------------------------------------------------


def test_a_missing_file_says_where_a_run_writes_one(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    with pytest.raises(SummaryError) as caught:
        load_summary(path)
    assert str(caught.value) == (
        f"{path} does not exist; a run writes summary.json into its --report-dir (default reports/)"
    )


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ('{"schema": ', "Expecting value, line 1, at $.schema"),
        ("", "Expecting value, line 1, at $"),
        ("{\n\n,", "Expecting property name enclosed in double quotes, line 3, at $"),
        (
            '{"checks": [{"id": "A"}, {"id": "B" "title"',
            "Expecting ',' delimiter, line 1, at $.checks[1].id",
        ),
    ],
    ids=["truncated", "empty", "broken", "inside"],
)
def test_a_file_that_is_not_json_asks_whether_it_is_truncated(
    tmp_path: Path, text: str, cause: str
) -> None:
    path = tmp_path / "summary.json"
    path.write_text(text, "utf-8")
    with pytest.raises(SummaryError) as caught:
        load_summary(path)
    assert str(caught.value) == (
        f"{path} is not JSON ({cause}); is it truncated? Give the summary.json a run wrote"
    )


def test_a_file_that_is_not_utf8_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(SummaryError) as caught:
        load_summary(path)
    assert str(caught.value) == (
        f"{path} cannot be read: $ is not UTF-8 (byte 0xff at offset 0); {UNEDITED}"
    )


def test_a_directory_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(SummaryError) as caught:
        load_summary(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path} cannot be read: ")


def test_a_file_of_json_that_is_not_a_summary_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    path.write_text('{"schema": "junit/1"}', "utf-8")
    with pytest.raises(SummaryError, match=r"summary.json has the schema 'junit/1'"):
        load_summary(path)


# -- files beyond the bounds: one clear error naming the file and the field ------------------


def _with(field: str, literal: str) -> str:
    """A saved summary's JSON text with ``field``'s value replaced by the raw ``literal``."""
    data = saved()
    data[field] = "PLACEHOLDER"
    return json.dumps(data).replace('"PLACEHOLDER"', literal)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (_with("notes", "[" * 100_000 + "]" * 100_000), "nests deeper than 64 levels"),
        (_with("duration_s", "9" * 5000), "$.duration_s is an integer of 5,000 digits"),
        (_with("started_at", '"\\ud800"'), "$.started_at holds a lone surrogate"),
    ],
    ids=["deep", "long-integer", "lone-surrogate"],
)
def test_a_file_beyond_the_bounds_cannot_be_read_and_names_the_field(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "summary.json"
    path.write_text(text, "utf-8")
    with pytest.raises(SummaryError) as caught:
        load_summary(path)
    message = str(caught.value)
    assert message.startswith(f"{path} cannot be read: ")
    assert problem in message
    assert message.endswith(UNEDITED)


def test_a_deep_value_is_named_by_the_start_and_the_end_of_its_path(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    path.write_text(_with("notes", "[" * 100_000 + "]" * 100_000), "utf-8")
    with pytest.raises(SummaryError) as caught:
        load_summary(path)
    assert "$.notes[0][0][0][0][0][0][0][0][0]…(52 more levels)…[0][0] nests deeper" in str(
        caught.value
    )


def test_bytes_that_are_not_utf8_inside_a_field_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    path.write_bytes(_with("started_at", '"XX"').encode().replace(b"XX", b"\xed\xa0\x80"))
    with pytest.raises(SummaryError) as caught:
        load_summary(path)
    assert "$.started_at is not UTF-8 (byte 0xed at offset " in str(caught.value)


def test_a_file_larger_than_any_summary_is_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("conformance.summary.load.MAX_FILE_BYTES", 1000)
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(saved()), "utf-8")
    with pytest.raises(SummaryError) as caught:
        load_summary(path)
    assert str(caught.value) == (
        f"{path} cannot be read: it is more than 1,000 bytes, far more than a run writes; "
        "give the summary.json a run wrote"
    )
