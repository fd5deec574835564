"""A server that sends the credential back, in every form the adversarial rig found leaking, is
a finding (``credential-echoed``) and leaves no trace: no file, no file name and no line of
output of a live, a record or a replay run holds the key in any form — with pytest's noisiest
channels on (``--showlocals``, ``--tb=long``, DEBUG logs captured and live, ``ANTHROPIC_LOG``),
and with a deployment named like the key (node IDs, cassette names).

Every run goes through the real CLI against ``echo_server`` on loopback. The files are judged by
an oracle written apart from the redactor (``tests/core/leak_oracle.py``) and by the redactor's
own scan; the terminal by both as well.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.core.redaction import Redactor

from ...core.leak_oracle import Oracle
from .conftest import Cli
from .echo_server import echoing
from .helpers import no_traceback

# Mixed case and 40 characters: every rule of the redactor applies (case folding, fragments,
# hex, base64 at three alignments); a valid deployment name too.
KEY = "Echo-Key-DO-NOT-LEAK-3f9c2a7b1e5d4c6a80"
NOISY = (
    "--pytest-arg=--showlocals",
    "--pytest-arg=--tb=long",
    "--pytest-arg=--log-level=DEBUG",
    "--pytest-arg=--log-cli-level=DEBUG",
    "--pytest-arg=-rA",
)
BOUND_S = 240.0


@dataclass(frozen=True)
class Run:
    exit_code: int
    output: str
    report_dir: Path
    elapsed_s: float

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.report_dir / "summary.json").read_text("utf-8"))


def leaks_in(text: str) -> list[str]:
    """How ``text`` still spells the key (empty: it does not), by the oracle and by the scan."""
    found = Oracle(KEY).leaks(text)
    if Redactor([KEY]).contains_secret(text):
        found.append("by the redactor's scan")
    return found


def leaking_files(root: Path) -> dict[str, list[str]]:
    """Every file under ``root`` whose name or content spells the key, and how."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*")):
        name = leaks_in(str(path.relative_to(root)))
        content = leaks_in(path.read_bytes().decode("latin-1")) if path.is_file() else []
        if name or content:
            found[str(path)] = [f"name {how}" for how in name] + content
    return found


def assert_echo_found_and_nothing_leaked(run: Run, root: Path) -> dict[str, Any]:
    assert run.elapsed_s < BOUND_S, f"the run took {run.elapsed_s:.0f} s"
    no_traceback(run.output)
    assert run.exit_code == 1, run.output[-3000:]
    summary = run.summary
    assert summary["verdict"] != "conformant"
    scan = summary["secret_scan"]
    assert scan["withheld"] == [] and scan["clean"] is True, scan
    echoed = [d for d in summary["diagnoses"] if d["code"] == "credential-echoed"]
    assert echoed, [d["code"] for d in summary["diagnoses"]]
    assert echoed[0]["severity"] == "blocker"
    assert any(e.get("request_id") for e in echoed[0]["evidence"]), echoed[0]
    details = json.dumps(echoed[0])
    for place in ("the status line", "a header's name", "the body"):
        assert place in details, details
    assert leaks_in(run.output) == [], [line for line in run.output.splitlines() if leaks_in(line)][
        :5
    ]
    assert leaking_files(root) == {}
    return summary


@pytest.fixture
def server() -> Iterator[str]:
    with echoing(KEY) as base_url:
        yield base_url


@pytest.fixture
def run(
    cli: Callable[..., Cli], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., Run]:
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", KEY)
    counter = iter(range(100))

    def go(*args: str) -> Run:
        report_dir = tmp_path / f"reports-{next(counter)}"
        start = time.monotonic()
        result = cli("run", *args, "--report-dir", str(report_dir))
        return Run(result.exit_code, result.out + result.err, report_dir, time.monotonic() - start)

    return go


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_a_live_run_against_an_echoing_server_finds_it_and_leaks_nothing(
    run: Callable[..., Run], server: str, tmp_path: Path, jobs: str
) -> None:
    result = run("--base-url", server, "--deployment", "claude-sonnet-4-5", "--jobs", jobs, *NOISY)
    summary = assert_echo_found_and_nothing_leaked(result, tmp_path)
    # The channels were on, and showed what they show (redacted): DEBUG records, locals.
    assert "[REDACTED]" in result.output
    assert "DEBUG" in result.output
    html = (result.report_dir / "pytest-report.html").read_text("utf-8")
    assert "[REDACTED]" in html
    assert sum(summary["counts"].values()) > 10, summary["counts"]


def test_a_deployment_named_like_the_key_leaks_it_nowhere_recorded_or_replayed(
    run: Callable[..., Run], server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cassettes = tmp_path / "cassettes" / "echo"
    recorded = run(
        "--mode", "record", "--base-url", server, "--cassettes", str(cassettes),
        "--deployment", KEY, *NOISY,
    )  # fmt: skip
    assert_echo_found_and_nothing_leaked(recorded, tmp_path)
    names = [path.name for path in cassettes.iterdir()]
    assert any(name.endswith(".yaml") and "[REDACTED]" in name for name in names), names
    outcomes = {c["case"]: c["status"] for c in recorded.summary["checks"]}

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a replay opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    replayed = run("--mode", "replay", "--cassettes", str(cassettes), *NOISY)
    assert_echo_found_and_nothing_leaked(replayed, tmp_path)
    assert {c["case"]: c["status"] for c in replayed.summary["checks"]} == outcomes


def test_the_sdks_own_debug_log_leaks_nothing_in_a_process_of_its_own(
    server: str, tmp_path: Path
) -> None:
    """``ANTHROPIC_LOG=debug`` is read when the SDK is imported: a process of its own, whose
    stdout and stderr are the whole of what a terminal or a CI log would keep."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ANTHROPIC_", "FOUNDRY_CONFORMANCE_", "AZURE_"))
    }
    env |= {"ANTHROPIC_FOUNDRY_API_KEY": KEY, "ANTHROPIC_LOG": "debug", "PYTHONUTF8": "1"}
    report_dir = tmp_path / "reports"
    command = [
        sys.executable, "-m", "conformance.cli", "run", "--base-url", server,
        "--deployment", "claude-sonnet-4-5", "--select", "sdk", "--select", "MSG-BASIC",
        "--report-dir", str(report_dir), "--pytest-arg=--log-cli-level=DEBUG",
    ]  # fmt: skip
    start = time.monotonic()
    done = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=BOUND_S
    )
    result = Run(done.returncode, done.stdout + done.stderr, report_dir, time.monotonic() - start)
    assert "Request options" in result.output  # the SDK logged its requests
    assert_echo_found_and_nothing_leaked(result, tmp_path)
