"""The compact verdict block printed at the end of a run (pure: summary in, lines out)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from ..summary.model import RunSummary
from ..summary.verdict import verdict_meaning
from .evidence import recording_age
from .matrix import terminal_lines
from .pacing_view import pacing_lines, since_lines

_MARK = {
    "conformant": "✔",
    "nonconformant": "✘",
    "misconfigured": "✘",
    "unreachable": "✘",
    "incomplete": "!",
}
# Lines of a cut-short cause's explanation shown here (the report and the ticket list them all).
SHOWN_DETAILS = 3


def verdict_block(summary: RunSummary, report_dir: Path) -> list[str]:
    """Verdict, counts, one line per diagnosis with its remedy, where the report is."""
    counts = summary.counts
    target = summary.target
    where = target.base_url
    if target.kind == "emulator":
        where = f"the embedded emulator ({target.emulator_profile or 'default'}) — proves nothing about Azure"
    elif target.kind == "replay":
        where = f"a replay of {target.cassettes} ({recording_age(summary)})"
        if target.emulator_profile is not None:
            where += f" from the embedded emulator ({target.emulator_profile}) — proves nothing about Azure"
    lines = [
        "",
        f"{_MARK.get(summary.verdict, '?')} foundry-conformance: {summary.verdict.upper()}"
        + (" (incomplete)" if summary.incomplete and summary.verdict != "incomplete" else ""),
        f"  {verdict_meaning(summary)}",
        f"  target: {where}",
        *_profile_line(summary),
        f"  checks: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['errors']} errors, {counts['skipped']} skipped",
        f"  usage: {summary.usage.requests} requests, {summary.usage.input_tokens} input + "
        f"{summary.usage.output_tokens} output tokens",
        *terminal_lines(summary),
    ]
    lines += pacing_lines(summary)
    failing = _failing(summary)
    if failing:
        lines.append(f"  not passed: {failing}")
    lines += _cut_short_lines(summary)
    for diagnosis in summary.diagnoses:
        lines.append(f"  [{diagnosis.severity}] {diagnosis.code}: {diagnosis.title}")
        lines.append(f"      → {diagnosis.remedy}")
    lines += since_lines(summary)
    scan = summary.secret_scan
    for note in scan.withheld:
        lines.append(f"  WITHHELD (a secret could not be removed): {note.file} — {note.reason}")
    if not scan.clean and not scan.withheld:
        lines.append("  SECRET FOUND in: " + ", ".join(scan.hits))
    for note in scan.redacted:
        lines.append(f"  redacted before it was published: {note.file} — {note.reason}")
    lines.append(f"  report: {report_dir / 'diagnosis.html'}")
    return lines


SHOWN_SKIPPED_IDS = 6


def skip_lines(summary: RunSummary) -> list[str]:
    """The skipped cases folded by reason: ``N skipped: reason (count: IDs)``, the most common
    reason first. Cases held back when the run was cut short are under "cut short" instead."""
    groups: dict[str, list[str]] = {}
    for check in summary.checks:
        if check.status == "skipped" and check.cut_short is None:
            groups.setdefault(check.skip_kind or check.reason, []).append(check.id)
    if not groups:
        return []
    total = sum(len(ids) for ids in groups.values())
    lines = ["", f"{total} skipped:"]
    for reason, ids in sorted(groups.items(), key=lambda group: -len(group[1])):
        unique = list(dict.fromkeys(ids))
        shown = ", ".join(unique[:SHOWN_SKIPPED_IDS])
        if len(unique) > SHOWN_SKIPPED_IDS:
            shown += f" and {len(unique) - SHOWN_SKIPPED_IDS} more"
        lines.append(f"  {reason} ({len(ids)}: {shown})")
    return lines


def _cut_short_lines(summary: RunSummary) -> list[str]:
    """Each cause that cut the run short, with the first lines of what explains it."""
    lines = []
    for entry in summary.cut_short:
        unjudged = f" ({len(entry.checks)} not judged)" if entry.checks else ""
        lines.append(f"  cut short{unjudged}: {entry.summary}")
        lines += [f"      {detail}" for detail in entry.details[:SHOWN_DETAILS]]
        more = len(entry.details) - SHOWN_DETAILS
        if more > 0:
            lines.append(f"      … {more} more in the report")
        if entry.remedy:
            lines.append(f"      → {entry.remedy}")
    return lines


def _profile_line(summary: RunSummary) -> list[str]:
    profile = summary.platform_profile
    if not profile:
        return []
    return [f"  platform profile: {profile['version']} of {profile['date']} ({profile['source']})"]


SHOWN_FAILING = 12


def _failing(summary: RunSummary) -> str:
    """The checks that failed or could not judge, by ID (a case once per ID), at most a dozen."""
    ids = list(
        dict.fromkeys(
            c.id
            for c in summary.checks
            if c.status in ("failed", "error") and c.cut_short is None  # those: under "cut short"
        )
    )
    shown = ", ".join(ids[:SHOWN_FAILING])
    more = len(ids) - SHOWN_FAILING
    return shown + (f" and {more} more" if more > 0 else "")


def wrapped(lines: list[str], width: int) -> list[str]:
    """``lines`` fitted to a terminal ``width`` columns wide: each long line breaks between
    words, its continuation indented two columns deeper than the line (paths are never broken)."""
    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        out += textwrap.wrap(
            line.strip(),
            width=max(width, 40),
            initial_indent=indent,
            subsequent_indent=indent + "  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
    return out
