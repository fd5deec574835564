"""The compact verdict block printed at the end of a run (pure: summary in, lines out)."""

from __future__ import annotations

from pathlib import Path

from ..summary.model import RunSummary
from ..summary.verdict import verdict_meaning
from .matrix import terminal_lines

_MARK = {"conformant": "✔", "nonconformant": "✘", "misconfigured": "✘", "unreachable": "✘"}


def verdict_block(summary: RunSummary, report_dir: Path) -> list[str]:
    """Verdict, counts, one line per diagnosis with its remedy, where the report is."""
    counts = summary.counts
    target = summary.target
    where = target.base_url
    if target.kind == "emulator":
        where = f"the embedded emulator ({target.emulator_profile or 'default'}) — proves nothing about Azure"
    elif target.kind == "replay":
        where = f"a replay of {target.cassettes} (recorded {target.recorded_at or 'at an unknown time'})"
        if target.emulator_profile is not None:
            where += f" from the embedded emulator ({target.emulator_profile}) — proves nothing about Azure"
    lines = [
        "",
        f"{_MARK.get(summary.verdict, '?')} foundry-conformance: {summary.verdict.upper()}"
        + (" (incomplete)" if summary.incomplete else ""),
        f"  {verdict_meaning(summary)}",
        f"  target: {where}",
        *_profile_line(summary),
        f"  checks: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['errors']} errors, {counts['skipped']} skipped",
        f"  usage: {summary.usage.requests} requests, {summary.usage.input_tokens} input + "
        f"{summary.usage.output_tokens} output tokens",
        *terminal_lines(summary),
    ]
    failing = _failing(summary)
    if failing:
        lines.append(f"  not passed: {failing}")
    for diagnosis in summary.diagnoses:
        lines.append(f"  [{diagnosis.severity}] {diagnosis.code}: {diagnosis.title}")
        lines.append(f"      → {diagnosis.remedy}")
    if not summary.secret_scan.clean:
        lines.append("  SECRET FOUND in: " + ", ".join(summary.secret_scan.hits))
    lines.append(f"  report: {report_dir / 'diagnosis.html'}")
    return lines


def _profile_line(summary: RunSummary) -> list[str]:
    profile = summary.platform_profile
    if not profile:
        return []
    return [f"  platform profile: {profile['version']} of {profile['date']} ({profile['source']})"]


SHOWN_FAILING = 12


def _failing(summary: RunSummary) -> str:
    """The checks that failed or could not judge, by ID (a case once per ID), at most a dozen."""
    ids = list(dict.fromkeys(c.id for c in summary.checks if c.status in ("failed", "error")))
    shown = ", ".join(ids[:SHOWN_FAILING])
    more = len(ids) - SHOWN_FAILING
    return shown + (f" and {more} more" if more > 0 else "")
