"""The model of what changed between two runs (``summary.compare`` finds it; the summary keeps it
as ``since_baseline`` and the fleet index per target). Pure data."""

from __future__ import annotations

from dataclasses import dataclass, field

REGRESSION, IMPROVEMENT, DRIFT, CHANGE = "regression", "improvement", "drift", "change"
DIRECTIONS = (REGRESSION, DRIFT, CHANGE, IMPROVEMENT)  # the order they are listed in


@dataclass
class Change:
    """One thing that differs between the baseline and this run."""

    kind: str  # verdict | check | diagnosis | capability | latency | header | error-body | target
    subject: str
    before: str
    after: str
    direction: str
    detail: str = ""
    request_ids: list[str] = field(default_factory=list)
    target: str = ""  # the fleet target it belongs to ("" for a single run)


@dataclass
class Comparison:
    """This run held against a baseline run."""

    baseline: str  # where the baseline came from, as given
    baseline_started_at: str = ""
    baseline_verdict: str = ""
    changes: list[Change] = field(default_factory=list)
    known_failures: list[str] = field(default_factory=list)  # failing in both runs
    target: str = ""  # the fleet target compared ("" for a single run)

    def count(self, direction: str) -> int:
        return sum(1 for change in self.changes if change.direction == direction)

    @property
    def regressions(self) -> int:
        return self.count(REGRESSION)
