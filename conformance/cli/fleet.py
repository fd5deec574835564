"""``foundry-conformance run --fleet FILE``: every target of a fleet file, concurrently, each into
its own report directory, then the fleet index (``index.html``, ``fleet.json``).

Each target is the run the command line does for one endpoint, in a process of its own
(``fleet_procs``), so one target's failure — unreachable, misconfigured, crashed, interrupted —
never loses another's results. Targets of one subscription share one quota book: a pool (a model
at a subscription) that several of them draw from is paced under one ceiling. With ``--only``, a
target's ceiling is its share of its subscription's targets in the file, since the others may
run at the same time elsewhere (the jobs of a CI matrix). Ctrl-C (or SIGTERM) is passed on to
each running target once, which stops and writes the report of what finished; a target not yet
started is listed as not run. The exit status is the worst of the targets' (``summary.fleet``).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from ..config import resolve_settings
from ..config.fleet import (
    FleetFileError,
    FleetSpec,
    TargetSpec,
    load_fleet,
    target_argv,
    target_env,
)
from ..config.pacing import DEFAULT_SUBSCRIPTION, FAIL_ON
from ..core.errors import ConfigError, SummaryError
from ..core.publish import Place, preflight
from ..core.quota import Ceilings
from ..core.redaction import Redactor
from ..plugin.stopping import StopSignals
from ..report.changes_text import fleet_block
from ..summary.baseline import FLEET_FILE, LoadedRun, load_run
from ..summary.changes import CHANGE, Change
from ..summary.fleet import (
    CONFIGURATION_ERROR,
    EXIT_CONFIG_ERROR,
    EXIT_INTERRUPTED,
    NO_REPORT,
    NOT_RUN,
    FleetIndex,
    TargetRecord,
    build_index,
)
from ..summary.load import load_summary
from .fleet_files import INDEX_FILE, write_index
from .fleet_run import LOG_FILE, Planned, run_all
from .main import build_parser
from .run import check_output_places, raw_options_from_args

MAX_PARALLEL = 32
# Flags that name one target: in a fleet each target names its own in the file.
TARGET_FLAGS = {
    "resource": "--resource",
    "base_url": "--base-url",
    "deployment": "--deployment",
    "mode": "--mode",
    "cassettes": "--cassettes",
    "emulator": "--emulator",
}
# Flags of the fleet's command line passed on to every target (they win over the file).
SHARED_FLAGS = {
    "auth": "--auth",
    "entra_scope": "--entra-scope",
    "platform_profile": "--platform-profile",
    "suite": "--suite",
    "select": "--select",
    "probe_rate_limit": "--probe-rate-limit",
    "subscription": "--subscription",
    "max_rpm": "--max-rpm",
    "max_itpm": "--max-itpm",
    "max_otpm": "--max-otpm",
    "max_requests": "--max-requests",
    "max_tokens": "--max-tokens",
    "timeout": "--timeout",
    "max_latency_ms": "--max-latency-ms",
    "max_ttft_ms": "--max-ttft-ms",
    "max_cassette_age": "--max-cassette-age",
    "redact_resource": "--redact-resource",
}
STOP_WAIT_S = 60.0  # after Ctrl-C: how long the targets may take to write what finished


def fleet_command(
    args: argparse.Namespace, *, env: Mapping[str, str], out: TextIO, stops: StopSignals
) -> int:
    """Run the fleet; the exit status is the worst of its targets'."""
    spec = _load(args)
    root = Path(args.report_dir or "reports")
    preflight([Place(root / name, "--report-dir", root) for name in (FLEET_FILE, INDEX_FILE)])
    baseline = _baseline(args)
    chosen = _chosen(spec, args)
    given, shared = _shared_argv(args)
    plans = [_plan(t, spec, chosen, root, given, shared, baseline, args, env) for t in chosen]
    for note in _notes(plans):
        out.write(f"foundry-conformance: {note}\n")
    read: dict[str, TargetRecord] = {}  # the targets that ended, read while the others run

    def finished(plan: Planned) -> None:
        read[plan.spec.name] = _record(plan, root)

    interrupted = run_all(plans, _parallel(args, len(plans)), out, stops, finished)
    stops.disarm()  # what finished is kept: no signal cuts the index short
    with stops.shielded():
        index = _index(plans, root, baseline, args, read)
        secrets = tuple(s for p in plans for s in p.secrets)
        logs = [(p.log, p.report_dir / LOG_FILE) for p in plans if p.log is not None]
        index = write_index(index, root, logs, Redactor(secrets))
        for line in fleet_block(index, str(root / "index.html"), interrupted=interrupted):
            out.write(line + "\n")
    return stops.exit_status if interrupted else index.exit_code


# -- before anything runs ------------------------------------------------------------------


def _load(args: argparse.Namespace) -> FleetSpec:
    named = [flag for dest, flag in TARGET_FLAGS.items() if getattr(args, dest, None) is not None]
    if named:
        raise ConfigError(
            f"--fleet and {named[0]} are both given; {named[0]} names one target, and in a fleet "
            "each target names its own in the fleet file.",
            f"Drop {named[0]}, or set it in the [[target]] tables of {args.fleet}.",
            source="--fleet",
        )
    try:
        return load_fleet(Path(args.fleet))
    except FleetFileError as exc:
        raise ConfigError(
            str(exc), "docs/fleet.example.toml shows every key.", source="--fleet"
        ) from None


def _chosen(spec: FleetSpec, args: argparse.Namespace) -> tuple[TargetSpec, ...]:
    names = [n.strip() for value in args.only or () for n in value.split(",") if n.strip()]
    if args.only is not None and not names:
        raise ConfigError(
            "--only is given without a target name.", "Name one: --only NAME.", source="--only"
        )
    try:
        return spec.named(names) if names else spec.targets
    except FleetFileError as exc:
        raise ConfigError(str(exc), "Name a target of the file.", source="--only") from None


def _baseline(args: argparse.Namespace) -> LoadedRun | None:
    if args.fail_on not in (None, *FAIL_ON):
        raise ConfigError(
            f"--fail-on {args.fail_on} is not one of {', '.join(FAIL_ON)}.",
            "Give --fail-on regressions (with --baseline) or leave it out.",
            source="--fail-on",
        )
    if args.baseline in (None, ""):
        if args.fail_on == "regressions":
            raise ConfigError(
                "--fail-on regressions needs a baseline to tell what got worse.",
                "Add --baseline PATH: the report directory or fleet.json of an earlier fleet run.",
                source="--fail-on",
            )
        return None
    try:
        loaded = load_run(Path(args.baseline))
    except SummaryError as exc:
        raise ConfigError(
            str(exc), "Give --baseline an earlier fleet run.", source="--baseline"
        ) from None
    if loaded.fleet is None:
        raise ConfigError(
            f"--baseline {args.baseline} is one run's summary, not a fleet's.",
            "Give the report directory (or fleet.json) of an earlier fleet run; each target is "
            "compared with its own run there.",
            source="--baseline",
        )
    return loaded


def _shared_argv(args: argparse.Namespace) -> tuple[frozenset[str], list[str]]:
    """The flags of the fleet's command line every target gets, and the argv that gives them."""
    given: set[str] = set()
    argv: list[str] = []
    for dest, flag in SHARED_FLAGS.items():
        value = getattr(args, dest, None)
        if value is None or value is False:
            continue
        given.add(flag)
        if value is True:
            argv.append(flag)
        elif isinstance(value, list):
            argv += [part for item in value for part in (flag, str(item))]
        else:
            argv += [flag, str(value)]
    if args.jobs not in (None, "auto"):
        given.add("--jobs")
        argv += ["--jobs", str(args.jobs)]
    for item in args.pytest_arg or ():
        argv.append(f"--pytest-arg={item}")
    return frozenset(given), argv


def _plan(
    target: TargetSpec,
    spec: FleetSpec,
    chosen: tuple[TargetSpec, ...],
    root: Path,
    given: frozenset[str],
    shared: list[str],
    baseline: LoadedRun | None,
    args: argparse.Namespace,
    env: Mapping[str, str],
) -> Planned:
    """The command line and environment of one target, checked as its run would check them."""
    report_dir = root / target.name
    plan = Planned(target, report_dir)
    argv = ["run", *target_argv(target, given), *shared, "--report-dir", str(report_dir)]
    compared = baseline is not None and _baseline_dir(baseline, target.name)
    if compared:
        argv += ["--baseline", str(compared)]
        if args.fail_on:
            argv += ["--fail-on", args.fail_on]
    try:
        target_environment = target_env(target, env, _foundry_variables(env))
        settings = resolve_settings(
            raw_options_from_args(_parse(build_parser(), argv)), target_environment
        )
        share = _share(target, spec, chosen, args)
        ceilings = settings.pacing.ceilings
        if ceilings is not None and share < 1:
            argv += _ceiling_flags(ceilings.scaled(share))
            settings = resolve_settings(
                raw_options_from_args(_parse(build_parser(), argv)), target_environment
            )
        check_output_places(settings)
    except (ConfigError, FleetFileError) as exc:
        plan.problem = str(exc)
        return plan
    plan.argv, plan.env = argv, target_environment
    plan.paced = settings.pacing.ceilings is not None
    plan.subscription = settings.pacing.subscription
    plan.secrets = settings.secrets()
    return plan


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``argv`` parsed as the command line would; a bad value is a ``ConfigError``."""
    try:
        return parser.parse_args(argv)
    except SystemExit:
        raise ConfigError(
            f"the fleet file's keys make a command line that `run` refuses ({' '.join(argv[1:])}).",
            "Fix the target's keys (docs/fleet.example.toml).",
            source="--fleet",
        ) from None


def _foundry_variables(env: Mapping[str, str]) -> list[str]:
    """The variables a run reads its endpoint and secrets from: a target gets only its own."""
    return [k for k in env if k.startswith(("ANTHROPIC_FOUNDRY_", "FOUNDRY_CONFORMANCE_"))]


def _share(
    target: TargetSpec, spec: FleetSpec, chosen: tuple[TargetSpec, ...], args: argparse.Namespace
) -> float:
    """The part of its subscription's ceiling a target may use: all of it when every target of
    that subscription in the file runs here (they share one book), else its fraction of them."""

    def label(t: TargetSpec) -> str:
        return args.subscription or t.subscription or DEFAULT_SUBSCRIPTION

    mine = label(target)
    in_file = sum(1 for t in spec.targets if label(t) == mine)
    in_run = sum(1 for t in chosen if label(t) == mine)
    return in_run / in_file if in_file else 1.0


def _ceiling_flags(ceilings: Ceilings) -> list[str]:
    flags = []
    for flag, value in (
        ("--max-rpm", ceilings.rpm),
        ("--max-itpm", ceilings.itpm),
        ("--max-otpm", ceilings.otpm),
    ):
        if value is not None:
            flags += [flag, str(value)]
    return flags


def _baseline_dir(baseline: LoadedRun, name: str) -> Path | None:
    if baseline.fleet is None or baseline.summaries is None or name not in baseline.summaries:
        return None
    target = next(t for t in baseline.fleet.targets if t.name == name)
    return baseline.folder / target.report


def _notes(plans: list[Planned]) -> list[str]:
    ready = [p for p in plans if not p.problem]
    notes = [f"fleet: {len(ready)} of {len(plans)} targets start"]
    notes += [f"{p.spec.name}: not run: {p.problem}" for p in plans if p.problem]
    return notes


def _parallel(args: argparse.Namespace, count: int) -> int:
    if args.parallel in (None, ""):
        return min(count, MAX_PARALLEL)
    try:
        value = int(str(args.parallel))
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(
            f"--parallel {args.parallel} is not a whole number of at least 1.",
            "Give how many targets may run at once, like --parallel 4.",
            source="--parallel",
        )
    return min(value, MAX_PARALLEL)


# -- the index -------------------------------------------------------------------------------


def _index(
    plans: list[Planned],
    root: Path,
    baseline: LoadedRun | None,
    args: argparse.Namespace,
    read: Mapping[str, TargetRecord],
) -> FleetIndex:
    records = [read.get(plan.spec.name) or _record(plan, root) for plan in plans]
    changes: list[Change] = []
    if baseline is not None and baseline.fleet is not None:
        before = {t.name for t in baseline.fleet.targets}
        now = {p.spec.name for p in plans}
        changes += [
            Change("target", name, "not in the baseline", "in this run", CHANGE)
            for name in sorted(now - before)
        ]
        # With --only, the others are not gone: they were not asked for.
        if not args.only:
            changes += [
                Change("target", name, "in the baseline", "not in this run", CHANGE)
                for name in sorted(before - now)
            ]
    return build_index(
        records,
        fail_on=args.fail_on or "verdict",
        baseline=str(baseline.source) if baseline is not None else "",
        target_changes=changes,
    )


def _record(plan: Planned, root: Path) -> TargetRecord:
    name, position = plan.spec.name, plan.spec.position
    relative = os.path.relpath(plan.report_dir, root)
    if plan.problem:
        return TargetRecord(
            name, position, "", None, CONFIGURATION_ERROR, plan.problem, EXIT_CONFIG_ERROR
        )
    if plan.process is None:
        return TargetRecord(
            name,
            position,
            "",
            None,
            NOT_RUN,
            "the fleet was interrupted before it started",
            EXIT_INTERRUPTED,
        )
    summary_path = plan.report_dir / "summary.json"
    if summary_path.is_file():
        try:
            return TargetRecord(name, position, relative, load_summary(summary_path))
        except SummaryError as exc:
            problem = f"its summary.json cannot be read: {exc}"
    else:
        problem = (
            f"the run ended (exit {plan.exit_code}) without writing a summary; its terminal "
            f"output is {relative}/run.log"
        )
    code = plan.exit_code if plan.exit_code is not None and plan.exit_code > 0 else 1
    return TargetRecord(name, position, relative, None, NO_REPORT, problem, code)
