"""What the recorder hands the summary about pacing, and how a run compares itself with its
baseline (``--baseline PATH``, ``--fail-on regressions``). Kept apart from ``recorder``."""

from __future__ import annotations

from ..config import Settings
from ..core.errors import SummaryError
from ..summary.baseline import load_baseline_summary
from ..summary.changes import Comparison
from ..summary.compare import compare_runs
from ..summary.footprint import PacingFacts
from ..summary.model import RunSummary
from ..summary.verdict import EXIT_NONCONFORMANT, EXIT_SECRET_LEAK
from ..target.run import FoundryRun

EXIT_CONFORMANT = 0


def pacing_facts(run: FoundryRun) -> PacingFacts:
    """The run's ceilings, its pools' subscription, and how long its requests waited."""
    pacing, pacer = run.settings.pacing, run.pacer
    waits = {pool: (w.requests, w.seconds) for pool, w in pacer.waits.items()} if pacer else {}
    return PacingFacts(
        pacing.ceilings,
        pacing.subscription,
        pacing.source,
        shared=pacer.shared if pacer is not None else False,
        waits=waits,
        notes=tuple(pacer.notes) if pacer is not None else (),
    )


def compare_with_baseline(summary: RunSummary, settings: Settings) -> Comparison | None:
    """What changed since ``--baseline`` (None without one). The command line has read it once
    before anything was sent; should it have gone since, the summary says so in a note."""
    if settings.baseline is None:
        return None
    try:
        baseline = load_baseline_summary(settings.baseline)
    except SummaryError as exc:
        summary.notes.append(f"--baseline could not be read at the end of the run: {exc}")
        return None
    return compare_runs(baseline, summary, source=str(settings.baseline))


def exit_under_policy(status: int, summary: RunSummary, settings: Settings) -> int:
    """The run's exit status under ``--fail-on``: the verdict's (SPEC), or with ``regressions``
    1 when anything got worse since the baseline and 0 otherwise; a leaked secret is 4 either
    way."""
    if settings.fail_on != "regressions" or status == EXIT_SECRET_LEAK:
        return status
    comparison = summary.since_baseline
    if comparison is None:
        return status  # the baseline could not be read: the verdict decides, as without one
    return EXIT_NONCONFORMANT if comparison.regressions else EXIT_CONFORMANT
