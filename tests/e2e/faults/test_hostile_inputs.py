"""Hostile inputs through the real CLI: a server that answers JSON 100,000 levels deep, a gzip
bomb or a stream event of 50 MB, a cassette set whose metadata.json is that deep, and a cassette
that is a YAML alias bomb. Each run ends within its bound and without a traceback, with an honest
verdict or one clear error naming the file and the field; the runs whose memory is at stake run in
a subprocess whose peak memory is measured.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.hostile import Behaviour, gzip_bomb, gzip_bombing, hostile_server, huge_event

from ..conftest import CliRun
from .echo_server import serving
from .helpers import INTERNAL_ERROR, no_traceback, timed

REPO = Path(__file__).resolve().parents[3]
SHIPPED = REPO / "cassettes" / "emulator-default"
SCRIPT = Path(sys.executable).with_name("foundry-conformance")
KEY = "hostile-inputs-key-0123456789abcdef"
DEEP = 100_000
BOUND_S = 60.0  # each run here takes a few seconds; a hang or an expansion takes far longer
# The CLI with pytest, vcrpy and the SDK loaded is ~120 MB; the alias bomb, expanded, took 7.7 GB.
MAX_RSS_KB = 600 * 1024
# A live run that meets a body at its bounds holds at most a few MiB more than one that does not
# (measured: ~115 MB). Unbounded, a 1 GiB gzip bomb took 3.5 GB and a 50 MB stream event 450 MB.
MAX_LIVE_RSS_KB = 300 * 1024


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


# -- a hostile server on loopback -------------------------------------------------------------


@contextmanager
def answering(status: int, body: bytes) -> Iterator[str]:
    """A loopback server answering every request with ``status`` and the JSON ``body``; yields
    its base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("request-id", "req_hostile")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with serving(Handler) as base_url:
        yield base_url


def _deep_run(
    run_cli: Callable[..., CliRun], env: pytest.MonkeyPatch, status: int, depth: int
) -> tuple[CliRun, float]:
    env.setenv("ANTHROPIC_FOUNDRY_API_KEY", KEY)
    with answering(status, nested(depth)) as base_url:
        # It answers every default name (so the run tests all of them) and every probe with 200
        # and no usage (so each is charged the tokens it asked for): more than the default
        # ceilings let through in a minute; this server is nobody's quota.
        unpaced = ("--max-rpm", "100000", "--max-itpm", "100000000", "--max-otpm", "100000000")
        return timed(run_cli, "--base-url", base_url, "--auth", "x-api-key", *unpaced)


def _by_id(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["id"]: check for check in summary["checks"]}


def test_a_body_100k_levels_deep_is_a_malformed_response_not_a_crash(
    run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch
) -> None:
    result, elapsed = _deep_run(run_cli, clean_env, 200, DEEP)
    assert elapsed < BOUND_S
    no_traceback(result.output)
    for name in ("summary.json", "diagnosis.html", "support-ticket.md"):
        assert (result.report_dir / name).is_file(), name
    summary = result.summary
    assert (summary["verdict"], result.exit_code) == ("nonconformant", 1)
    assert "malformed-response" in {d["code"] for d in summary["diagnoses"]}
    checks = _by_id(summary)
    basic = checks["MSG-BASIC"]
    assert basic["status"] == "failed"
    assert basic["reason"].startswith(
        "the answer is not JSON ($[0][0][0][0][0][0][0][0][0][0]…(52 more levels)…[0][0] nests "
        "deeper than 64 levels): HTTP 200 [[[["
    )
    assert "malformed-response" in basic["diagnoses"]
    for check in summary["checks"]:
        assert "RecursionError" not in check["reason"], check
        assert not INTERNAL_ERROR.search(check["reason"]), check


def test_the_sdk_check_calls_a_body_100k_deep_malformed_too(
    run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch
) -> None:
    result, _ = _deep_run(run_cli, clean_env, 200, DEEP)
    sdk = _by_id(result.summary)["SDK-FOUNDRY"]
    assert not INTERNAL_ERROR.search(sdk["reason"]), sdk["reason"]
    assert "malformed-response" in sdk["diagnoses"]


def test_an_error_body_1500_deep_leaves_the_report_written(
    run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch
) -> None:
    result, elapsed = _deep_run(run_cli, clean_env, 400, 1500)
    assert elapsed < BOUND_S
    no_traceback(result.output)
    assert (result.report_dir / "diagnosis.html").is_file()


# -- hostile bodies, met by a run in a subprocess whose memory is measured ------------------------


def _live_bounded(behaviour: Behaviour, tmp_path: Path, *checks: str) -> tuple[Bounded, Any]:
    """A live run of ``checks`` against a server playing ``behaviour``, and its summary."""
    with hostile_server(behaviour) as server:
        args = [
            "run", "--base-url", server.base_url, "--auth", "x-api-key",
            "--deployment", "claude-sonnet-4-6", "--report-dir", str(tmp_path / "reports"),
            *(f"--select={check}" for check in checks),
        ]  # fmt: skip
        result = run_bounded(args, tmp_path, {"ANTHROPIC_FOUNDRY_API_KEY": KEY})
    no_traceback(result.output)
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text("utf-8"))
    return result, summary


def test_a_gzip_bomb_is_read_in_bounded_memory_by_the_harness_and_the_sdk(
    tmp_path: Path,
) -> None:
    gzip_bomb(256)  # made before the run starts (a second or two), not while it waits
    result, summary = _live_bounded(gzip_bombing(256), tmp_path, "MSG-BASIC", "SDK-FOUNDRY")
    assert result.max_rss_kb < MAX_LIVE_RSS_KB, result.max_rss_kb
    assert result.code == 1, result.output[-2000:]
    limit = "the answer's body decodes to more than 32 MiB, more than the harness reads"
    checks = _by_id(summary)
    for check_id in ("MSG-BASIC", "SDK-FOUNDRY"):
        assert checks[check_id]["status"] == "error"
        assert limit in checks[check_id]["reason"], checks[check_id]["reason"]
        assert "malformed-response" in checks[check_id]["diagnoses"]


def test_a_50_mb_stream_event_is_read_in_bounded_memory_by_the_harness_and_the_sdk(
    tmp_path: Path,
) -> None:
    result, summary = _live_bounded(huge_event(50), tmp_path, "MSG-STREAM", "SDK-STREAM")
    assert result.max_rss_kb < MAX_LIVE_RSS_KB, result.max_rss_kb
    assert result.code == 1, result.output[-2000:]
    checks = _by_id(summary)
    for check_id in ("MSG-STREAM", "SDK-STREAM"):
        reason = checks[check_id]["reason"]
        assert "an event of the stream is larger than 4 MiB" in reason, reason
        assert "malformed-response" in checks[check_id]["diagnoses"]


# -- hostile cassette sets, replayed in a subprocess whose memory is measured ---------------------


@dataclass(frozen=True)
class Bounded:
    """How a subprocess ended: its exit status, its output, and its peak resident memory."""

    code: int
    output: str
    max_rss_kb: int


def run_bounded(args: list[str], cwd: Path, extra_env: dict[str, str] | None = None) -> Bounded:
    """``foundry-conformance ARGS`` in a subprocess, killed after ``BOUND_S``, and its own peak
    memory: ``VmHWM`` from ``/proc`` where there is one, read until it exits (the rusage of a
    child counts the memory its parent had when it started it: this test process's, which the
    hostile servers of other tests may have grown past the bound), else ``os.wait4``'s."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "FOUNDRY_"))}
    env.update(extra_env or {})
    log = cwd / "output.txt"
    with log.open("wb") as out:
        child = subprocess.Popen([str(SCRIPT), *args], cwd=cwd, env=env, stdout=out, stderr=out)
        killer = threading.Timer(BOUND_S, child.kill)
        killer.start()
        peak = _PeakMemory(child.pid)
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
            peak.stop()
        child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode != -9, f"killed after {BOUND_S} s: a hang"
    return Bounded(child.returncode, log.read_text("utf-8", "replace"), peak.kb or usage.ru_maxrss)


class _PeakMemory:
    """The high-water mark of a process's resident memory (``VmHWM``), read every 20 ms on a
    thread until it exits; 0 where ``/proc`` has none."""

    def __init__(self, pid: int) -> None:
        self.kb = 0
        self._status = Path(f"/proc/{pid}/status")
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.is_set():
            try:
                text = self._status.read_text()
            except OSError:
                return
            found = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
            if found is None:  # a zombie: it has exited
                return
            self.kb = max(self.kb, int(found.group(1)))
            self._done.wait(0.02)

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=5)


def _set(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SHIPPED, tmp_path / "set"))


def _replay_args(cassettes: Path, tmp_path: Path) -> list[str]:
    return [
        "run", "--mode", "replay", "--cassettes", str(cassettes), "--max-cassette-age", "100000",
        "--report-dir", str(tmp_path / "reports"),
    ]  # fmt: skip


def _replay(cassettes: Path, tmp_path: Path) -> Bounded:
    return run_bounded(_replay_args(cassettes, tmp_path), tmp_path)


def test_a_replay_of_metadata_100k_deep_is_a_configuration_error_naming_the_field(
    tmp_path: Path,
) -> None:
    cassettes = _set(tmp_path)
    data = json.loads((cassettes / "metadata.json").read_text("utf-8"))
    data["cases"] = "PLACEHOLDER"
    text = json.dumps(data).replace('"PLACEHOLDER"', nested(DEEP).decode())
    (cassettes / "metadata.json").write_text(text, "utf-8")
    result = _replay(cassettes, tmp_path)
    assert result.code == 2, result.output[-2000:]
    no_traceback(result.output)
    assert (
        f"foundry-conformance: configuration error: {cassettes / 'metadata.json'} is corrupt: "
        "$.cases[0][0][0][0][0][0][0][0][0]…(52 more levels)…[0][0] nests deeper than 64 levels."
    ) in result.output
    assert not (tmp_path / "reports").exists()  # nothing ran
    assert result.max_rss_kb < MAX_RSS_KB, result.max_rss_kb


def billion_laughs() -> str:
    """A 1 KB cassette whose request headers expand to 10**9 strings."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    lines += [
        "interactions:",
        "- request:",
        "    method: POST",
        "    uri: https://x/anthropic/v1/messages",
        "    body: '{}'",
        "    headers: {x-lol: *a9}",
        "  response:",
        "    status: {code: 200, message: OK}",
        "    headers: {x-lol: *a9}",
        "    body: {string: '{}'}",
        "version: 1",
    ]
    return "\n".join(lines) + "\n"


def test_a_replay_with_an_alias_bomb_cassette_errs_that_check_in_bounded_memory(
    tmp_path: Path,
) -> None:
    cassettes = _set(tmp_path)
    bomb = cassettes / "MSG-BASIC.yaml"
    bomb.write_text(billion_laughs(), "utf-8")
    assert bomb.stat().st_size < 1024
    result = _replay(cassettes, tmp_path)
    no_traceback(result.output)
    assert result.max_rss_kb < MAX_RSS_KB, result.max_rss_kb
    assert result.code == 1, result.output[-2000:]
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text("utf-8"))
    checks = _by_id(summary)
    reason = checks["MSG-BASIC"]["reason"]
    assert checks["MSG-BASIC"]["status"] == "error"
    assert re.search(
        rf"The cassette {re.escape(str(bomb))} cannot be replayed: it uses 92 YAML aliases that "
        r"expand to over 1,000,000 nodes: it is not a cassette this harness wrote\. Re-record",
        reason,
    ), reason
    # The other cassettes of the set replay as recorded.
    assert checks["MSG-STREAM"]["status"] == "passed"
    assert checks["MSG-COUNT-TOKENS"]["status"] == "passed"


def test_a_recorded_request_body_5000_deep_is_a_clear_miss_not_a_recursion_error(
    tmp_path: Path,
) -> None:
    cassettes = _set(tmp_path)
    path = cassettes / "MSG-BASIC.yaml"
    text = path.read_text("utf-8")
    body = re.search(r"^    body: (.*)$", text, re.MULTILINE)
    assert body is not None
    deep = nested(5000).decode()
    path.write_text(text[: body.start(1)] + f"'{deep}'" + text[body.end(1) :], "utf-8")
    args = ["--select", "MSG-BASIC"]
    result = run_bounded([*_replay_args(cassettes, tmp_path), *args], tmp_path)
    no_traceback(result.output)
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text("utf-8"))
    reason = _by_id(summary)["MSG-BASIC"]["reason"]
    assert not INTERNAL_ERROR.search(reason), reason
