"""Concurrency (pytest-xdist through --jobs): the same outcomes as a serial run, one budget."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from .conftest import CliRun


def _outcomes(result: CliRun) -> list[tuple[str, str, str]]:
    return sorted(
        (c["id"], c["case"].rsplit("::", 1)[-1], c["status"]) for c in result.summary["checks"]
    )


@pytest.mark.parametrize("profile", ["no-request-id,ratelimit-headers", "api-key-rejected"])
def test_concurrent_run_matches_the_serial_run(
    run_cli: Callable[..., CliRun], profile: str
) -> None:
    serial = run_cli("--emulator", profile, "--jobs", "1")
    concurrent = run_cli("--emulator", profile, "--jobs", "2")
    assert _outcomes(concurrent) == _outcomes(serial)
    assert concurrent.codes() == serial.codes()
    assert concurrent.summary["verdict"] == serial.summary["verdict"]
    assert concurrent.exit_code == serial.exit_code
    assert concurrent.summary["usage"]["requests"] == serial.summary["usage"]["requests"]
    seqs = [c["evidence"] for c in concurrent.summary["checks"]]
    assert all(e["seq"] > 0 for evidence in seqs for e in evidence)


def test_run_wide_checks_judge_every_worker_and_reach_junit(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "no-request-id", "--jobs", "2")
    rid = result.check("RID-REQUEST-ID")
    assert rid["status"] == "failed"
    # Evidence from the checks that ran on the workers, renumbered into one sequence.
    assert {e["check"] for e in rid["evidence"]} - {"RID-REQUEST-ID"}
    names = {
        case.get("name")
        for case in ET.parse(result.report_dir / "junit.xml").getroot().iter("testcase")
    }
    assert {"RID-REQUEST-ID", "RID-APIM-REQUEST-ID", "RL-HEADERS-ABSENT", "MSG-BASIC"} <= names


def test_request_budget_holds_for_the_run_not_per_worker(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "--jobs", "2", "--max-requests", "12")
    assert result.summary["usage"]["requests"] <= 12
    assert result.summary["incomplete"] is True
    assert result.summary["verdict"] != "conformant"
    assert any("budget" in c["reason"] for c in result.summary["checks"])


def test_bad_jobs_value_is_a_configuration_error(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "--jobs", "many")
    assert result.exit_code == 2
    assert "--jobs 'many' is not a number of workers from 1 to 32" in result.output
