"""Speed and cost figures of foundry-conformance, measured against the embedded emulator.

    .venv/bin/python benchmarks/bench.py            # every figure (a few minutes)
    .venv/bin/python benchmarks/bench.py --quick    # a smoke test of the script (CI)

Prints figures; asserts nothing about time (a busy machine makes timings noisy). Everything runs
on 127.0.0.1: the emulator, and the CLI as a subprocess, exactly as a user runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from conformance.client import FoundryClient, InteractionLog
from conformance.constants import EMULATOR_DEV_API_KEY
from conformance.emulator import EmulatorServer, parse_profiles
from conformance.redaction import Redactor

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "conformance.cli"]
CLEAN_ENV = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith(("ANTHROPIC_FOUNDRY_", "FOUNDRY_CONFORMANCE_"))
}


def run_cli(*args: str, report_dir: Path) -> tuple[float, dict[str, Any]]:
    """Wall time of one ``foundry-conformance run``, and its summary."""
    t0 = time.perf_counter()
    subprocess.run(
        [*CLI, "run", *args, "--report-dir", str(report_dir)],
        env=CLEAN_ENV,
        cwd=report_dir.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - t0
    summary = json.loads((report_dir / "summary.json").read_text("utf-8"))
    return wall, summary


def collect_only_time(workdir: Path) -> float:
    """Wall time of ``pytest --collect-only`` of the suite (the floor of any run)."""
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "conformance.suite",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        env=CLEAN_ENV,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - t0


def request_latency_sum_ms(summary: dict[str, Any]) -> float:
    """The sum of every request's latency in a run (each check's own requests)."""
    total = 0.0
    for check in summary["checks"]:
        for evidence in check["evidence"]:
            if evidence.get("check") == check["id"] and evidence.get("elapsed_ms"):
                total += float(evidence["elapsed_ms"])
    return total


def outcomes(summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((c["id"], c["case"].rsplit("::", 1)[-1], c["status"]) for c in summary["checks"])


def seam_overhead(requests: int) -> tuple[float, float]:
    """Median ms per request: a plain httpx loop, and the same requests through the seam."""
    body = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1,
        "messages": [{"role": "user", "content": "ok"}],
    }
    headers = {"x-api-key": EMULATOR_DEV_API_KEY, "anthropic-version": "2023-06-01"}
    with EmulatorServer(config=parse_profiles("default")) as server:
        url = server.base_url + "v1/messages/count_tokens"
        plain: list[float] = []
        with httpx.Client() as client:
            for _ in range(requests):
                t0 = time.perf_counter()
                client.post(url, json=body, headers=headers).read()
                plain.append((time.perf_counter() - t0) * 1000)
        seam: list[float] = []
        log = InteractionLog(Redactor([EMULATOR_DEV_API_KEY]))
        with FoundryClient(server.base_url, log) as foundry:
            for _ in range(requests):
                t0 = time.perf_counter()
                request = foundry.build(
                    "POST",
                    "v1/messages/count_tokens",
                    json=body,
                    headers={"x-api-key": EMULATOR_DEV_API_KEY},
                )
                foundry.send(request).read()
                seam.append((time.perf_counter() - t0) * 1000)
    return statistics.median(plain), statistics.median(seam)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke test: few, short runs")
    parser.add_argument("--slow", type=float, default=0.5, help="emulator latency per request (s)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[4, 8], help="worker counts to try")
    args = parser.parse_args()
    slow = 0.05 if args.quick else args.slow
    jobs_list = [2] if args.quick else args.jobs

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory(prefix="fc-bench-") as tmp:
        work = Path(tmp)
        collect = collect_only_time(work)
        print(f"pytest --collect-only of the suite: {collect:.2f} s")

        wall, summary = run_cli("--emulator", "--suite", "full", report_dir=work / "full")
        print(
            f"full suite, emulator default, serial: {wall:.2f} s ({summary['verdict']}, "
            f"{summary['usage']['requests']} requests)"
        )

        cassettes = ROOT / "cassettes" / "emulator-default"
        wall, summary = run_cli(
            "--mode",
            "replay",
            "--cassettes",
            str(cassettes),
            "--suite",
            "full",
            report_dir=work / "replay",
        )
        bound = 2 * collect + 1
        print(
            f"full suite, replay of {cassettes.name}: {wall:.2f} s ({summary['verdict']}); "
            f"bound 2 × collect-only + 1 s = {bound:.2f} s → {'within' if wall <= bound else 'OVER'}"
        )

        profile = f"slow={slow}"
        serial_wall, serial = run_cli(
            "--emulator", profile, "--jobs", "1", report_dir=work / "slow-1"
        )
        latency = request_latency_sum_ms(serial) / 1000
        print(
            f"standard suite, emulator {profile}, serial: {serial_wall:.2f} s; "
            f"sum of request latencies {latency:.2f} s; "
            f"latency efficiency {latency / serial_wall:.2f}"
        )
        for jobs in jobs_list:
            wall, concurrent = run_cli(
                "--emulator", profile, "--jobs", str(jobs), report_dir=work / f"slow-{jobs}"
            )
            latency = request_latency_sum_ms(concurrent) / 1000
            same = outcomes(concurrent) == outcomes(serial)
            print(
                f"standard suite, emulator {profile}, --jobs {jobs}: {wall:.2f} s "
                f"({serial_wall / wall:.2f}× faster; {wall / serial_wall:.2f} of serial); "
                f"latency efficiency {latency / (wall * jobs):.2f}; "
                f"check outcomes {'identical to' if same else 'DIFFERENT from'} serial"
            )

        plain, seam = seam_overhead(20 if args.quick else 300)
        print(
            f"per request (count_tokens, emulator): plain httpx {plain:.3f} ms, "
            f"through the recording seam {seam:.3f} ms, overhead {seam - plain:.3f} ms"
        )

        for suite in ("smoke", "standard", "full"):
            _, summary = run_cli("--emulator", "--suite", suite, report_dir=work / f"tok-{suite}")
            usage = summary["usage"]
            per_deployment = ", ".join(
                f"{name}: {row['input_tokens'] + row['output_tokens']}"
                for name, row in sorted(usage["by_deployment"].items())
            )
            print(
                f"tokens, {suite} suite: {usage['input_tokens']} input + "
                f"{usage['output_tokens']} output in {usage['requests']} requests "
                f"(per deployment: {per_deployment})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
