"""One number, every output: the terminal's verdict block, diagnosis.html, summary.json,
junit.xml and support-ticket.md of real runs (the CLI in-process, the emulator over loopback, the
shipped cassettes) agree on every figure they share.

One run per scenario serves the whole module.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from conformance.cli.main import main
from tests.foundry_env import FOUNDRY_VARIABLES

from .outputs import (
    HtmlFigures,
    JunitFigures,
    TerminalFigures,
    TicketFigures,
    html_figures,
    junit_figures,
    summary_cases,
    tally,
    terminal_figures,
    ticket_figures,
)

SHIPPED = Path(__file__).resolve().parents[2] / "cassettes" / "emulator-default"
# A variable of the harness's environment, named in a text.
VARIABLE = re.compile(r"\b(?:ANTHROPIC_FOUNDRY|FOUNDRY_CONFORMANCE)_[A-Z_]+\b")

SCENARIOS: dict[str, tuple[str, ...]] = {
    "conformant": ("--emulator",),
    "api-key-rejected": ("--emulator", "api-key-rejected"),
    "could-not-judge": ("--emulator", "server-error"),  # a check ends "error"
    "replay": ("--mode", "replay", "--cassettes", str(SHIPPED)),
}


@dataclass
class Outputs:
    """Everything one run showed: each output read back on its own."""

    exit_code: int
    summary: dict[str, Any]
    terminal: TerminalFigures
    html: HtmlFigures
    junit: JunitFigures
    ticket: TicketFigures
    ticket_text: str


def run(base: Path, *args: str) -> Outputs:
    """``foundry-conformance run ARGS`` from ``base`` with no Foundry variable set."""
    out, err = io.StringIO(), io.StringIO()
    reports = base / "reports"
    with pytest.MonkeyPatch.context() as env:
        for name in FOUNDRY_VARIABLES:
            env.delenv(name, raising=False)
        env.chdir(base)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["run", *args, "--report-dir", str(reports)])
    ticket = (reports / "support-ticket.md").read_text("utf-8")
    return Outputs(
        exit_code=code,
        summary=json.loads((reports / "summary.json").read_text("utf-8")),
        terminal=terminal_figures(out.getvalue() + err.getvalue()),
        html=html_figures((reports / "diagnosis.html").read_text("utf-8")),
        junit=junit_figures((reports / "junit.xml").read_text("utf-8")),
        ticket=ticket_figures(ticket),
        ticket_text=ticket,
    )


@pytest.fixture(scope="module", params=list(SCENARIOS))
def outputs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    """One run of the scenario, read back from every output."""
    return run(tmp_path_factory.mktemp(request.param), *SCENARIOS[request.param])


@pytest.fixture(scope="module")
def live_and_replay(tmp_path_factory: pytest.TempPathFactory) -> tuple[Outputs, Outputs]:
    """The standard suite against the emulator, and the shipped recording of it replayed."""
    live = run(tmp_path_factory.mktemp("live"), *SCENARIOS["conformant"])
    replay = run(tmp_path_factory.mktemp("replayed"), *SCENARIOS["replay"])
    return live, replay


@pytest.fixture(scope="module")
def aged_replay(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    """The shipped recording, relabelled as recorded 5 days 14 hours ago (5.6 rounds to 6)."""
    base = tmp_path_factory.mktemp("aged")
    cassettes = Path(shutil.copytree(SHIPPED, base / "cassettes"))
    meta = json.loads((cassettes / "metadata.json").read_text("utf-8"))
    recorded = datetime.now(UTC) - timedelta(days=5, hours=14)
    meta["recorded_at"] = recorded.isoformat(timespec="seconds")
    (cassettes / "metadata.json").write_text(json.dumps(meta), "utf-8")
    return run(base, "--mode", "replay", "--cassettes", str(cassettes))


# -- the checks: passed / failed / errors / skipped -------------------------------------------


def test_the_check_counts_agree_in_every_output(outputs: Outputs) -> None:
    counts = outputs.summary["counts"]
    statuses = [c["status"] for c in outputs.summary["checks"]]
    assert tally(statuses) == counts
    assert outputs.terminal.counts == counts
    assert outputs.html.counts == counts
    assert tally([status for _, status, _ in outputs.html.checks]) == counts
    assert outputs.html.skipped_sentence == (counts["skipped"] or None)
    junit = outputs.junit.totals
    assert (junit["failures"], junit["errors"], junit["skipped"]) == (
        counts["failed"],
        counts["errors"],
        counts["skipped"],
    )
    assert junit["tests"] == sum(counts.values())
    assert outputs.ticket.judged == counts["failed"] + counts["errors"]
    assert outputs.terminal.verdict == outputs.summary["verdict"]


def test_each_case_has_one_status_in_the_summary_the_page_and_junit(outputs: Outputs) -> None:
    cases = summary_cases(outputs.summary)
    assert len(cases) == len(outputs.summary["checks"]), "case labels are unique"
    assert outputs.junit.cases == cases
    assert {label: status for label, status, _ in outputs.html.checks} == cases


# -- the requests: how many, which, whose -----------------------------------------------------


def test_the_request_count_agrees_in_every_output(outputs: Outputs) -> None:
    usage = outputs.summary["usage"]
    requests = outputs.summary["requests"]
    seqs = [e["seq"] for e in requests]
    assert seqs == list(range(1, usage["requests"] + 1)), "every request, numbered as sent"
    assert sum(row["requests"] for row in usage["by_check"].values()) == usage["requests"]
    totals = (usage["requests"], usage["input_tokens"], usage["output_tokens"])
    assert outputs.terminal.totals == totals
    assert outputs.html.totals == totals
    assert outputs.html.toc["Correlation IDs"] == usage["requests"]
    assert [seq for seq, _ in outputs.html.correlation] == seqs


def test_each_request_is_attributed_alike_by_the_page_and_the_summary(outputs: Outputs) -> None:
    usage = outputs.summary["usage"]
    by_check = {
        name: (row["requests"], row["input_tokens"], row["output_tokens"])
        for name, row in usage["by_check"].items()
    }
    assert outputs.html.usage_by_check == by_check
    senders: dict[str, int] = {}
    for _, sender in outputs.html.correlation:
        key = "run" if sender.startswith("run") else sender
        senders[key] = senders.get(key, 0) + 1
    assert senders == {name: row[0] for name, row in by_check.items()}
    # The run's own requests are the inventory and the auth choice, no check's.
    own = [e for e in outputs.summary["requests"] if e["check"] is None]
    assert {e["run_step"] for e in own} <= {"discovery", "primary-auth"}
    assert len(own) == by_check.get("run", (0,))[0]


def test_each_case_s_requests_agree_in_the_summary_the_page_and_junit(outputs: Outputs) -> None:
    per_case = {
        label: check["requests"]
        for label, check in zip(
            summary_cases(outputs.summary), outputs.summary["checks"], strict=True
        )
    }
    assert {label: n for label, _, n in outputs.html.checks} == per_case
    assert outputs.junit.requests == per_case
    per_check: dict[str, int] = {}
    for check in outputs.summary["checks"]:
        per_check[check["id"]] = per_check.get(check["id"], 0) + check["requests"]
    by_check = outputs.summary["usage"]["by_check"]
    assert {k: v for k, v in per_check.items() if v} == {
        k: row["requests"] for k, row in by_check.items() if k != "run"
    }


def test_the_ticket_lists_the_same_requests_when_nothing_failed(outputs: Outputs) -> None:
    if outputs.ticket.judged:
        pytest.skip("a failing run's ticket lists its failing requests instead")
    listed = outputs.ticket.correlation
    assert len(listed) + outputs.ticket.more == outputs.summary["usage"]["requests"]
    assert listed == outputs.html.correlation[: len(listed)]  # same seqs, same senders


# -- the diagnoses ----------------------------------------------------------------------------


def test_the_diagnoses_agree_in_every_output(outputs: Outputs) -> None:
    codes = [d["code"] for d in outputs.summary["diagnoses"]]
    assert outputs.terminal.diagnoses == codes
    assert sorted(outputs.html.diagnoses) == sorted(codes)
    assert outputs.html.toc["Diagnoses"] == len(codes)
    assert sorted(outputs.ticket.diagnoses) == sorted(codes)
    assert outputs.html.ticket == outputs.ticket_text


# -- latency and time to first token ----------------------------------------------------------


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f} ms"


def test_no_time_to_first_token_exceeds_its_own_request_s_total(outputs: Outputs) -> None:
    streams = [e for e in outputs.summary["requests"] if e["ttft_ms"] is not None]
    stream_check = next(c for c in outputs.summary["checks"] if c["id"] == "MSG-STREAM")
    assert streams or stream_check["status"] != "passed", "a stream that passed was timed"
    assert all(e["ttft_ms"] <= e["elapsed_ms"] for e in streams), streams
    for name, props in outputs.junit.properties.items():
        if name.startswith("PERF-LATENCY") and "ttft_ms" in props:
            assert float(props["ttft_ms"]) <= float(props["stream_ms"]), props


def test_the_page_shows_the_summary_s_latency(outputs: Outputs) -> None:
    for name, latency in outputs.summary["latency"].items():
        row = outputs.html.deployments[name]
        assert row["Median latency"] == _ms(latency["median_ms"])
        assert row["Worst latency"] == _ms(latency["max_ms"])
        if latency["ttft_ms"] is None:
            assert row["Time to first token"] == "—"
            continue
        assert latency["ttft_ms"] <= latency["stream_ms"]
        expected = f"{_ms(latency['ttft_ms'])} of {_ms(latency['stream_ms'])}"
        assert row["Time to first token"] == expected
    for name, row in outputs.summary["usage"]["by_deployment"].items():
        cells = outputs.html.deployments[name]
        assert (cells["Requests"], cells["Input tokens"], cells["Output tokens"]) == (
            str(row["requests"]),
            str(row["input_tokens"]),
            str(row["output_tokens"]),
        )


# -- a replay: its age, and skips that are true for whoever replays ---------------------------


def test_the_recording_s_age_reads_the_same_everywhere(aged_replay: Outputs) -> None:
    assert aged_replay.summary["target"]["recording_age_days"] == 5
    said = {
        "terminal": aged_replay.terminal.target,
        "html": aged_replay.html.target["Recording"],
        "ticket": aged_replay.ticket_text,
        "notes": " ".join(aged_replay.summary["notes"]),
    }
    for where, text in said.items():
        ages = set(re.findall(r"(\d+) days? (?:before this replay|ago)", text))
        assert ages <= {"5"}, (where, text)
    assert "5 days before this replay" in said["terminal"]
    assert "5 days before this replay" in said["html"]
    assert "5 days before this replay" in said["ticket"]


def test_a_replay_skips_only_what_its_recording_lacked_and_says_so(
    live_and_replay: tuple[Outputs, Outputs],
) -> None:
    live, replay = live_and_replay
    skipped = {
        name: {c["case"]: c["reason"] for c in o.summary["checks"] if c["status"] == "skipped"}
        for name, o in (("live", live), ("replay", replay))
    }
    extra = set(skipped["replay"]) - set(skipped["live"])
    # The shipped set was recorded with an Entra ID token for one scope (scripts/).
    assert {case.split("::")[-1] for case in extra} <= {
        "test_token_for_the_other_scope_is_accepted"
    }
    for case in extra:
        assert skipped["replay"][case].startswith("not recorded: these cassettes were recorded")
        assert "re-record" in skipped["replay"][case]
    for case, reason in skipped["replay"].items():
        assert not VARIABLE.search(reason), (case, reason)
