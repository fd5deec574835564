"""``report`` and ``ticket`` given a hostile ``summary.json``: 100k deep, a 5,000-digit integer, a
lone surrogate, bytes that are not UTF-8, a wrong type in each top-level field. Each is one
paragraph on stderr naming the file and the field, exit 2, and never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.cli.main import main
from conformance.summary.model import RunSummary

from ..report.factory import failing_summary

COMMANDS = ("report", "ticket")
UNEDITED = "give the summary.json a run wrote, unedited"


def _document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(failing_summary().to_dict()))
    return data


def _with(field: str, literal: str) -> bytes:
    """A real summary's JSON with ``field``'s value replaced by the raw JSON text ``literal``."""
    data = _document()
    data[field] = "PLACEHOLDER"
    return json.dumps(data).replace('"PLACEHOLDER"', literal).encode()


def _refused(
    command: str, content: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> str:
    path = tmp_path / "summary.json"
    path.write_bytes(content)
    code = main(
        [
            command,
            str(path),
            *(["--out", str(tmp_path / "page.html")] if command == "report" else []),
        ]
    )
    captured = capsys.readouterr()
    assert code == 2, captured.out[:300]
    assert captured.out == ""
    assert captured.err.startswith(f"foundry-conformance {command}: {path}")
    assert captured.err.count("\n") == 1, captured.err  # one paragraph
    assert "Traceback" not in captured.err and 'File "' not in captured.err
    assert not (tmp_path / "page.html").exists()
    return captured.err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("content", "named"),
    [
        (_with("notes", "[" * 100_000 + "]" * 100_000), "$.notes[0][0]"),
        (b"[" * 100_000 + b"]" * 100_000, "$[0][0]"),
        (_with("target", '{"kind": ' * 50_000 + "1" + "}" * 50_000), "$.target.kind.kind"),
        (_with("duration_s", "9" * 5000), "$.duration_s is an integer of 5,000 digits"),
        (_with("counts", '{"passed": -' + "1" * 5000 + "}"), "$.counts.passed is an integer of"),
        (_with("started_at", '"\\ud800"'), "$.started_at holds a lone surrogate"),
        (_with("notes", '["fine", "\\udfff alone"]'), "$.notes[1] holds a lone surrogate"),
        (_with("harness", '{"\\ud800": "x"}'), "$.harness has a key holding a lone surrogate"),
        (_with("started_at", '"XX"').replace(b"XX", b"\xed\xa0\x80"), "$.started_at is not UTF-8"),
        (_with("finished_at", '"XX"').replace(b"XX", b"\xff\xfe"), "$.finished_at is not UTF-8"),
    ],
    ids=[
        "deep-field",
        "deep-document",
        "deep-object",
        "long-integer",
        "long-negative-integer",
        "lone-surrogate-escape",
        "lone-low-surrogate",
        "surrogate-key",
        "surrogate-bytes",
        "invalid-utf8",
    ],
)
def test_a_summary_beyond_the_bounds_is_refused_naming_the_file_and_the_field(
    command: str,
    content: bytes,
    named: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = _refused(command, content, tmp_path, capsys)
    assert f"summary.json cannot be read: {named}" in err
    assert UNEDITED in err


def _wrong(value: Any) -> Any:
    """A JSON value of another kind than ``value``."""
    if value is None:  # an optional object left out (no baseline): a number is no object
        return 5
    if isinstance(value, dict | list):
        return "text"
    if isinstance(value, str):
        return 5
    return {"x": 1}


TOP_LEVEL = [name for name in RunSummary.__dataclass_fields__ if name != "schema"]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("field", TOP_LEVEL)
def test_a_wrong_type_in_each_top_level_field_is_refused_naming_it(
    command: str, field: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _document()
    data[field] = _wrong(data[field])
    err = _refused(command, json.dumps(data).encode(), tmp_path, capsys)
    assert f"summary.json: ${'.' + field} is " in err, err
    assert UNEDITED in err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "value", [5, None, ["foundry-conformance.summary/1"]], ids=["int", "null", "list"]
)
def test_a_schema_of_the_wrong_type_is_refused_naming_it(
    command: str, value: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _document()
    data["schema"] = value
    err = _refused(command, json.dumps(data).encode(), tmp_path, capsys)
    assert f"summary.json has the schema {value!r}, not 'foundry-conformance.summary/1'" in err


@pytest.mark.parametrize("command", COMMANDS)
def test_a_summary_larger_than_any_run_writes_is_refused_unread(
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("conformance.summary.load.MAX_FILE_BYTES", 4096)
    err = _refused(command, json.dumps(_document()).encode(), tmp_path, capsys)
    assert "cannot be read: it is more than 4,096 bytes, far more than a run writes" in err
