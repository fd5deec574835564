"""A fleet's wall time against its bound: N emulator-backed targets, each answering every request
after S seconds, run as one fleet, compared with the slowest target run alone and with the
pacing floor of the pools they share.

    .venv/bin/python benchmarks/fleet_bench.py                      # 20 targets, 300 ms
    .venv/bin/python benchmarks/fleet_bench.py --shared --max-rpm 600   # one subscription
    .venv/bin/python benchmarks/fleet_bench.py --quick              # a smoke test of the script

The bound is the larger of the slowest target's critical path — its wall time alone, through
the same command (``run --fleet FILE --only NAME``): start-up, its requests, its reports — and
the pacing floor, the time the ceilings force on the busiest pool: a pool of n requests under
a ceiling of c per minute needs at least ⌊(n − 1) / c⌋ minutes (and a second's margin each).
Prints figures; asserts nothing (a busy machine makes timings noisy).
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
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

from conformance.core.quota import MARGIN_S, WINDOW_S
from conformance.emulator import parse_profiles
from conformance.emulator.server import EmulatorServer

KEY = "fleet-bench-key-00000000000000000000000000000000"
DEPLOYMENT = "claude-sonnet-5-5"
CLI = [sys.executable, "-m", "conformance.cli"]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "FOUNDRY_"))}
    env["FLEET_BENCH_KEY"] = KEY
    return env


def fleet_file(urls: list[str], *, shared: bool, max_rpm: int | None) -> str:
    defaults = f'[defaults]\ndeployments = ["{DEPLOYMENT}"]\napi_key_env = "FLEET_BENCH_KEY"\n'
    if max_rpm is not None:
        defaults += f"max_rpm = {max_rpm}\n"
    tables = [
        f'[[target]]\nname = "t{i:02d}"\nbase_url = "{url}"\n'
        f'subscription = "{"shared" if shared else f"sub-{i:02d}"}"\n'
        for i, url in enumerate(urls)
    ]
    return defaults + "\n" + "\n".join(tables)


def run_fleet(file: Path, report_dir: Path, *only: str) -> tuple[float, dict[str, Any]]:
    """Wall time of ``run --fleet FILE [--only …]`` as a user runs it, and its fleet.json."""
    argv = [*CLI, "run", "--fleet", str(file), "--report-dir", str(report_dir)]
    if only:
        argv += ["--only", ",".join(only)]
    t0 = time.perf_counter()
    subprocess.run(
        argv, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    wall = time.perf_counter() - t0
    return wall, json.loads((report_dir / "fleet.json").read_text("utf-8"))


def pacing_floor_s(index: dict[str, Any], report_dir: Path) -> tuple[float, str]:
    """The least time the ceilings force on the busiest pool, and that pool's figures."""
    pools: dict[str, tuple[int, int]] = {}  # pool → (requests, ceiling)
    for target in index["targets"]:
        summary = json.loads((report_dir / target["report"] / "summary.json").read_text("utf-8"))
        rpm = summary["pacing"]["ceilings"].get("rpm")
        for name, pool in summary["pacing"]["pools"].items():
            requests, ceiling = pools.get(name, (0, rpm or 0))
            pools[name] = (requests + pool["requests"], min(ceiling, rpm or ceiling))
    worst, what = 0.0, "no pool reaches its ceiling"
    for name, (requests, ceiling) in pools.items():
        if not ceiling:
            continue
        floor = ((requests - 1) // ceiling) * (WINDOW_S + MARGIN_S)
        if floor >= worst:
            worst, what = floor, f"{name}: {requests} requests under {ceiling} a minute"
    return worst, what


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=20)
    parser.add_argument("--slow", type=float, default=0.3, help="seconds per request")
    parser.add_argument("--repeat", type=int, default=1, help="fleet runs (the median)")
    parser.add_argument("--shared", action="store_true", help="every target in one subscription")
    parser.add_argument("--max-rpm", type=int, default=None, help="the targets' ceiling")
    parser.add_argument("--quick", action="store_true", help="5 targets at 50 ms, once")
    args = parser.parse_args()
    count, slow = (5, 0.05) if args.quick else (args.targets, args.slow)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f}"
    )
    config = replace(parse_profiles(f"slow={slow}"), rate_limit=100_000)
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="fc-fleet-bench-") as tmp:
        work = Path(tmp)
        servers = [
            stack.enter_context(EmulatorServer(config=config, api_key=KEY)) for _ in range(count)
        ]
        file = work / "fleet.toml"
        file.write_text(
            fleet_file([s.base_url for s in servers], shared=args.shared, max_rpm=args.max_rpm),
            "utf-8",
        )
        alone, alone_index = run_fleet(file, work / "alone", "t00")
        walls = []
        index: dict[str, Any] = {}
        for i in range(max(1, 1 if args.quick else args.repeat)):
            wall, index = run_fleet(file, work / f"fleet-{i}")
            walls.append(wall)
        wall = statistics.median(walls)
        floor, busiest = pacing_floor_s(index, work / f"fleet-{len(walls) - 1}")
        requests = sum(p["requests"] for t in index["targets"] for p in t["pools"].values())
        verdicts = ", ".join(f"{n} {v}" for v, n in sorted(index["verdicts"].items()))
        print(
            f"one target alone (t00, {alone_index['targets'][0]['verdict']}): {alone:.2f} s, "
            "start-up and reports included — the slowest target's critical path"
        )
        print(f"pacing floor: {floor:.1f} s ({busiest})")
        bound = max(alone, floor)
        ratio = wall / bound
        print(
            f"fleet of {count} targets at {slow * 1000:.0f} ms per request ({requests} requests; "
            f"{verdicts}): {wall:.2f} s; bound {bound:.2f} s; {ratio:.2f}× the bound → "
            f"{'within' if ratio <= 1.5 else 'OVER'} 1.5×"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
