"""The verdict block at the end of a run: verdict first, what did not pass, the remedies, where."""

from __future__ import annotations

from pathlib import Path

from conformance.report.terminal import SHOWN_FAILING, verdict_block

from .factory import check, failing_summary, summary


def test_a_conformant_run_says_so_and_where_the_report_is() -> None:
    lines = verdict_block(summary(), Path("reports"))
    assert lines[1] == "✔ foundry-conformance: CONFORMANT"
    assert not any("not passed" in line for line in lines)
    assert lines[-1] == "  report: reports/diagnosis.html"


def test_the_checks_that_did_not_pass_are_named_once_with_each_remedy() -> None:
    run = failing_summary()
    lines = verdict_block(run, Path("out"))
    assert lines[1].startswith("✘ foundry-conformance: NONCONFORMANT")
    failing = [c.id for c in run.checks if c.status in ("failed", "error")]
    (named,) = [line for line in lines if line.startswith("  not passed: ")]
    assert named.removeprefix("  not passed: ").split(", ") == list(dict.fromkeys(failing))
    for entry in run.diagnoses:
        at = lines.index(f"  [{entry.severity}] {entry.code}: {entry.title}")
        assert lines[at + 1] == f"      → {entry.remedy}"


def test_a_long_list_of_failures_is_cut_with_a_count() -> None:
    checks = [check(f"X-{n:02d}", "failed") for n in range(SHOWN_FAILING + 3)]
    lines = verdict_block(summary(checks, verdict="nonconformant"), Path("out"))
    (named,) = [line for line in lines if line.startswith("  not passed: ")]
    assert named.endswith("X-11 and 3 more")
