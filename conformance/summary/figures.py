"""The run's figures, each computed once, here, from the interactions (pure).

Every number that more than one writer shows — the requests of the run and of each check, the
tokens, the latency and time to first token per deployment, the recording's age — is a field of
the summary set by this module; the writers only format it. So the terminal, the HTML report,
the ticket and ``summary.json`` cannot disagree.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime

from ..core.durations import whole_days
from ..core.interactions import Interaction
from .model import RUN_ROW, UsageTotals


def usage_totals(interactions: Sequence[Interaction]) -> UsageTotals:
    """Requests and tokens, in all, per deployment and per check.

    A request no check sent (the inventory of deployments, the choice of the primary auth) is
    the run's own: it counts under ``RUN_ROW``, so that the rows of ``by_check`` add up to
    ``requests``. A replay's request that its recording could not answer was never sent, and
    counts nowhere.
    """
    sent = [ix for ix in interactions if ix.unrecorded is None]
    totals = UsageTotals(requests=len(sent))
    for ix in sent:
        inp, out = ix.input_tokens or 0, ix.output_tokens or 0
        totals.input_tokens += inp
        totals.output_tokens += out
        check = ix.check_id or RUN_ROW
        for key, table in ((ix.deployment, totals.by_deployment), (check, totals.by_check)):
            if not key:
                continue
            row = table.setdefault(key, {"requests": 0, "input_tokens": 0, "output_tokens": 0})
            row["requests"] += 1
            row["input_tokens"] += inp
            row["output_tokens"] += out
    return totals


def _succeeded(ix: Interaction) -> bool:
    return ix.status is not None and 200 <= ix.status < 300 and ix.elapsed_ms is not None


def latency_by_deployment(
    interactions: Sequence[Interaction],
) -> dict[str, dict[str, float | None]]:
    """Per deployment: median and worst total latency of successful calls, and the quickest
    time to first token of a successful stream with that same stream's total (``stream_ms``).

    Both timings of a stream come from the seam's one clock, so ``ttft_ms <= stream_ms``.
    """
    out: dict[str, dict[str, float | None]] = {}
    for deployment in sorted({ix.deployment for ix in interactions if ix.deployment}):
        ok = [ix for ix in interactions if ix.deployment == deployment and _succeeded(ix)]
        totals = [ix.elapsed_ms for ix in ok if ix.elapsed_ms is not None]
        streams = [ix for ix in ok if ix.streamed and ix.ttft_ms is not None]
        first = min(streams, key=lambda ix: ix.ttft_ms or 0.0) if streams else None
        out[deployment] = {
            "requests": float(len(totals)),
            "median_ms": round(statistics.median(totals), 1) if totals else None,
            "max_ms": round(max(totals), 1) if totals else None,
            "ttft_ms": _tenth(first.ttft_ms) if first else None,
            "stream_ms": _tenth(first.elapsed_ms) if first else None,
        }
    return out


def _tenth(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def recording_age_days(recorded_at: datetime | None, finished_at: datetime) -> int | None:
    """Whole days from the recording to the end of this run (None: not a recording)."""
    return None if recorded_at is None else whole_days(recorded_at, finished_at)
