"""Exit codes, end to end through the real CLI, one per verdict (SPEC: 0, 1, 2, 3, 4, 5; the
signals' 130 and 143 are in faults/test_interrupt.py)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

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


def test_a_secret_in_an_artifact_exits_4_naming_the_file(
    run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", CANARY_KEY)
    # A file left in the report directory (a colleague's notes, say) holding the key in use.
    leaked = tmp_path / "reports-0" / "notes.txt"
    leaked.parent.mkdir()
    leaked.write_text(f"key: {CANARY_KEY}\n")
    result = run_cli("--emulator", "--select", "MSG-BASIC")
    assert result.exit_code == 4
    scan = result.summary["secret_scan"]
    assert scan["clean"] is False
    assert any(hit.endswith("notes.txt") for hit in scan["hits"])
    assert "notes.txt" in result.output


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
