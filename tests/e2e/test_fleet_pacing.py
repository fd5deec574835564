"""Pacing across a fleet, in real time, and Ctrl-C in the middle of it.

Two targets of one subscription test the same model pool, each in a process of its own, under a
ceiling of 12 requests a minute, against an emulator whose quota for that pool is those same 12
requests a minute (a real minute: the emulator's window is 60 s). Together they would send ~18.
The fleet's shared book lets exactly 12 through and holds the rest for the minute to pass; the
emulator never answers 429. Then Ctrl-C: the targets stop waiting and write what finished, a
third target that had finished already is kept as it was, and the fleet exits 130. Bounded to a
few seconds: the test interrupts the minute instead of waiting it out.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from conformance.cli.run import EXIT_INTERRUPTED
from conformance.emulator import parse_profiles
from conformance.emulator.server import AccessLogEntry, EmulatorServer

from .faults.test_interrupt import Output, sigint_honoured

KEY = "canary-fleet-key-DO-NOT-LEAK-pacing-000000000000000"
DEPLOYMENT = "claude-sonnet-5-5"
CEILING = 12
STALL_S = 2.0  # no request for this long, with requests still to send: the pool is held
WITHIN_S = 60.0


def test_targets_sharing_a_pool_share_its_ceiling_and_ctrl_c_keeps_what_finished(
    tmp_path: Path,
) -> None:
    served: list[AccessLogEntry] = []
    lock = threading.Lock()

    def log(entry: AccessLogEntry) -> None:
        with lock:
            served.append(entry)

    shared_quota = replace(parse_profiles("default"), rate_limit=CEILING)
    shared = EmulatorServer(config=shared_quota, api_key=KEY, access_log=log)
    quick = EmulatorServer(
        config=replace(parse_profiles("default"), rate_limit=10_000), api_key=KEY
    )
    with shared, quick:
        fleet = tmp_path / "fleet.toml"
        fleet.write_text(
            "[defaults]\n"
            f'deployments = ["{DEPLOYMENT}"]\napi_key_env = "FLEET_KEY"\nauth = ["x-api-key"]\n\n'
            f'[[target]]\nname = "quick"\nbase_url = "{quick.base_url}"\nsubscription = "dev"\n'
            'select = ["EP-REACH", "MSG-BASIC"]\n\n'
            f'[[target]]\nname = "east"\nbase_url = "{shared.base_url}"\nsubscription = "prod"\n'
            f'select = ["messages"]\nmax_rpm = {CEILING}\n\n'
            f'[[target]]\nname = "west"\nbase_url = "{shared.base_url}"\nsubscription = "prod"\n'
            f'select = ["messages"]\nmax_rpm = {CEILING}\n',
            "utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "FOUNDRY_"))}
        env.update(FLEET_KEY=KEY, PYTHONUNBUFFERED="1")
        report_dir = tmp_path / "reports"
        command = [sys.executable, "-m", "conformance.cli", "run", "--fleet", str(fleet)]
        with sigint_honoured():
            child = subprocess.Popen(
                [*command, "--report-dir", str(report_dir)],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        stdout, stderr = Output(child.stdout), Output(child.stderr)
        try:
            assert stdout.wait_for("quick finished", WITHIN_S), stdout.text + stderr.text
            # Wait for the shared pool to be held: its ceiling's requests served, then silence.
            deadline = time.monotonic() + WITHIN_S
            while True:
                with lock:
                    count = len(served)
                time.sleep(STALL_S)
                with lock:
                    if len(served) == count and count >= CEILING:
                        break
                assert time.monotonic() < deadline, f"{len(served)} requests served"
            child.send_signal(signal.SIGINT)
            code = child.wait(timeout=WITHIN_S)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            out, err = stdout.finish(), stderr.finish()
            for pipe in (child.stdout, child.stderr):
                if pipe is not None:
                    pipe.close()

    assert code == EXIT_INTERRUPTED, out + err
    with lock:
        statuses = [entry.status for entry in served]
    # Exactly the ceiling went through, from both targets together, and nothing was throttled.
    assert len(statuses) == CEILING, statuses
    assert 429 not in statuses
    index = json.loads((report_dir / "fleet.json").read_text("utf-8"))
    targets = {t["name"]: t for t in index["targets"]}
    assert targets["quick"]["verdict"] == "conformant"
    assert not targets["quick"]["incomplete"]
    # The only target of its subscription paces with a book of its own, not the fleet's.
    quick = json.loads((report_dir / "quick" / "summary.json").read_text("utf-8"))
    assert quick["pacing"]["paced"] is True and quick["pacing"]["shared"] is False
    pool = index["pools"][f"prod/{DEPLOYMENT}"]
    assert pool["targets"] == ["east", "west"]
    assert pool["requests"] == CEILING and pool["peak_rpm"] == CEILING
    assert pool["ceiling_rpm"] == CEILING
    incomplete = []
    for name in ("east", "west"):
        summary = json.loads((report_dir / name / "summary.json").read_text("utf-8"))
        incomplete.append(summary["incomplete"])
        assert summary["pacing"]["shared"] is True
        assert summary["pacing"]["ceilings"]["rpm"] == CEILING
        assert not any(d["code"] == "rate-limited" for d in summary["diagnoses"])
        assert any(c["status"] == "passed" for c in summary["checks"])  # what finished is kept
    # One of them at least was still waiting for the pool when Ctrl-C came (the other may have
    # had its whole share by then).
    assert any(incomplete)
    assert "(interrupted)" in out
    assert "Traceback" not in out + err
