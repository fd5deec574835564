"""The fleet index from literal summaries: the verdict per target first, each check's worst case,
capabilities when a summary has them, the pools targets shared, and the exit status — the worst
verdict, or under ``--fail-on regressions`` only what got worse."""

from __future__ import annotations

from dataclasses import asdict, replace

from conformance.core.platform_load import builtin_profile
from conformance.core.quota import Ceilings
from conformance.summary.changes import CHANGE, REGRESSION, Change, Comparison
from conformance.summary.fleet import (
    CONFIGURATION_ERROR,
    FleetIndex,
    TargetRecord,
    build_index,
    check_cells,
    worst_exit,
)
from conformance.summary.footprint import PacingFacts, footprint, peaks
from conformance.summary.load import read_typed
from conformance.summary.model import SecretScan
from tests.diagnosis.helpers import ix
from tests.report.factory import check, diagnosis, summary

PROFILE = builtin_profile()


def test_targets_come_in_the_files_order_with_their_verdicts_and_exit_statuses() -> None:
    records = [
        TargetRecord("westus", 1, "westus", summary(verdict="unreachable")),
        TargetRecord("eastus", 0, "eastus", summary()),
        TargetRecord(
            "staging",
            2,
            "",
            None,
            CONFIGURATION_ERROR,
            "api_key_env names KEY, which is not set",
            2,
        ),
    ]
    index = build_index(records)
    assert [(t.name, t.verdict, t.exit_code) for t in index.targets] == [
        ("eastus", "conformant", 0),
        ("westus", "unreachable", 3),
        ("staging", CONFIGURATION_ERROR, 2),
    ]
    assert index.targets[2].problem.startswith("api_key_env")
    assert index.verdicts == {"conformant": 1, "unreachable": 1, CONFIGURATION_ERROR: 1}
    assert index.exit_code == 3  # unreachable is worse than a target's configuration error


def test_the_worst_exit_status_orders_a_leak_over_every_verdict() -> None:
    assert worst_exit([0, 5, 2]) == 2
    assert worst_exit([2, 1]) == 1
    assert worst_exit([1, 3, 0]) == 3
    assert worst_exit([3, 4]) == 4
    assert worst_exit([0, 130, 4]) == 130
    assert worst_exit([]) == 0


def test_a_leaked_secret_in_the_fleets_own_files_is_exit_4() -> None:
    index = build_index([TargetRecord("a", 0, "a", summary())])
    index.secret_scan = SecretScan(clean=False, files_scanned=3, hits=["a/run.log"])
    from conformance.summary.fleet import fleet_exit

    assert fleet_exit(index) == 4


def test_a_check_shows_its_worst_case() -> None:
    cells = check_cells(
        [
            check("DEP-SERVES", params={"deployment": "d1"}),
            check("DEP-SERVES", "failed", params={"deployment": "d2"}),
            check("DEP-SERVES", "skipped", params={"deployment": "d3"}),
            check("MSG-BASIC"),
        ]
    )
    assert asdict(cells["DEP-SERVES"]) == {"status": "failed", "cases": 3, "not_passed": 2}
    assert asdict(cells["MSG-BASIC"]) == {"status": "passed", "cases": 1, "not_passed": 0}


def test_the_checks_are_listed_in_catalog_order_across_targets() -> None:
    index = build_index(
        [
            TargetRecord("a", 0, "a", summary([check("MSG-BASIC"), check("AUTH-API-KEY")])),
            TargetRecord("b", 1, "b", summary([check("EP-REACH")])),
        ]
    )
    assert index.checks == ["EP-REACH", "AUTH-API-KEY", "MSG-BASIC"]
    assert "EP-REACH" not in index.targets[0].checks


def test_capabilities_are_shown_when_a_summary_has_them() -> None:
    with_matrix = summary()
    with_matrix.capabilities = {  # type: ignore[attr-defined]
        "claude-sonnet-5-5": {
            "cells": {
                "CAP-STREAM": {"status": "supported"},
                "CAP-WEB-SEARCH": {"status": "refused", "drift": "documented-feature-refused"},
            }
        }
    }
    index = build_index(
        [TargetRecord("a", 0, "a", with_matrix), TargetRecord("b", 1, "b", summary())]
    )
    assert index.capabilities == ["CAP-STREAM", "CAP-WEB-SEARCH"]
    assert index.targets[0].capabilities == {
        "claude-sonnet-5-5": {
            "CAP-STREAM": "supported",
            "CAP-WEB-SEARCH": "refused (documented-feature-refused)",
        }
    }
    assert index.targets[1].capabilities == {}


def run_with_sends(times: list[float], subscription: str, rpm: int) -> object:
    interactions = [
        replace(ix(status=200, seq=i + 1), deployment="claude-sonnet-5-5", started_at=t)
        for i, t in enumerate(times)
    ]
    facts = PacingFacts(Ceilings(rpm, 40_000, 8_000), subscription, "the default")
    return summary(pacing=footprint(interactions, facts, PROFILE))


def test_a_pool_two_targets_share_shows_the_fleets_own_peak() -> None:
    a = run_with_sends([0.0, 1.0, 2.0, 70.0], "prod", 40)
    b = run_with_sends([0.5, 1.5, 65.0], "prod", 30)
    c = run_with_sends([0.5], "staging", 40)
    index = build_index(
        [TargetRecord(n, i, n, s) for i, (n, s) in enumerate([("a", a), ("b", b), ("c", c)])]
    )  # type: ignore[arg-type]
    shared = index.pools["prod/claude-sonnet-5-5"]
    assert shared.targets == ["a", "b"]
    assert shared.requests == 7
    assert shared.peak_rpm == 5  # 0, 0.5, 1, 1.5, 2 in one minute; 65 and 70 in the next
    assert shared.ceiling_rpm == 30
    assert index.pools["staging/claude-sonnet-5-5"].targets == ["c"]
    assert index.targets[0].pools["prod/claude-sonnet-5-5"].peak_rpm == 3


def test_peaks_are_over_half_open_minutes() -> None:
    assert peaks([[0, 1, 1], [59.9, 1, 1], [60.0, 1, 1]], 60.0) == (2, 2, 2)
    assert peaks([], 60.0) == (0, 0, 0)


def comparison(*directions: str) -> Comparison:
    return Comparison(
        "baseline",
        changes=[Change("check", f"C{i}", "passed", "failed", d) for i, d in enumerate(directions)],
    )


def test_under_fail_on_regressions_a_known_failure_passes_and_a_new_one_fails() -> None:
    known = summary(
        [check("AUTH-API-KEY", "failed")], verdict="nonconformant", since_baseline=comparison()
    )
    worse = summary(
        [check("MSG-BASIC", "failed")],
        verdict="nonconformant",
        since_baseline=comparison(REGRESSION, CHANGE),
    )
    calm = build_index([TargetRecord("a", 0, "a", known)], fail_on="regressions")
    assert calm.exit_code == 0
    assert build_index([TargetRecord("a", 0, "a", known)]).exit_code == 1
    index = build_index(
        [TargetRecord("a", 0, "a", known), TargetRecord("b", 1, "b", worse)], fail_on="regressions"
    )
    assert index.exit_code == 1 and index.regressions == 1
    # A target new to the fleet has no baseline: its verdict counts.
    new = build_index(
        [
            TargetRecord("a", 0, "a", known),
            TargetRecord("c", 1, "c", summary(verdict="unreachable")),
        ],
        fail_on="regressions",
    )
    assert new.exit_code == 3


def test_the_index_reads_back_from_its_json() -> None:
    index = build_index(
        [
            TargetRecord(
                "a",
                0,
                "a",
                summary(
                    [check("MSG-BASIC", "failed")],
                    [diagnosis("malformed-response")],
                    verdict="nonconformant",
                    since_baseline=comparison(REGRESSION),
                ),
            ),
            TargetRecord("b", 1, "", None, CONFIGURATION_ERROR, "no key", 2),
        ]
    )
    data = asdict(index)
    again = read_typed(data, FleetIndex, "fleet.json")
    assert again == index
