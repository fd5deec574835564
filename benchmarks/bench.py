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

from conformance.core.constants import EMULATOR_DEV_API_KEY, ENV_API_KEY, ENV_ENTRA_TOKEN
from conformance.core.jwt_claims import mint_test_token
from conformance.core.platform_load import builtin_profile
from conformance.core.redaction import Redactor
from conformance.emulator import parse_profiles
from conformance.emulator.server import EmulatorServer
from conformance.target.log import InteractionLog
from conformance.target.seam import FoundryClient

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "conformance.cli"]
VERSION = builtin_profile().documented_version
CLEAN_ENV = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith(("ANTHROPIC_FOUNDRY_", "FOUNDRY_CONFORMANCE_"))
}


def run_cli(
    *args: str, report_dir: Path, env: dict[str, str] | None = None
) -> tuple[float, dict[str, Any]]:
    """Wall time of one ``foundry-conformance run``, and its summary."""
    t0 = time.perf_counter()
    subprocess.run(
        [*CLI, "run", *args, "--report-dir", str(report_dir)],
        env=env or CLEAN_ENV,
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
        with FoundryClient(server.base_url, log, anthropic_version=VERSION) as foundry:
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


def matrix_figures(suite: str, profile: str, work: Path) -> list[str]:
    """The capability matrix's own requests and tokens per deployment, and how many requests
    the whole run drew from each deployment's quota pool in its window (a standalone emulator
    that the CLI reaches with --base-url, with a key and a test token as a live run has)."""
    env = {**CLEAN_ENV, ENV_API_KEY: EMULATOR_DEV_API_KEY, ENV_ENTRA_TOKEN: mint_test_token()}
    config = parse_profiles(profile)
    with EmulatorServer(config=config) as server:
        _, summary = run_cli(
            "--base-url", server.base_url, "--suite", suite,
            report_dir=work / f"matrix-{suite}", env=env,
        )  # fmt: skip
        lines = []
        for name, column in summary.get("capabilities", {}).items():
            cost = column["cost"]
            tokens = cost["input_tokens"] + cost["output_tokens"]
            limit = config.limits(config.model(name)).rpm
            cached = (
                f", {cost['cache_write_tokens']} written to the prompt cache and "
                f"{cost['cache_read_tokens']} read from it"
                if cost.get("cache_write_tokens") or cost.get("cache_read_tokens")
                else ""
            )
            lines.append(
                f"capability matrix, {suite} suite (emulator {profile}), {name}: "
                f"{cost['requests']} requests, {tokens} tokens ({cost['input_tokens']} input + "
                f"{cost['output_tokens']} output{cached}); the run drew "
                f"{server.usage(name)['requests']} requests from the model's pool this minute "
                f"(its limit: {limit}); verdict {summary['verdict']}"
            )
    return lines


def critical_path_s(summary: dict[str, Any]) -> float:
    """The longest chain of dependent requests: the slowest check case's own requests."""
    chains = [
        sum(float(e["elapsed_ms"] or 0) for e in c["evidence"] if e.get("check") == c["id"])
        for c in summary["checks"]
    ]
    return max(chains, default=0.0) / 1000


def sdk_import_time() -> float:
    """Wall time of importing the SDK alone (what any run of its checks pays, once)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import anthropic"], check=True, env=CLEAN_ENV)
    bare = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True, env=CLEAN_ENV)
    return bare - (time.perf_counter() - t0)


def median_run(repeat: int, *args: str, report_dir: Path) -> tuple[float, dict[str, Any]]:
    """The median wall time of ``repeat`` identical runs, and the last run's summary."""
    walls = []
    summary: dict[str, Any] = {}
    for i in range(repeat):
        wall, summary = run_cli(*args, report_dir=report_dir.with_name(f"{report_dir.name}-{i}"))
        walls.append(wall)
    return statistics.median(walls), summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke test: few, short runs")
    parser.add_argument("--slow", type=float, default=0.5, help="emulator latency per request (s)")
    parser.add_argument(
        "--jobs", type=int, nargs="+", default=[4, 8], help="--jobs values to compare with serial"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (the median)")
    args = parser.parse_args()
    slow = 0.05 if args.quick else args.slow
    jobs_list = [2] if args.quick else args.jobs
    repeat = 1 if args.quick else max(1, args.repeat)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}; timings are medians of {repeat} runs"
    )
    with tempfile.TemporaryDirectory(prefix="fc-bench-") as tmp:
        work = Path(tmp)
        collect = statistics.median(collect_only_time(work) for _ in range(repeat))
        print(
            f"pytest --collect-only of the suite: {collect:.2f} s "
            f"(importing the SDK, which its checks need, takes {sdk_import_time():.2f} s of it)"
        )

        for jobs in ("auto", "1"):
            # The full suite sends more than a pay-as-you-go minute's requests to the first
            # deployment: timed with an enterprise quota, so that no check is throttled.
            wall, summary = median_run(
                repeat,
                *("--emulator", "enterprise-quota", "--suite", "full", "--jobs", jobs),
                report_dir=work / "full",
            )
            print(
                f"full suite, emulator enterprise-quota, --jobs {jobs}: {wall:.2f} s "
                f"({summary['verdict']}, {summary['usage']['requests']} requests)"
            )

        cassettes = ROOT / "cassettes" / "emulator-default"
        wall, summary = median_run(
            repeat,
            *("--mode", "replay", "--cassettes", str(cassettes)),
            report_dir=work / "replay",
        )
        bound = 2 * collect + 1
        print(
            f"the recorded suite, replay of {cassettes.name}: {wall:.2f} s "
            f"({summary['verdict']}); "
            f"bound 2 × collect-only + 1 s = {bound:.2f} s → {'within' if wall <= bound else 'OVER'}"
        )

        profile = f"slow={slow}"
        serial_wall, serial = median_run(
            repeat, "--emulator", profile, "--jobs", "1", report_dir=work / "slow-1"
        )
        latency = request_latency_sum_ms(serial) / 1000
        print(
            f"standard suite, emulator {profile}, --jobs 1: {serial_wall:.2f} s; "
            f"sum of request latencies {latency:.2f} s; latency efficiency "
            f"{latency / serial_wall:.2f}; longest check {critical_path_s(serial):.2f} s"
        )
        for jobs in jobs_list:
            wall, concurrent = median_run(
                repeat, "--emulator", profile, "--jobs", str(jobs), report_dir=work / f"slow-{jobs}"
            )
            latency = request_latency_sum_ms(concurrent) / 1000
            same = outcomes(concurrent) == outcomes(serial)
            floor = max(critical_path_s(concurrent), latency / jobs)
            third = (
                ""
                if args.quick
                else (", within a third" if wall <= serial_wall / 3 else ", OVER a third")
            )
            print(
                f"standard suite, emulator {profile}, --jobs {jobs}: {wall:.2f} s "
                f"({wall / serial_wall:.2f} of serial{third}); latency efficiency "
                f"{latency / (wall * jobs):.2f}; the requests alone need ≥ {floor:.2f} s; "
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
                if row["input_tokens"] + row["output_tokens"]
            )
            total = usage["input_tokens"] + usage["output_tokens"]
            own = usage["by_check"].get("run", {}).get("requests", 0)
            print(
                f"tokens, {suite} suite: {total} ({usage['input_tokens']} input + "
                f"{usage['output_tokens']} output) in {usage['requests']} requests, of which "
                f"{own} the run's own (inventory of the default names "
                f"and auth choice, free) (tokens per deployment: {per_deployment})"
            )
        for suite, profile in (("standard", "default"), ("full", "default")):
            for line in matrix_figures(suite, profile, work):
                print(line)
        for line in matrix_figures("full", "enterprise-quota", work):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
