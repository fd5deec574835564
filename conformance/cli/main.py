"""``foundry-conformance``: run the suite, serve the emulator, print a ticket, re-render a report.

Exit status of ``run`` (SPEC): 0 conformant; 1 non-conformant; 2 configuration error (an output
place the artifacts cannot go to included), nothing sent; 3 endpoint unreachable; 4 an artifact
was withheld: a secret could not be removed from it. The other commands exit 0 on success and 2
on bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from .. import __version__
from ..core.constants import POOL_THREAD_PREFIX
from ..core.errors import ConfigError, SummaryError
from ..core.platform_load import builtin_profile
from ..summary.load import load_summary
from ..summary.model import RunSummary
from .usage import Parser, profiles_epilog

EPILOG = """\
environment:
  ANTHROPIC_FOUNDRY_API_KEY         key for api-key / x-api-key auth (never pass keys as flags)
  ANTHROPIC_FOUNDRY_RESOURCE        resource name (mutually exclusive with the base URL)
  ANTHROPIC_FOUNDRY_BASE_URL        https://<resource>.services.ai.azure.com/anthropic/
  FOUNDRY_CONFORMANCE_ENTRA_TOKEN   a pre-fetched Entra ID token (az account get-access-token)

With no endpoint configured, `run` targets the embedded emulator (which proves nothing about Azure).
"""
DEFAULT_SUMMARY = Path("reports") / "summary.json"


def build_parser() -> argparse.ArgumentParser:
    """The command line, as SPEC draws it."""
    parser = Parser(
        prog="foundry-conformance",
        description="Conformance and diagnostics for Claude in Microsoft Foundry.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True

    run = commands.add_parser(
        "run",
        help="run the conformance suite and write the diagnosis report",
        description="Run the conformance suite against a live endpoint, a recording, or the "
        "embedded emulator, and write diagnosis.html, summary.json, junit.xml, "
        "pytest-report.html and support-ticket.md into --report-dir.",
        epilog=f"{EPILOG}\n{profiles_epilog('--emulator')}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target = run.add_argument_group("target")
    # Not an argparse mutually exclusive group: the configuration layer refuses both with a
    # message that says which to keep, where argparse would only say "not allowed with".
    target.add_argument(
        "--resource", metavar="NAME", help="Foundry resource name (or --base-url, not both)"
    )
    target.add_argument(
        "--base-url", metavar="URL", help="https://NAME.services.ai.azure.com/anthropic/"
    )
    target.add_argument(
        "--deployment",
        action="append",
        metavar="NAME",
        help="deployment name, repeatable (default: the platform profile's default names that "
        "the resource serves, found with free count_tokens requests)",
    )
    target.add_argument(
        "--auth",
        action="append",
        metavar="MODE",
        help="api-key | x-api-key | entra, repeatable (default: every mode with credentials)",
    )
    target.add_argument(
        "--entra-scope",
        metavar="SCOPE",
        help=f"default {builtin_profile().default_scope}",
    )
    target.add_argument("--mode", metavar="MODE", help="live (default) | record | replay")
    target.add_argument(
        "--platform-profile",
        metavar="FILE",
        help="a platform profile (TOML) extending the built-in one (see docs/platform-profile.md)",
    )
    target.add_argument("--cassettes", metavar="DIR", help="cassette directory for record/replay")
    target.add_argument(
        "--overwrite",
        action="store_true",
        default=None,
        help="record into --cassettes DIR although it holds files no recording wrote there "
        "(they are left as they are; a file with a cassette's name is replaced)",
    )
    target.add_argument(
        "--max-cassette-age",
        metavar="DAYS",
        help="replay warns about cassettes older than DAYS (default 30)",
    )
    target.add_argument(
        "--emulator",
        nargs="?",
        const="",
        metavar="PROFILE",
        help="run against the embedded emulator, with PROFILE[,PROFILE] (listed below)",
    )
    what = run.add_argument_group("what to run")
    what.add_argument("--suite", metavar="NAME", help="smoke | standard (default) | full")
    what.add_argument(
        "--select",
        action="append",
        metavar="ID_OR_AREA",
        help="check ID (MSG-BASIC), prefix (AUTH-) or area (auth), repeatable",
    )
    what.add_argument(
        "--probe-rate-limit",
        action="store_true",
        default=None,
        help="enable the opt-in RL-429 probe (provokes a 429 on purpose)",
    )
    limits = run.add_argument_group("limits and output")
    limits.add_argument(
        "--max-requests", metavar="N", help="stop before sending more than N requests"
    )
    limits.add_argument("--max-tokens", metavar="N", help="stop once the run has used N tokens")
    limits.add_argument(
        "--timeout", metavar="S", help="per-request timeout in seconds (default 30)"
    )
    limits.add_argument("--max-latency-ms", metavar="MS", help="PERF-LATENCY fails above this")
    limits.add_argument("--max-ttft-ms", metavar="MS", help="PERF-LATENCY fails above this TTFT")
    limits.add_argument(
        "--jobs",
        metavar="N",
        default="auto",
        help="at most N requests in flight at once, the checks running concurrently on threads "
        "(auto: 4; 1 for a replay, which has nothing to wait for; 1 runs them one by one)",
    )
    limits.add_argument(
        "--report-dir", metavar="DIR", help="where the artifacts go (default reports/)"
    )
    limits.add_argument(
        "--redact-resource",
        action="store_true",
        default=None,
        help="scrub the resource host from cassettes",
    )
    limits.add_argument(
        "--pytest-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="pass ARG through to pytest (e.g. --pytest-arg=-x)",
    )

    emulator = commands.add_parser(
        "emulator",
        help="serve the embedded Foundry emulator",
        description="Serve the embedded Foundry emulator on HOST:PORT until Ctrl-C.",
        epilog=profiles_epilog("--profile"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    emulator.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")
    emulator.add_argument("--port", type=int, default=8800, help="default 8800 (0: any free port)")
    emulator.add_argument(
        "--profile",
        default="default",
        metavar="NAME[,NAME]",
        help="fault profiles to switch on (default: none; listed below)",
    )
    emulator.add_argument(
        "--deployment",
        action="append",
        metavar="NAME[,NAME]",
        help="deployment names to serve, repeatable (default: the platform profile's); each "
        "behaves as its model in the platform profile",
    )
    emulator.add_argument(
        "--platform-profile",
        type=Path,
        metavar="FILE",
        help="a platform profile (TOML) extending the built-in one, e.g. with a new model",
    )

    ticket = commands.add_parser(
        "ticket",
        help="print the support ticket of a run (Markdown, for Azure support)",
        description="Print the support ticket of a finished run to stdout: resource, region, "
        "deployments, auth modes, the UTC time window, every failing request with its request-id "
        "and apim-request-id, status and redacted error body, the diagnoses with remedies, "
        "versions, and a curl line per failing request with placeholders for secrets.",
        epilog="example: foundry-conformance ticket reports/summary.json > ticket.md",
    )
    ticket.add_argument(
        "summary",
        nargs="?",
        type=Path,
        default=DEFAULT_SUMMARY,
        metavar="SUMMARY_JSON",
        help=f"the summary.json a run wrote (default {DEFAULT_SUMMARY})",
    )

    report = commands.add_parser(
        "report",
        help="re-render the HTML diagnosis report from a summary.json",
        description="Re-render diagnosis.html from a run's summary.json (for example one a "
        "colleague sent, or after upgrading foundry-conformance), and print where it went.",
        epilog="example: foundry-conformance report --out /tmp/diagnosis.html (the last run's "
        "reports/summary.json)",
    )
    report.add_argument(
        "summary",
        nargs="?",
        type=Path,
        default=DEFAULT_SUMMARY,
        metavar="SUMMARY_JSON",
        help=f"the summary.json a run wrote (default {DEFAULT_SUMMARY})",
    )
    report.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="where to write the page (default: diagnosis.html next to SUMMARY_JSON)",
    )
    return parser


def _rendered(render: Callable[[RunSummary], str], path: Path) -> str:
    """``render`` of the summary at ``path``, which ``load_summary`` has checked field by field."""
    summary = load_summary(path)
    try:
        return render(summary)
    except Exception as exc:  # a writer's bug, met on a valid summary: one paragraph, not a dump
        raise SummaryError(
            f"{path} is a valid run summary, but writing it failed ({type(exc).__name__}: "
            f"{str(exc)[:200]}); please report this to the foundry-conformance maintainers, "
            "with the file"
        ) from None


def ticket_command(args: argparse.Namespace, out: TextIO) -> int:
    """``ticket``: the Markdown ticket of a saved run, on stdout."""
    from ..report import render_ticket

    out.write(_rendered(render_ticket, args.summary))
    return 0


def report_command(args: argparse.Namespace, out: TextIO) -> int:
    """``report``: ``diagnosis.html`` re-rendered from a saved run; prints where it went."""
    from ..report import render_html

    page = _rendered(render_html, args.summary)
    target: Path = args.out or args.summary.with_name("diagnosis.html")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, "utf-8")
    except OSError as exc:
        sys.stderr.write(
            f"foundry-conformance report: cannot write {target}: {exc.strerror or exc}; "
            "choose another place with --out FILE\n"
        )
        return 2
    out.write(f"report: {target}\n")
    return 0


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Entry point of the console script."""
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        # Each command's modules (pytest and the plugin, the report templates) load here, inside
        # the handling of Ctrl-C: an interrupt while they load is one line, not a traceback.
        if args.command == "run":
            from .run import run_command

            return run_command(args, env=os.environ, out=out)
        if args.command == "emulator":
            from .emulator import emulator_command

            return emulator_command(args, os.environ, out)
        if args.command == "ticket":
            return ticket_command(args, out)
        if args.command == "report":
            return report_command(args, out)
    except SummaryError as exc:
        sys.stderr.write(f"foundry-conformance {args.command}: {exc}\n")
        return 2
    except ConfigError as exc:
        sys.stderr.write(f"foundry-conformance: configuration error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("foundry-conformance: interrupted\n")
        return 130
    raise AssertionError(f"unhandled command {args.command!r}")


def console() -> NoReturn:
    """The console script: ``main``, then exit with its status.

    After a second Ctrl-C the requests still in flight under ``--jobs`` are left behind: their
    threads cannot be interrupted, and an ordinary exit would wait for them. The report is
    written by then, so the process ends at once.
    """
    code = main()
    if any(t.name.startswith(POOL_THREAD_PREFIX) and t.is_alive() for t in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
