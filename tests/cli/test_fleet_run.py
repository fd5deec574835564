"""Which of a fleet's targets pace with the book the fleet serves (pure: plans, no processes)."""

from __future__ import annotations

from pathlib import Path

from conformance.cli.fleet_run import Planned, sharing_a_subscription
from conformance.config.fleet import TargetSpec


def plan(name: str, subscription: str, *, paced: bool = True) -> Planned:
    spec = TargetSpec(name, 0, {"subscription": subscription}, {})
    return Planned(spec, Path(name), paced=paced, subscription=subscription)


def test_only_targets_that_share_a_subscription_share_the_fleets_book() -> None:
    plans = [
        plan("east", "prod"),
        plan("west", "prod"),
        plan("staging", "dev"),
        plan("emulator", "prod", paced=False),  # not paced: it asks no book at all
    ]
    assert [p.spec.name for p in sharing_a_subscription(plans)] == ["east", "west"]


def test_a_fleet_of_one_target_per_subscription_serves_no_book() -> None:
    assert sharing_a_subscription([plan("a", "sub-a"), plan("b", "sub-b")]) == []
    # Targets without a label share one (the default), the safe assumption.
    assert len(sharing_a_subscription([plan("a", "default"), plan("b", "default")])) == 2
