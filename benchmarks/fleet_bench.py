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
import threading
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


def machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy (every process's, other users' too), from
    /proc/stat; 0 where there is none."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class TreeCPU:
    """The CPU seconds a process and its descendants used, sampled from /proc every 100 ms (what
    a process used in its last 100 ms is missed)."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.used: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        while not self._stop.wait(0.1):
            parents: dict[int, int] = {}
            times: dict[int, float] = {}
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                fields = stat.rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
                times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
            for pid, cpu in times.items():
                ancestor = pid
                while ancestor not in (0, 1, self.root) and ancestor in parents:
                    ancestor = parents[ancestor]
                if ancestor == self.root:
                    self.used[pid] = max(self.used.get(pid, 0.0), cpu)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return sum(self.used.values())


def run_fleet(
    file: Path, report_dir: Path, *only: str
) -> tuple[float, tuple[float, float], dict[str, Any]]:
    """Wall time of ``run --fleet FILE [--only …]`` as a user runs it, the CPU seconds the machine
    was busy meanwhile, and its fleet.json."""
    argv = [*CLI, "run", "--fleet", str(file), "--report-dir", str(report_dir)]
    if only:
        argv += ["--only", ",".join(only)]
    before = machine_busy_s()
    t0 = time.perf_counter()
    fleet = subprocess.Popen(
        argv, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    tree = TreeCPU(fleet.pid) if Path("/proc").is_dir() else None
    fleet.wait()
    wall = time.perf_counter() - t0
    busy = machine_busy_s() - before
    own = tree.stop() if tree is not None else 0.0
    return wall, (busy, own), json.loads((report_dir / "fleet.json").read_text("utf-8"))


def pacing_floor_s(index: dict[str, Any], report_dir: Path) -> tuple[float, str]:
    """The least time the ceilings force on the busiest pool, and that pool's figures."""
    pools: dict[str, tuple[int, int]] = {}  # pool → (requests, ceiling)
    for target in index["targets"]:
        summary = json.loads((report_dir / target["report"] / "summary.json").read_text("utf-8"))
        rpm = summary["pacing"]["ceilings"].get("rpm")
        for name, pool in summary["pacing"]["pools"].items():
            requests, ceiling = pools.get(name, (0, rpm or 0))
            pools[name] = (requests + pool["requests"], min(ceiling, rpm or ceiling))
    busiest = max(
        ((requests / ceiling, name) for name, (requests, ceiling) in pools.items() if ceiling),
        default=None,
    )
    if busiest is None:
        return 0.0, "no pool is paced"
    requests, ceiling = pools[busiest[1]]
    floor = ((requests - 1) // ceiling) * (WINDOW_S + MARGIN_S)
    what = f"the busiest pool, {busiest[1]}: {requests} requests under {ceiling} a minute"
    return floor, what if floor else f"{what}, within one minute's ceiling"


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
        alone, _, alone_index = run_fleet(file, work / "alone", "t00")
        walls, cpus = [], []
        index: dict[str, Any] = {}
        own = time.process_time()
        for i in range(max(1, 1 if args.quick else args.repeat)):
            wall, cpu, index = run_fleet(file, work / f"fleet-{i}")
            walls.append(wall)
            cpus.append(cpu)
        emulators = (time.process_time() - own) / len(walls)
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
        cores = os.cpu_count() or 1
        busy, own = statistics.median(c[0] for c in cpus), statistics.median(c[1] for c in cpus)
        print(
            f"CPU: the fleet's processes (the command, its fork server, its {count} targets) used "
            f"{own:.1f} s, this benchmark's {count} emulators {emulators:.1f} s; the machine was "
            f"busy {busy:.1f} of the {wall * cores:.1f} core-seconds the fleet took (other "
            f"processes' included): a fleet alone on these {cores} cores needs ≥ "
            f"{(own + emulators) / cores:.1f} s of CPU time"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
