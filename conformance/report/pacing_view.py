"""The run's quota footprint beside its ceilings, and what changed since the baseline: for
``diagnosis.html`` (its ``pacing`` and ``since`` partials) and the terminal's verdict block
(pure: summary in, rows and lines out)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..summary.changes import Change
from ..summary.model import RunSummary
from .changes_text import change_line, comparison_lines, counts_phrase

# Pools that drew only the inventory's one free probe are folded into one line.
SHOWN_POOLS = 8


@dataclass(frozen=True)
class PoolRow:
    """One pool: its requests and tokens, its peaks per minute beside the ceilings."""

    name: str
    requests: int
    tokens: str
    peak_rpm: str
    peak_itpm: str
    peak_otpm: str
    waited: str
    over: bool  # a peak above its ceiling (the pacer's failure, shown, never hidden)


@dataclass(frozen=True)
class PacingView:
    """The footprint table and the sentence above it."""

    sentence: str
    rows: list[PoolRow] = field(default_factory=list)
    folded: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SinceView:
    """The "since the baseline" section."""

    headline: str
    changes: list[Change]
    lines: list[str]
    known_failures: list[str]


def _of(peak: int, ceiling: int | None) -> str:
    return f"{peak} / {ceiling}" if ceiling is not None else str(peak)


def pacing_view(summary: RunSummary) -> PacingView:
    """The run's footprint per pool, busiest first."""
    pacing = summary.pacing
    ceilings = pacing.ceilings
    if pacing.paced:
        shared = " shared with the fleet's other targets" if pacing.shared else ""
        sentence = (
            f"Paced under {ceilings.get('rpm')} requests, {ceilings.get('itpm')} uncached input "
            f"and {ceilings.get('otpm')} output tokens per minute per pool{shared} "
            f"({pacing.source}); a pool is a model at subscription '{pacing.subscription}'."
        )
    else:
        sentence = f"Not paced ({pacing.source or 'no ceiling'}): the run's own footprint per pool."
    pools = sorted(pacing.pools.items(), key=lambda item: (-item[1].requests, item[0]))
    busy = [item for item in pools if item[1].requests > 1 or item[1].waits]
    rows = [
        PoolRow(
            name=name,
            requests=pool.requests,
            tokens=f"{pool.input_tokens} + {pool.output_tokens}",
            peak_rpm=_of(pool.peak_rpm, ceilings.get("rpm")),
            peak_itpm=_of(pool.peak_itpm, ceilings.get("itpm")),
            peak_otpm=_of(pool.peak_otpm, ceilings.get("otpm")),
            waited=f"{pool.waits} waited {pool.waited_s:g} s" if pool.waits else "—",
            over=pacing.paced and pool.peak_rpm > (ceilings.get("rpm") or pool.peak_rpm),
        )
        for name, pool in busy[:SHOWN_POOLS]
    ]
    return PacingView(sentence, rows, len(pools) - len(rows), list(pacing.notes))


def pacing_lines(summary: RunSummary) -> list[str]:
    """The terminal's line about pacing (a paced run's): the busiest pool's peak beside the
    ceiling, and the waits; an unpaced run's footprint is in the report alone."""
    pacing = summary.pacing
    if not pacing.pools or not pacing.paced:
        return []
    name, busiest = max(pacing.pools.items(), key=lambda item: item[1].peak_rpm)
    rpm = pacing.ceilings.get("rpm")
    ceiling = f" (ceiling {rpm})" if rpm is not None else ""
    waited = sum(p.waits for p in pacing.pools.values())
    seconds = sum(p.waited_s for p in pacing.pools.values())
    wait = f"; {waited} requests waited {seconds:g} s for their pool" if waited else ""
    return [f"  quota: peak {busiest.peak_rpm} requests per minute in {name}{ceiling}{wait}"]


def since_view(summary: RunSummary) -> SinceView | None:
    """The "since the baseline" section (None without a baseline)."""
    comparison = summary.since_baseline
    if comparison is None:
        return None
    when = f" of {comparison.baseline_started_at}" if comparison.baseline_started_at else ""
    headline = (
        f"Compared with the run{when} in {comparison.baseline} "
        f"(verdict {comparison.baseline_verdict or 'unknown'}): {counts_phrase(comparison.changes)}."
    )
    return SinceView(
        headline,
        comparison.changes,
        [change_line(c) for c in comparison.changes],
        comparison.known_failures,
    )


def since_lines(summary: RunSummary) -> list[str]:
    """The terminal's "since the baseline" block."""
    if summary.since_baseline is None:
        return []
    return comparison_lines(summary.since_baseline)
