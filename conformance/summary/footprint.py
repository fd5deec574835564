"""The run's own footprint per quota pool: its requests and tokens, and the most it drew from each
pool in any one window (peak requests, uncached input tokens and output tokens per minute),
beside the ceilings it was paced under (pure).

Computed from the interactions themselves, not from the pacer's bookkeeping, so that it checks
the pacer: a peak above its ceiling would show here. ``sends`` keeps each request's time and
tokens, so that a fleet's index can tell the peak of a pool its targets shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..core.interactions import Interaction
from ..core.platform import PlatformProfile
from ..core.quota import WINDOW_S, Ceilings, pool_key


@dataclass
class PoolFootprint:
    """What the run drew from one pool."""

    model: str
    subscription: str
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    peak_rpm: int = 0
    peak_itpm: int = 0
    peak_otpm: int = 0
    # Requests that waited for the pool under its ceilings, and how long in all.
    waits: int = 0
    waited_s: float = 0.0
    # [sent at (Unix time, s), uncached input tokens, output tokens], in order.
    sends: list[list[float]] = field(default_factory=list)


@dataclass
class PacingSummary:
    """The ceilings a run was paced under (none: not paced) and its footprint per pool."""

    paced: bool = False
    source: str = ""
    window_s: float = WINDOW_S
    ceilings: dict[str, int | None] = field(default_factory=dict)
    subscription: str = ""
    shared: bool = False  # the pools were a fleet's, shared with its other targets
    pools: dict[str, PoolFootprint] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the pacing met on the way


@dataclass(frozen=True)
class PacingFacts:
    """What the run knew of its pacing, handed to the summary by the plugin."""

    ceilings: Ceilings | None
    subscription: str
    source: str = ""
    shared: bool = False
    waits: Mapping[str, tuple[int, float]] = field(default_factory=dict)  # pool → (n, s)
    notes: tuple[str, ...] = ()


def footprint(
    interactions: Sequence[Interaction], facts: PacingFacts, profile: PlatformProfile
) -> PacingSummary:
    """The run's footprint per pool, beside its ceilings."""
    pools: dict[str, PoolFootprint] = {}
    for ix in interactions:
        if not ix.deployment:
            continue  # no model's pool: a listing, an unsupported endpoint
        model = profile.model(ix.deployment)
        name = model.id if model is not None else ix.deployment
        pool = pools.setdefault(
            pool_key(facts.subscription, name), PoolFootprint(name, facts.subscription)
        )
        used_in, used_out = ix.input_tokens or 0, ix.output_tokens or 0
        pool.requests += 1
        pool.input_tokens += used_in
        pool.output_tokens += used_out
        pool.sends.append([round(ix.started_at, 3), used_in, used_out])
    for key, pool in pools.items():
        pool.sends.sort()
        pool.peak_rpm, pool.peak_itpm, pool.peak_otpm = peaks(pool.sends, WINDOW_S)
        pool.waits, waited = facts.waits.get(key, (0, 0.0))
        pool.waited_s = round(waited, 1)
    ceilings = facts.ceilings
    return PacingSummary(
        paced=ceilings is not None,
        source=facts.source,
        ceilings=ceilings.as_dict() if ceilings is not None else {},
        subscription=facts.subscription,
        shared=facts.shared,
        pools=dict(sorted(pools.items())),
        notes=list(facts.notes),
    )


def peaks(sends: Iterable[Sequence[float]], window_s: float) -> tuple[int, int, int]:
    """The most requests, input tokens and output tokens of ``sends`` in any window of
    ``window_s`` seconds (half-open, as a meter's minute is)."""
    ordered = sorted((float(s[0]), int(s[1]), int(s[2])) for s in sends)
    best = [0, 0, 0]
    start = 0
    in_window = [0, 0]
    for end, (at, used_in, used_out) in enumerate(ordered):
        in_window[0] += used_in
        in_window[1] += used_out
        while ordered[start][0] <= at - window_s:
            in_window[0] -= ordered[start][1]
            in_window[1] -= ordered[start][2]
            start += 1
        best = [
            max(best[0], end - start + 1),
            max(best[1], in_window[0]),
            max(best[2], in_window[1]),
        ]
    return best[0], best[1], best[2]
