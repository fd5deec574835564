"""What the terminal shows of a run: the suite's own file names, the skips folded by reason,
and the verdict block last, with the counts pytest's line shares."""

from __future__ import annotations

import re
from collections.abc import Callable

from conformance.suite import test_rules

from .conftest import CliRun


def test_progress_names_the_suite_files_not_a_path_into_the_installation(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "--suite", "smoke", "--jobs", "1")
    assert re.search(r"^test_endpoint\.py \.\.", result.output, re.MULTILINE), result.output
    assert "conformance/suite/test_" not in result.output
    # Nor a warning of pytest's about modules the harness imported before it (anyio, by httpx).
    assert "warnings summary" not in result.output and "Warning" not in result.output


def test_skips_are_folded_by_reason_above_the_verdict(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "--jobs", "1")
    lines = result.output.splitlines()
    assert not any(line.startswith("SKIPPED") for line in lines), result.output
    skipped = result.summary["counts"]["skipped"]
    head = lines.index(f"{skipped} skipped:")
    folded = lines[head + 1 : lines.index("", head)]
    assert folded == [
        "  documented as supported on every hosting option that offers the model: confirmed in "
        "--suite full; the standard suite probes what the platform profile leaves open (33: "
        "CAP-STREAMING, CAP-TOOLS, CAP-THINKING-DISABLED, CAP-EFFORT, CAP-SYSTEM-MIDCONV, "
        "CAP-IMAGES and 5 more)",
        "  accepting it costs tokens, so it is probed in --suite full (the standard suite probes "
        "the refusals, which cost nothing) (9: RULE-THINKING, RULE-EFFORT, RULE-SYSTEM-MIDCONV)",
        "  opt-in probe, not part of the standard suite: run it with --suite full "
        "(8: AUTH-RBAC, RL-429, CAP-CACHING-5M, CAP-CACHING-1H)",
        "  spends a thinking budget (up to about a thousand tokens): probed in --suite full "
        "(6: CAP-THINKING-ADAPTIVE, CAP-THINKING-ENABLED)",
    ]
    assert sum(int(re.findall(r"\((\d+):", line)[0]) for line in folded) == skipped


def test_pytest_s_own_skip_list_points_at_the_check_s_line(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "--select", "RULE-EFFORT", "--pytest-arg=-rs", "--jobs", "1")
    skipped = [line for line in result.output.splitlines() if line.startswith("SKIPPED")]
    assert skipped, result.output
    # At the check's own line, not at the suite helper's or the plugin's that raised the skip.
    line = test_rules.test_effort_levels_hold_as_documented.__code__.co_firstlineno
    assert {re.sub(r": .*", "", text) for text in skipped} == {f"SKIPPED [1] test_rules.py:{line}"}


def test_a_failing_run_ends_on_the_verdict_block_whose_counts_pytest_s_line_shares(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "api-key-rejected")
    lines = result.output.rstrip("\n").splitlines()
    start = lines.index("✘ foundry-conformance: NONCONFORMANT")
    block = lines[start:]
    assert block[-1] == f"  report: {result.report_dir / 'diagnosis.html'}"
    assert not any(line.startswith("=") for line in block), block  # pytest has spoken before
    counts = result.summary["counts"]
    assert (
        f"  checks: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['errors']} errors, {counts['skipped']} skipped"
    ) in block
    pytest_line = next(line for line in reversed(lines[:start]) if line.startswith("="))
    assert (
        f" {counts['failed']} failed, {counts['passed']} passed, {counts['skipped']} skipped"
        in (pytest_line)
    )


def test_checks_that_could_not_judge_are_errors_for_pytest_too(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "garbage", "--jobs", "1")
    counts = result.summary["counts"]
    assert counts["errors"] > 0, counts
    pytest_line = next(line for line in result.output.splitlines() if re.match(r"=+ \d", line))
    assert (
        f" {counts['failed']} failed, {counts['passed']} passed, {counts['skipped']} skipped, "
        f"{counts['errors']} errors in "
    ) in pytest_line


def test_bad_jobs_value_is_a_configuration_error(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "--jobs", "many")
    assert result.exit_code == 2
    assert "--jobs 'many' is not a number of checks to run at once from 1 to 32" in result.output
