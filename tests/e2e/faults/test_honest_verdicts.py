"""Honest verdicts: a run that could not judge is never green, a skip always says why, and the
report says when its answers came from the emulator or from a recording, and how old that is."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.emulator import parse_profiles
from conformance.emulator.server import EmulatorServer

from ..conftest import CliRun
from .helpers import no_traceback

REPO = Path(__file__).resolve().parents[3]
SHIPPED = REPO / "cassettes" / "emulator-default"
WRONG_KEY = "wrong-key-0000000000000000000000"


def page_text(result: CliRun) -> str:
    """``diagnosis.html`` as a reader sees it: tags dropped, entities decoded, spaces folded."""
    page = (result.report_dir / "diagnosis.html").read_text("utf-8")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _skipped(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return [check for check in summary["checks"] if check["status"] == "skipped"]


# -- never green when nothing could be judged ----------------------------------------------------


def test_a_run_whose_checks_errored_is_not_green(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "reset-midstream", "--select", "MSG-BASIC,MSG-STREAM")
    counts = result.summary["counts"]
    assert (counts["passed"], counts["failed"], counts["errors"]) == (1, 0, 1)
    assert (result.summary["verdict"], result.exit_code) == ("nonconformant", 1)
    assert "NONCONFORMANT" in result.output


@pytest.mark.parametrize(
    ("profile", "auth", "code"),
    [
        ("default", ("--auth", "x-api-key"), "invalid-api-key"),
        ("default", (), "invalid-api-key"),  # both key headers, both refused
        ("key-auth-disabled", ("--auth", "x-api-key"), "key-auth-disabled"),
    ],
    ids=["wrong-key-x-api-key", "wrong-key-both-headers", "key-auth-disabled"],
)
def test_every_authenticated_request_refused_is_misconfigured_never_green(
    profile: str,
    auth: tuple[str, ...],
    code: str,
    run_cli: Callable[..., CliRun],
    clean_env: pytest.MonkeyPatch,
) -> None:
    """A standalone emulator that accepts only its own key, and a run with another one."""
    key = WRONG_KEY if profile == "default" else None
    with EmulatorServer(parse_profiles(profile)) as server:
        clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", key or server.api_key)
        result = run_cli("--base-url", server.base_url, *auth)
    no_traceback(result.output)
    summary = result.summary
    assert (summary["verdict"], result.exit_code) == ("misconfigured", 1)
    assert "foundry-conformance: MISCONFIGURED" in result.output
    assert "Every authenticated request was refused" in result.output
    assert code in {d["code"] for d in summary["diagnoses"]}
    assert summary["counts"]["failed"] + summary["counts"]["errors"] > 0
    # The checks that expect a refusal did pass: the verdict is not a blanket failure.
    assert next(c for c in summary["checks"] if c["id"] == "AUTH-MISSING")["status"] == "passed"
    assert WRONG_KEY not in result.output


# -- skips are listed with their reason, in the JSON and on the page -----------------------------


def test_every_skipped_check_is_listed_with_its_reason(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "--auth", "x-api-key")
    skipped = _skipped(result.summary)
    ids = {check["id"] for check in skipped}
    assert {"AUTH-API-KEY", "AUTH-ENTRA", "AUTH-ENTRA-ALT-SCOPE", "SDK-ENTRA"} <= ids
    assert {"AUTH-RBAC", "RL-429"} <= ids  # the opt-in probes
    assert result.summary["counts"]["skipped"] == len(skipped)
    text = page_text(result)
    assert f"{len(skipped)} checks skipped, each with the reason it could not run here" in text
    for check in skipped:
        assert check["reason"].strip(), check
        # The page shows each reason beside its check (inline code loses its backticks).
        assert f"Skipped: {check['reason'].replace('`', '')}" in text, check["reason"]
    assert result.exit_code == 0


def test_checks_not_run_for_the_budget_are_skipped_with_the_budget_named(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "--max-requests", "6")
    summary = result.summary
    not_run = [c for c in _skipped(summary) if c["reason"].startswith("not run: ")]
    assert not_run, summary["counts"]
    assert all("--max-requests" in c["reason"] for c in not_run)
    assert (summary["verdict"], summary["incomplete"], result.exit_code) == ("incomplete", True, 5)
    (cause,) = summary["cut_short"]
    assert cause["cause"] == "budget" and "--max-requests" in cause["summary"]
    assert len(cause["checks"]) == len(not_run)
    text = page_text(result)
    assert all(f"Skipped: {c['reason']}" in text for c in not_run)
    assert f"Cut short: the budget was spent {cause['summary']}" in text


# -- the report says where its answers came from --------------------------------------------------


def test_an_emulator_run_says_it_proves_nothing_about_azure(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "done-sentinel", "--select", "MSG-BASIC")
    assert result.summary["target"]["kind"] == "emulator"
    assert result.summary["target"]["emulator_profile"] == "done-sentinel"
    assert "the embedded emulator (done-sentinel) — proves nothing about Azure" in result.output
    text = page_text(result)
    assert "Emulator run: this proves nothing about Azure" in text
    assert "profile: done-sentinel" in text
    ticket = (result.report_dir / "support-ticket.md").read_text("utf-8")
    assert "EMULATOR RUN — this proves nothing about Azure" in ticket


def _replay(run_cli: Callable[..., CliRun], tmp_path: Path, **metadata_changes: Any) -> CliRun:
    cassettes = Path(shutil.copytree(SHIPPED, tmp_path / "set"))
    meta_path = cassettes / "metadata.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    meta_path.write_text(json.dumps({**meta, **metadata_changes}), "utf-8")
    return run_cli(
        "--mode", "replay", "--cassettes", str(cassettes), "--select", "MSG-BASIC",
        "--max-cassette-age", "45",
    )  # fmt: skip


def test_a_replay_of_an_emulator_recording_says_both(
    run_cli: Callable[..., CliRun], tmp_path: Path
) -> None:
    result = _replay(run_cli, tmp_path)
    target = result.summary["target"]
    assert (target["kind"], target["emulator_profile"]) == ("replay", "default")
    assert target["recorded_at"]
    assert "from the embedded emulator (default) — proves nothing about Azure" in result.output
    text = page_text(result)
    assert "Replay of an emulator recording: this proves nothing about Azure" in text
    assert "recorded from the embedded Foundry emulator (profile: default)" in text
    assert re.search(r"Recording recorded \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, ", text)
    ticket = (result.report_dir / "support-ticket.md").read_text("utf-8")
    assert "REPLAY OF AN EMULATOR RECORDING — this proves nothing about Azure" in ticket


def test_a_replay_of_an_old_live_recording_says_how_old(
    run_cli: Callable[..., CliRun], tmp_path: Path
) -> None:
    result = _replay(run_cli, tmp_path, source="live", recorded_at="2020-01-01T00:00:00+00:00")
    target = result.summary["target"]
    assert (target["kind"], target["emulator_profile"]) == ("replay", None)
    assert target["recorded_at"] == "2020-01-01T00:00:00+00:00"
    text = page_text(result)
    assert "Replay of recorded traffic: no request reached Azure" in text
    days = re.search(r"recorded 2020-01-01 00:00:00 UTC, (\d+) days before this replay", text)
    assert days and int(days.group(1)) > 365, text[:2000]
    assert "more than --max-cassette-age 45 days" in result.output
    assert any("more than --max-cassette-age 45 days" in n for n in result.summary["notes"])
    ticket = (result.report_dir / "support-ticket.md").read_text("utf-8")
    assert "REPLAY — no request reached Azure in this run" in ticket
