"""Exit codes, end to end through the real CLI, one per verdict (SPEC: 0, 1, 2, 3, 5; the
signals' 130 and 143 are in faults/test_interrupt.py), and 4 for an artifact withheld because a
secret could not be removed from it."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.core.redaction import Redactor

from .conftest import CliRun

CANARY_KEY = "canary-key-DO-NOT-LEAK-exit-codes-0000000000000000"


def test_conformant_exits_0(run_cli: Callable[..., CliRun]) -> None:
    assert run_cli("--emulator", "--select", "MSG-BASIC").exit_code == 0


def test_nonconformant_exits_1(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "models-served", "--select", "UNS-MODELS")
    assert (result.exit_code, result.summary["verdict"]) == (1, "nonconformant")


def test_configuration_error_exits_2_and_writes_nothing(
    run_cli: Callable[..., CliRun], tmp_path: Path
) -> None:
    result = run_cli("--base-url", "ftp://example.invalid/anthropic/")
    assert result.exit_code == 2
    assert "configuration error" in result.output
    assert not result.report_dir.exists()


def test_unreachable_exits_3(run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", CANARY_KEY)
    result = run_cli("--base-url", f"http://127.0.0.1:{port}/anthropic/", "--suite", "smoke")
    assert (result.exit_code, result.summary["verdict"]) == (3, "unreachable")
    assert "connection-failed" in result.codes()


def test_an_artifact_withheld_exits_4_naming_it(
    run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", CANARY_KEY)
    # A redactor that misses the echo in stream and body excerpts (and so in pytest-html's
    # transcripts) and cannot clean a text it is given: the scan still finds the key, and the
    # page is withheld rather than published.
    clean_env.setattr(Redactor, "stream", lambda self, body: body)
    # A colleague's notes in the report directory are not this run's: never scanned, never moved.
    notes = tmp_path / "reports-0" / "notes.txt"
    notes.parent.mkdir()
    notes.write_text(f"key: {CANARY_KEY}\n")
    result = run_cli("--emulator", "echo-key,api-key-rejected", "--select", "AUTH-")
    assert result.exit_code == 4, result.output
    scan = result.summary["secret_scan"]
    assert scan["clean"] is False
    withheld = {Path(note["file"]).name: note["reason"] for note in scan["withheld"]}
    assert withheld == {
        "pytest-report.html": "withheld: a secret it spells remained after redaction"
    }
    assert not (result.report_dir / "pytest-report.html").exists()
    assert "WITHHELD (a secret could not be removed): " in result.output
    assert notes.read_text() == f"key: {CANARY_KEY}\n"
    for path in result.report_dir.iterdir():
        if path != notes:
            assert CANARY_KEY not in path.read_text("utf-8"), path


def test_a_selection_of_no_check_exits_2_with_no_verdict(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "--pytest-arg=-k", "--pytest-arg=MSG-BASICS")
    assert result.exit_code == 2
    assert "no check is selected: -k 'MSG-BASICS' matched none of the" in result.output
    # The command line's own spelling: --select, not the plugin's --foundry-select.
    assert "Or choose the checks with --select ID_OR_AREA." in result.output
    assert not (result.report_dir / "summary.json").exists()
    assert "foundry-conformance: NONCONFORMANT" not in result.output


def test_a_run_cut_short_by_its_budget_exits_5(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "--max-requests", "20")
    assert (result.exit_code, result.summary["verdict"]) == (5, "incomplete")
    assert [c["cause"] for c in result.summary["cut_short"]] == ["budget"]
    assert not result.summary["diagnoses"]
