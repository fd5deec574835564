"""Concurrency (--jobs: a thread pool of one process): the same outcomes as a serial run, one
budget, the serial checks after the pooled ones; pytest-xdist's -n is refused."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.core.catalog import BY_ID

from .conftest import CliRun

RUN_WIDE_AND_PROBE = ("RL-429", "RID-REQUEST-ID", "RID-APIM-REQUEST-ID", "RL-HEADERS-ABSENT")


def _outcomes(result: CliRun) -> list[tuple[str, str, str]]:
    return sorted(
        (c["id"], c["case"].rsplit("::", 1)[-1], c["status"]) for c in result.summary["checks"]
    )


@pytest.mark.parametrize("profile", ["no-request-id,ratelimit-headers", "api-key-rejected"])
def test_concurrent_run_matches_the_serial_run(
    run_cli: Callable[..., CliRun], profile: str
) -> None:
    serial = run_cli("--emulator", profile, "--jobs", "1")
    concurrent = run_cli("--emulator", profile, "--jobs", "4")
    assert _outcomes(concurrent) == _outcomes(serial)
    assert concurrent.codes() == serial.codes()
    assert concurrent.summary["verdict"] == serial.summary["verdict"]
    assert concurrent.exit_code == serial.exit_code
    assert concurrent.summary["usage"]["requests"] == serial.summary["usage"]["requests"]
    seqs = [c["evidence"] for c in concurrent.summary["checks"]]
    assert all(e["seq"] > 0 for evidence in seqs for e in evidence)


def test_run_wide_checks_judge_every_pooled_check_and_reach_junit(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "no-request-id", "--jobs", "4")
    rid = result.check("RID-REQUEST-ID")
    assert rid["status"] == "failed"
    # Evidence from the checks that ran on the pool.
    assert {e["check"] for e in rid["evidence"]} - {"RID-REQUEST-ID"}
    names = {
        case.get("name")
        for case in ET.parse(result.report_dir / "junit.xml").getroot().iter("testcase")
    }
    assert {"RID-REQUEST-ID", "RID-APIM-REQUEST-ID", "RL-HEADERS-ABSENT", "MSG-BASIC"} <= names


def test_request_budget_holds_for_the_run_not_per_thread(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "--jobs", "4", "--max-requests", "12")
    assert result.summary["usage"]["requests"] <= 12
    assert result.summary["incomplete"] is True
    assert result.summary["verdict"] != "conformant"
    assert any("budget" in c["reason"] for c in result.summary["checks"])


def test_bad_jobs_value_is_a_configuration_error(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "--jobs", "many")
    assert result.exit_code == 2
    assert "--jobs 'many' is not a number of checks to run at once from 1 to 32" in result.output


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_token_budget_stops_the_run_with_a_partial_report(
    run_cli: Callable[..., CliRun], jobs: str
) -> None:
    full = run_cli("--emulator", "--jobs", jobs)
    stopped = run_cli("--emulator", "--jobs", jobs, "--max-tokens", "60")
    usage = stopped.summary["usage"]
    assert usage["input_tokens"] + usage["output_tokens"] >= 60
    assert usage["requests"] < full.summary["usage"]["requests"]
    # Cut short with nothing failed: incomplete, never a verdict on the endpoint.
    assert (stopped.summary["verdict"], stopped.summary["incomplete"]) == ("incomplete", True)
    assert stopped.exit_code == 5
    held_back = [c for c in stopped.summary["checks"] if c["reason"].startswith("not run: ")]
    assert held_back and all("its budget is 60" in c["reason"] for c in held_back)
    (cause,) = stopped.summary["cut_short"]
    assert cause["cause"] == "budget" and "--max-tokens" in cause["summary"]
    assert "! foundry-conformance: INCOMPLETE" in stopped.output


def test_the_rate_limit_probe_starts_after_every_pooled_check(
    run_cli: Callable[..., CliRun],
) -> None:
    # tight-rate-limit: the platform's quota window is a minute, which the probe would wait out;
    # few pooled checks, so that only the probe is throttled (5 requests per 2 s per pool).
    selected = ("--select", "MSG-BASIC", "--select", "MSG-COUNT-TOKENS", "--select", "RL-429")
    result = run_cli(
        "--emulator", "tight-rate-limit", *selected, "--probe-rate-limit", "--jobs", "4"
    )
    probe = result.check("RL-429")
    assert probe["status"] == "passed", probe
    seqs = {c["id"]: [e["seq"] for e in c["evidence"]] for c in result.summary["checks"]}
    pooled = [
        s for check_id, found in seqs.items() if check_id not in RUN_WIDE_AND_PROBE for s in found
    ]
    assert min(seqs["RL-429"]) > max(pooled)
    # Its 429s are on purpose, after the pool: they narrow nothing and are not blamed on --jobs.
    assert not any("answered 429" in note for note in result.summary["notes"])


@pytest.mark.parametrize(
    "args",
    [
        ("--pyargs", "conformance.suite", "-n", "2"),
        ("--pyargs", "conformance.suite", "-n", "2", "--foundry-emulator", "--foundry-jobs", "4"),
    ],
    ids=["suite", "with-jobs"],
)
def test_pytest_xdist_is_refused_with_the_option_that_replaces_it(
    pytester: pytest.Pytester, args: tuple[str, ...]
) -> None:
    result = pytester.runpytest_subprocess(*args, "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*does not run under pytest-xdist's -n*--foundry-jobs N*"])


def test_the_catalog_s_request_counts_are_what_each_case_sends(
    run_cli: Callable[..., CliRun],
) -> None:
    """--jobs starts the longest checks first by the catalog's counts: keep them true (with the
    quota of an enterprise subscription: the full suite sends more than a pay-as-you-go minute's
    requests to the first deployment)."""
    result = run_cli("--emulator", "enterprise-quota", "--suite", "full")
    for check in result.summary["checks"]:
        expected = BY_ID[check["id"]].requests
        if check["status"] == "skipped" or expected is None:
            continue
        own = [e for e in check["evidence"] if e["check"] == check["id"]]
        assert len(own) == expected, (check["case"], len(own), expected)


def test_a_run_whose_checks_do_not_need_the_sdk_does_not_load_it(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from conformance.cli.main import main\n"
        f"status = main(['run', '--emulator', '--select', 'auth', '--report-dir', {str(tmp_path)!r}])\n"
        "print(status, 'anthropic' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "FOUNDRY_"))}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.stdout.splitlines()[-1] == "0 False", done.stdout[-2000:] + done.stderr[-2000:]


def test_a_throttled_run_goes_on_one_request_at_a_time_and_says_so(
    run_cli: Callable[..., CliRun],
) -> None:
    serial = run_cli("--emulator", "rate-limited", "--jobs", "1")
    concurrent = run_cli("--emulator", "rate-limited", "--jobs", "4")
    assert _outcomes(concurrent) == _outcomes(serial)
    assert any("answered 429 while up to 4 requests" in n for n in concurrent.summary["notes"])
    assert not any("answered 429" in n for n in serial.summary["notes"])


def test_latency_judged_against_thresholds_is_measured_alone(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "slow=0.2", "--jobs", "4", "--max-latency-ms", "5000")
    latency = result.check("PERF-LATENCY")
    assert latency["status"] == "passed", latency
    own = [e for e in latency["evidence"] if e["check"] == "PERF-LATENCY"]
    others = [
        e
        for c in result.summary["checks"]
        if c["id"] not in ("PERF-LATENCY", *RUN_WIDE_AND_PROBE)
        for e in c["evidence"]
        if e["check"] == c["id"]
    ]
    last_other_end = max(e["started_at"] + e["elapsed_ms"] / 1000 for e in others)
    assert min(e["started_at"] for e in own) >= last_other_end


def test_a_budget_spent_under_jobs_skips_what_it_stops_as_a_serial_run_does(
    run_cli: Callable[..., CliRun],
) -> None:
    args = ("--emulator", "--max-requests", "4", "--select", "messages")
    serial = run_cli(*args, "--jobs", "1")
    concurrent = run_cli(*args, "--jobs", "4")
    assert _outcomes(concurrent) == _outcomes(serial)
    assert concurrent.summary["counts"]["errors"] == 0
    assert concurrent.summary["usage"]["requests"] <= 4


def test_a_pool_that_cannot_start_leaves_the_run_to_report_why(
    run_cli: Callable[..., CliRun],
) -> None:
    """Choosing the primary auth spends the whole budget: no internal error, a clean report."""
    result = run_cli("--emulator", "key-auth-disabled", "--max-requests", "1", "--jobs", "4")
    assert result.exit_code == 1, result.output
    assert "INTERNALERROR" not in result.output and "Traceback" not in result.output
    assert result.summary["incomplete"] is True
