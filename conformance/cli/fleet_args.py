"""The command line's flags for pacing, baselines and fleets (``run``), and the ``merge`` and
``diff`` commands, kept apart from ``main`` so that it stays a table of the commands."""

from __future__ import annotations

import argparse
from typing import Any


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    """``run``'s quota-aware pacing, since-the-baseline and fleet flags."""
    pacing = run.add_argument_group(
        "quota-aware pacing",
        "ceilings per quota pool (a model at a subscription), per minute; default for live and "
        "record runs: the smallest paid default (40 requests, 40,000 uncached input and 8,000 "
        "output tokens); the embedded emulator is not paced unless a ceiling is given",
    )
    pacing.add_argument("--max-rpm", metavar="N", help="requests per minute per pool")
    pacing.add_argument("--max-itpm", metavar="N", help="uncached input tokens per minute per pool")
    pacing.add_argument("--max-otpm", metavar="N", help="output tokens per minute per pool")
    pacing.add_argument(
        "--subscription",
        metavar="LABEL",
        help="the subscription the resource bills to, as a label: targets of a fleet with the "
        "same label share pools (default: one shared label, 'default')",
    )
    compare = run.add_argument_group("since the last run")
    compare.add_argument(
        "--baseline",
        metavar="PATH",
        help="an earlier run (summary.json, fleet.json or its report directory): the report "
        "and the terminal show what changed since",
    )
    compare.add_argument(
        "--fail-on",
        metavar="WHAT",
        help="verdict (default: the exit status follows the verdict) | regressions (with "
        "--baseline: fail only on what got worse; known, unchanged failures do not)",
    )
    fleet = run.add_argument_group("fleets (see docs/fleet.example.toml)")
    fleet.add_argument(
        "--fleet",
        metavar="FILE",
        help="run every target of a fleet file, each into its own report directory under "
        "--report-dir, and write the fleet index (index.html, fleet.json)",
    )
    fleet.add_argument(
        "--only",
        action="append",
        metavar="NAME[,NAME]",
        help="with --fleet: only these targets, repeatable",
    )
    fleet.add_argument(
        "--parallel",
        metavar="N",
        help="with --fleet: how many targets run at once (default: all, at most 32)",
    )


def add_fleet_commands(commands: Any) -> None:
    """``merge`` and ``diff`` (``commands`` is the subparsers action of ``main``)."""
    merge = commands.add_parser(
        "merge",
        help="one fleet index from the report directories of separate runs",
        description="Build the fleet index (index.html, fleet.json) from the report "
        "directories of separate runs — each the --report-dir of a fleet run (the jobs of a CI "
        "matrix, each with --only) or of one run — copying each target's directory under --out. "
        "Exits with the fleet's status, as a fleet run does.",
        epilog="example: foundry-conformance merge artifacts/* --out reports",
    )
    merge.add_argument("dirs", nargs="+", metavar="DIR", help="a report directory of a run")
    merge.add_argument(
        "--out", default="reports", metavar="DIR", help="where the index goes (default reports/)"
    )

    diff = commands.add_parser(
        "diff",
        help="what changed between two runs (summaries, fleets or their report directories)",
        description="Compare two runs: checks that changed status, diagnoses that appeared or "
        "went away, capability cells that changed, latency beyond a threshold, and response "
        "headers or error bodies seen for the first time (drift), with request IDs.",
        epilog="example: foundry-conformance diff yesterday/ reports/ --fail-on regressions",
    )
    diff.add_argument("baseline", metavar="BASELINE", help="the earlier run")
    diff.add_argument("current", metavar="CURRENT", help="the later run")
    diff.add_argument(
        "--fail-on",
        metavar="WHAT",
        choices=("nothing", "regressions"),
        default="nothing",
        help="regressions: exit 1 when anything got worse (default: exit 0)",
    )
    diff.add_argument("--json", action="store_true", help="the changes as JSON")
    diff.add_argument(
        "--latency-ratio",
        metavar="X",
        help="a latency figure changed when it is X times the other (default 1.5)",
    )
    diff.add_argument(
        "--latency-floor-ms",
        metavar="MS",
        help="… and differs by at least MS milliseconds (default 100)",
    )
