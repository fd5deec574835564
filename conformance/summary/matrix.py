"""The capability matrix of a run: per deployment, one cell per capability check (CAP-*), each
held against what the platform profile expects of the deployment's model, with the matrix's own
cost (pure).

A cell comes from its case: the state its probe recorded (``capability``, ``capability_cell``),
or — for a case the run never started (an opt-in probe outside the suite, a spent budget) —
*not judged* with the case's reason. The expectation is recomputed from the profile here, so that
every cell, probed or not, shows what the documentation says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..core.capability import CELL_STATUSES, expectation_for
from ..core.interactions import Interaction
from ..core.platform import PlatformProfile
from .model import CapabilityCell, CheckResult, DeploymentCapabilities, DiagnosisEntry

AREA = "capabilities"
# The matrix's own cost on a deployment: its requests, and the tokens its answers reported
# (prompt caching's writes and reads apart, as usage reports them).
COST_KEYS = (
    "requests",
    "input_tokens",
    "output_tokens",
    "cache_write_tokens",
    "cache_read_tokens",
)


def build_matrix(
    checks: Sequence[CheckResult],
    interactions: Sequence[Interaction],
    profile: PlatformProfile,
    deployments: Sequence[str] = (),
    diagnoses: Sequence[DiagnosisEntry] = (),
    said: Callable[[str], str] = str,
) -> dict[str, DeploymentCapabilities]:
    """The matrix, deployments in the run's order, capabilities in the catalog's; a cell names
    every finding that cites one of its requests (a refusal's ``feature-not-available`` too,
    though its case passed). ``said`` redacts a cell's reason (it quotes answers) and spells its
    flags for the interface in use, as every other text of the summary."""
    columns: dict[str, DeploymentCapabilities] = {}
    cases: dict[str, set[str]] = {}
    capability_checks = [c for c in checks if c.area == AREA and c.id in profile.capabilities]
    named = [c.params.get("deployment", "") for c in capability_checks]
    order = [*deployments, *_found(checks)]
    for name in dict.fromkeys([*(d for d in order if d in named), *named]):
        model = profile.model(name)
        columns[name] = DeploymentCapabilities(
            model=model.id if model is not None else None,
            profile=profile.summary_view(),
            cost=dict.fromkeys(COST_KEYS, 0),
        )
        cases[name] = set()
    for check in capability_checks:
        name = check.params.get("deployment", "")
        cell = _cell(check, profile, columns[name].model, said)
        seqs = {e.seq for e in cell.evidence}
        for entry in diagnoses:
            if entry.code not in cell.diagnoses and any(e.seq in seqs for e in entry.evidence):
                cell.diagnoses.append(entry.code)
        columns[name].cells[check.id] = cell
        cases[name].add(check.case)
    # A replay's request that no cassette answered was never sent: it costs nothing.
    for ix in (i for i in interactions if i.unrecorded is None):
        for name, owned in cases.items():
            if ix.case in owned:
                cost = columns[name].cost
                cost["requests"] += 1
                cost["input_tokens"] += ix.input_tokens or 0
                cost["output_tokens"] += ix.output_tokens or 0
                cost["cache_write_tokens"] += ix.cache_write_tokens or 0
                cost["cache_read_tokens"] += ix.cache_read_tokens or 0
    return columns


def _found(checks: Sequence[CheckResult]) -> list[str]:
    """The deployments the inventory found, in the order the run tests them."""
    for check in checks:
        inventory = check.details.get("inventory") if check.id == "DEP-INVENTORY" else None
        present = inventory.get("present") if isinstance(inventory, dict) else None
        if isinstance(present, list):
            return [str(name) for name in present]
    return []


def _cell(
    check: CheckResult, profile: PlatformProfile, model_id: str | None, said: Callable[[str], str]
) -> CapabilityCell:
    expectation = expectation_for(profile, check.id, profile.model(model_id))
    recorded = check.details.get("capability")
    status = recorded if recorded in CELL_STATUSES else "not-judged"
    detail: dict[str, Any] = check.details.get("capability_cell") or {}
    if not isinstance(detail, dict):
        detail = {}
    consistent = detail.get("consistent_with")
    return CapabilityCell(
        status=str(status),
        expected=expectation.expected,
        expected_by_option=expectation.by_option(),
        documented=expectation.describe(),
        conflicts=expectation.conflicts(),
        reason=said(str(detail.get("reason") or check.reason)),
        drift=str(detail.get("drift") or ""),
        consistent_with=[str(c) for c in consistent] if isinstance(consistent, list) else [],
        check_status=check.status,
        case=check.case,
        diagnoses=list(check.diagnoses),
        evidence=[e for e in check.evidence if e.check == check.id],
    )
