"""``foundry-conformance diff BASELINE CURRENT``: what changed between two runs — two
``summary.json``, two ``fleet.json`` or the report directories that hold them.

A fleet is compared target by target (by name); a target that came or went is a change of its
own. Exit status 0, or with ``--fail-on regressions`` 1 when anything got worse; 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from ..core.errors import ConfigError
from ..report.changes_text import comparison_lines
from ..summary.baseline import LoadedRun, load_run
from ..summary.changes import CHANGE, REGRESSION, Change, Comparison
from ..summary.compare import Thresholds, compare_runs, verdict_direction


def compare_loaded(before: LoadedRun, after: LoadedRun, thresholds: Thresholds) -> list[Comparison]:
    """One comparison per target (one for two single runs)."""
    if before.summary is not None and after.summary is not None:
        return [
            compare_runs(
                before.summary, after.summary, source=str(before.source), thresholds=thresholds
            )
        ]
    if before.fleet is None or after.fleet is None:
        raise ConfigError(
            f"{before.source} and {after.source} are not the same kind of run: one is a fleet's "
            "index, the other one run's summary.",
            "Compare two summaries, or two fleets (or a fleet target's directory with the same "
            "target's directory of the other run).",
            source="diff",
        )
    old_targets = {t.name: t for t in before.fleet.targets}
    comparisons = []
    extra: list[Change] = []
    for target in after.fleet.targets:
        old_summary = (before.summaries or {}).get(target.name)
        new_summary = (after.summaries or {}).get(target.name)
        if target.name not in old_targets:
            extra.append(
                Change(
                    "target",
                    target.name,
                    "not in the baseline",
                    target.verdict,
                    CHANGE,
                    target=target.name,
                )
            )
            continue
        if old_summary is not None and new_summary is not None:
            comparisons.append(
                compare_runs(
                    old_summary,
                    new_summary,
                    source=str(before.source),
                    thresholds=thresholds,
                    target=target.name,
                )
            )
            continue
        was = old_targets[target.name].verdict
        direction = verdict_direction(was, target.verdict) or (
            "" if was == target.verdict else CHANGE
        )
        if direction:
            extra.append(
                Change("verdict", "verdict", was, target.verdict, direction, target=target.name)
            )
    new_names = {t.name for t in after.fleet.targets}
    extra += [
        Change("target", name, old.verdict, "not in this run", CHANGE, target=name)
        for name, old in old_targets.items()
        if name not in new_names
    ]
    if extra:
        comparisons.append(Comparison(baseline=str(before.source), changes=extra))
    return comparisons


def diff_command(args: argparse.Namespace, out: TextIO) -> int:
    """Print what changed; the exit status says whether anything got worse (``--fail-on``)."""
    before, after = load_run(Path(args.baseline)), load_run(Path(args.current))
    thresholds = Thresholds(
        ratio=_number(args.latency_ratio, "--latency-ratio", 1.5, 1.0),
        floor_ms=_number(args.latency_floor_ms, "--latency-floor-ms", 100.0, 0.0),
    )
    comparisons = compare_loaded(before, after, thresholds)
    changes = [c for comparison in comparisons for c in comparison.changes]
    if args.json:
        out.write(
            json.dumps(
                {
                    "baseline": str(before.source),
                    "current": str(after.source),
                    "changes": [asdict(c) for c in changes],
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    else:
        out.write(f"foundry-conformance diff: {before.source} → {after.source}\n")
        merged = Comparison(
            baseline=str(before.source),
            baseline_started_at=comparisons[0].baseline_started_at if comparisons else "",
            changes=changes,
            known_failures=[
                (f"{c.target}: " if c.target else "") + f
                for c in comparisons
                for f in c.known_failures
            ],
        )
        for line in comparison_lines(merged, indent=""):
            out.write(line + "\n")
    regressed = any(c.direction == REGRESSION for c in changes)
    return 1 if args.fail_on == "regressions" and regressed else 0


def _number(value: str | None, flag: str, default: float, minimum: float) -> float:
    if value in (None, ""):
        return default
    try:
        number = float(str(value))
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ConfigError(
            f"{flag} {value} is not a number of at least {minimum:g}.",
            f"Give a number like {flag} {default:g}.",
            source=flag,
        )
    return number
