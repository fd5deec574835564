"""A recorded set's ``metadata.json`` read within bounds, every field type-checked: a hostile or
hand-broken file is one ``ConfigError`` naming the file and the JSON path of the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.config.recording import read_recording
from conformance.core.errors import ConfigError

from ..recording.sets import metadata

RERECORD = "Re-record the cassette set (foundry-conformance run --mode record --cassettes DIR)"


def full_metadata() -> dict[str, Any]:
    """Every field a record run writes, as ``recording.meta`` and ``recording.record`` write it."""
    return metadata(
        finished_at="2025-12-30T10:05:00+00:00",
        endpoint={"base_url": "https://x/anthropic/", "resource": "r", "resource_redacted": False},
        entra_scope="https://cognitiveservices.azure.com/.default",
        suite="standard",
        select=["MSG-"],
        probe_rate_limit=False,
        harness={"foundry_conformance": "0.1.0", "python": "3.11.7"},
        scrubbed={"headers": ["api-key"], "jwt_shaped_strings": True},
        verdict="conformant",
        counts={"passed": 3, "failed": 0},
        token_scopes={"https://cognitiveservices.azure.com/.default": None, "other": "no token"},
        cases={
            "MSG-BASIC.yaml": {
                "check": "MSG-BASIC",
                "case": "test_messages.py::test_minimal_request_returns_a_message",
                "status": "passed",
                "reason": "",
                "diagnoses": [],
                "interactions": 1,
            },
            "_session.yaml": {"check": None, "case": "session", "interactions": 2},
        },
    )


def write(directory: Path, content: bytes | str | dict[str, Any]) -> Path:
    if isinstance(content, dict):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogatepass")
    (directory / "metadata.json").write_bytes(content)
    return directory


def refused(directory: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        read_recording(directory)
    message = str(caught.value)
    assert message.startswith(f"{directory / 'metadata.json'} is corrupt: "), message
    assert RERECORD in message
    return message


def test_every_field_a_record_run_writes_is_read(tmp_path: Path) -> None:
    recording = read_recording(write(tmp_path, full_metadata()))
    assert recording.token_scopes == {
        "https://cognitiveservices.azure.com/.default": None,
        "other": "no token",
    }
    assert recording.cases["MSG-BASIC.yaml"]["interactions"] == 1
    assert (recording.resource, recording.select, recording.verdict) == (
        "r",
        ("MSG-",),
        "conformant",
    )


def test_nulls_and_absent_optional_fields_read_as_their_defaults(tmp_path: Path) -> None:
    data = {**full_metadata(), "entra_scope": None, "suite": None, "verdict": None, "counts": None}
    for name in ("select", "token_scopes", "cases", "source", "probe_rate_limit"):
        del data[name]
    recording = read_recording(write(tmp_path, data))
    assert (recording.suite, recording.select, recording.source) == (None, (), "live")
    assert (recording.token_scopes, recording.cases, recording.probe_rate_limit) == ({}, {}, False)


def _wrong(value: Any) -> Any:
    if isinstance(value, dict | list):
        return "text"
    if isinstance(value, str) or value is None:
        return 5
    return "text"


def _leaves(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    items = data.items() if isinstance(data, dict) else enumerate(data)
    found: list[tuple[Any, ...]] = []
    for key, value in items:
        if isinstance(value, dict | list) and value and key != "scrubbed":
            found.extend(_leaves(value, (*prefix, key)))
        else:
            found.append((*prefix, key))
    return found


def _shown(path: tuple[Any, ...]) -> str:
    out = "$"
    for step in path:
        out += (
            f"[{step}]"
            if isinstance(step, int)
            else f".{step}"
            if "." not in step
            else f'["{step}"]'
        )
    return out


LEAVES = [p for p in _leaves(full_metadata()) if p not in (("format",), ("format_version",))]


@pytest.mark.parametrize("path", LEAVES, ids=[_shown(p) for p in LEAVES])
def test_a_wrong_type_in_any_field_is_named_by_its_path(
    path: tuple[Any, ...], tmp_path: Path
) -> None:
    data = full_metadata()
    parent: Any = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = _wrong(parent[path[-1]])
    message = refused(write(tmp_path, data))
    assert f"a field is missing or malformed: {_shown(path)} is " in message, message


def test_the_wrong_type_that_once_reached_a_strip_is_a_clear_error(tmp_path: Path) -> None:
    """The rig's ``'int' object has no attribute 'strip'``: a suite that is a number."""
    message = refused(write(tmp_path, {**full_metadata(), "suite": 5}))
    assert "$.suite is the number 5, not a string" in message


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("recorded_at", "yesterday", "$.recorded_at is 'yesterday', not an ISO 8601 time"),
        ("endpoint", {"resource": None}, "$.endpoint.base_url is missing"),
        ("cases", {"MSG-BASIC.yaml": {"status": 1}}, '$.cases["MSG-BASIC.yaml"].status is the'),
        ("probe_rate_limit", "no", "$.probe_rate_limit is the string 'no', not true or false"),
    ],
    ids=["recorded-at", "base-url", "case-status", "probe"],
)
def test_a_malformed_field_is_named(field: str, value: Any, problem: str, tmp_path: Path) -> None:
    assert problem in refused(write(tmp_path, {**full_metadata(), field: value}))


def _with(field: str, literal: str) -> str:
    data = full_metadata()
    data[field] = "PLACEHOLDER"
    return json.dumps(data).replace('"PLACEHOLDER"', literal)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (_with("cases", "[" * 100_000 + "]" * 100_000), "$.cases[0][0]"),
        (_with("deployments", "[" + "9" * 5000 + "]"), "$.deployments[0] is an integer of 5,000"),
        (_with("suite", '"\\ud800"'), "$.suite holds a lone surrogate"),
        (_with("suite", '"XX"').replace("XX", "\udcff"), "$.suite is not UTF-8 (byte 0xed at"),
    ],
    ids=["deep", "long-integer", "lone-surrogate", "not-utf8"],
)
def test_metadata_beyond_the_bounds_names_the_field(
    content: str, problem: str, tmp_path: Path
) -> None:
    assert problem in refused(write(tmp_path, content))


def test_metadata_larger_than_any_recording_is_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("conformance.config.recording.MAX_FILE_BYTES", 100)
    message = refused(write(tmp_path, full_metadata()))
    assert "it is more than 100 bytes, far more than a recording" in message


@pytest.mark.parametrize("version", [True, "1", None, 1.5], ids=["bool", "text", "null", "float"])
def test_a_format_version_of_the_wrong_type_is_an_incompatible_one(
    version: Any, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as caught:
        read_recording(write(tmp_path, {**full_metadata(), "format_version": version}))
    assert f"have format_version {version!r} (recorded by foundry-conformance 0.1.0)" in str(
        caught.value
    )


def test_a_harness_of_the_wrong_type_does_not_break_the_version_message(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        read_recording(write(tmp_path, {**full_metadata(), "format_version": 9, "harness": 5}))
    assert "(recorded by foundry-conformance an unknown version)" in str(caught.value)


def test_a_scope_the_recording_had_no_token_for_is_said_for_whoever_replays(
    tmp_path: Path,
) -> None:
    recording = read_recording(write(tmp_path, full_metadata()))
    reason = recording.lacks_token("https://ai.azure.com/.default")
    assert reason.startswith(
        "not recorded: these cassettes were recorded without an Entra ID token for "
        "https://ai.azure.com/.default, so they hold no request for this check"
    )
    assert "re-record (foundry-conformance run --mode record --cassettes DIR)" in reason
    # The recording run's own reason named its environment; whoever replays set none of it.
    assert "FOUNDRY_CONFORMANCE_" not in reason and "no token" not in reason
