"""Concurrency with pytest-xdist: checks on workers, one target and one summary on the controller.

A live run waits on the network, so independent checks run in parallel worker processes
(``foundry-conformance run --jobs N``, or ``pytest -n N``). To keep the run's results identical to
a serial run:

- the **controller** owns the target: it starts the emulator (one server, one rate limiter), opens
  the cassettes, chooses the primary auth once, and hands the workers the base URL, the choice and
  a shared request budget;
- the **workers** run the independent checks and, at the end, export their outcomes and redacted
  interactions through ``workeroutput``;
- the controller merges them (renumbering interactions in start order), then runs what must see the
  whole run or must run alone — the rate-limit probe, then the run-wide checks (RID-*,
  RL-HEADERS-ABSENT) — and reports those through the ordinary report hook, so that the terminal,
  JUnit and pytest-html show them like any other test.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from .assemble import CaseOutcome
from .client import tagged
from .config import Settings
from .failures import CannotJudge, CheckFailure
from .interactions import Interaction
from .judge.runwide import JUDGES
from .jwt_claims import TokenClaims
from .limits import SharedBudget
from .outcomes import PROBE_LAST, RUN_WIDE, RunRecorder
from .session import Unavailable

KEY = "foundry_conformance"
EXPORT_ATTRIBUTE = "foundry_export"
HELD_BACK = frozenset((*PROBE_LAST, *RUN_WIDE))
SUITE_MARKERS = ("conformance.suite", "conformance/suite")


def is_worker(config: pytest.Config) -> bool:
    """Whether this process is a pytest-xdist worker."""
    return hasattr(config, "workerinput")


def is_controller(config: pytest.Config) -> bool:
    """Whether this process distributes the suite to workers."""
    if is_worker(config) or getattr(config.option, "collectonly", False):
        return False
    if (getattr(config.option, "numprocesses", None) or 0) == 0:
        return False
    args = " ".join(str(a) for a in config.args)
    foundry_given = any(
        value is not None
        for name, value in vars(config.option).items()
        if name.startswith("foundry_")
    )
    return foundry_given or any(marker in args for marker in SUITE_MARKERS)


def worker_input(config: pytest.Config) -> dict[str, Any]:
    """What the controller handed this worker (empty outside a distributed run)."""
    data = getattr(config, "workerinput", {}).get(KEY)
    return dict(data) if isinstance(data, dict) else {}


def adopt_controller_target(config: pytest.Config, settings: Settings) -> Settings:
    """On a worker, talk to the controller's target (its emulator) instead of starting one."""
    base_url = worker_input(config).get("base_url")
    return settings.with_base_url(base_url) if base_url else settings


# -- the worker's side -------------------------------------------------------------------------


def claims_to_dict(claims: TokenClaims) -> dict[str, Any]:
    """A token's claims, for the trip to the controller (never the token itself)."""
    data = asdict(claims)
    for name in ("expires_at", "not_before"):
        value = data[name]
        data[name] = value.isoformat() if value else None
    return data


def claims_from_dict(data: dict[str, Any]) -> TokenClaims:
    """The inverse of ``claims_to_dict``."""
    values = dict(data)
    for name in ("expires_at", "not_before"):
        values[name] = datetime.fromisoformat(values[name]) if values.get(name) else None
    for name in ("audience", "roles", "scopes"):
        values[name] = tuple(values.get(name) or ())
    return TokenClaims(**values)


def _origin(config: pytest.Config) -> str:
    return str(getattr(config, "workerinput", {}).get("workerid", "worker"))


def case_export(config: pytest.Config, recorder: RunRecorder, case: str) -> dict[str, Any]:
    """One finished case, sent with its last report, so that an interrupted run keeps it.

    Only redacted interactions and public claims travel on reports (a plugin may write reports
    to disk); the tokens a worker fetched reach the controller through ``export`` alone.
    """
    run = recorder.run
    outcome = recorder.outcomes.get(case)
    return {
        "origin": _origin(config),
        "outcomes": [asdict(outcome)] if outcome is not None else [],
        "interactions": [ix.to_dict() for ix in run.log.for_case(case)] if run else [],
        "token_claims": (
            {k: claims_to_dict(v) for k, v in run.token_claims.items()} if run else {}
        ),
        "budget_message": recorder.budget_message,
    }


def export(config: pytest.Config, recorder: RunRecorder) -> None:
    """Hand the worker's outcomes and interactions to the controller; close the run."""
    run = recorder.run
    data: dict[str, Any] = {
        "origin": _origin(config),
        "outcomes": [asdict(o) for o in recorder.outcomes.values()],
        "held_back": recorder.held_back,
        "budget_message": recorder.budget_message,
    }
    if run is not None:
        data["interactions"] = [ix.to_dict() for ix in run.log.snapshot()]
        data["token_claims"] = {k: claims_to_dict(v) for k, v in run.token_claims.items()}
        # Tokens fetched on the worker: the controller scrubs and scans for them too.
        data["secrets"] = sorted(run.redactor.secrets)
        data["token_scopes"] = run.token_scopes()
        run.close()
    config.workeroutput[KEY] = data  # type: ignore[attr-defined]


# -- the controller's side ---------------------------------------------------------------------


class Controller:
    """The controller's hooks: the shared target, the merge, the held-back checks."""

    def __init__(self, config: pytest.Config, recorder: RunRecorder) -> None:
        self.config = config
        self.recorder = recorder
        self.exports: dict[str, dict[str, Any]] = {}
        recorder.wanted()  # the same suite bookkeeping the workers do (opt-in skip reasons)
        self._budget_dir = tempfile.TemporaryDirectory(prefix="foundry-conformance-")
        self.budget = SharedBudget(
            Path(self._budget_dir.name) / "budget", recorder.settings.max_requests
        )

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Start the target before the workers start."""
        self.recorder.start_run(shared_budget=self.budget)

    def pytest_configure_node(self, node: Any) -> None:
        """Tell a worker where the target is, which auth to use, and where the budget is kept."""
        run = self.recorder.start_run(shared_budget=self.budget)
        try:
            primary: str | None = run.primary_auth()[0]
        except Unavailable:
            primary = None
        node.workerinput[KEY] = {
            "base_url": run.settings.base_url,
            "primary_auth": primary,
            "budget_file": str(self.budget.path),
        }

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keep each case as it finishes (an interrupted run still reports what finished)."""
        data = getattr(report, EXPORT_ATTRIBUTE, None)
        if isinstance(data, dict):
            self._absorb(data)

    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """Keep what a finished worker exported."""
        data = getattr(node, "workeroutput", {}).get(KEY)
        if isinstance(data, dict):
            self._absorb(data)

    def _absorb(self, data: dict[str, Any]) -> None:
        slot = self.exports.setdefault(
            str(data.get("origin", "worker")),
            {
                "outcomes": {},
                "interactions": {},
                "token_claims": {},
                "secrets": set(),
                "token_scopes": {},
                "held_back": {},
                "budget_message": None,
            },
        )
        for raw in data.get("outcomes", []):
            slot["outcomes"][raw["case"]] = raw
        for raw in data.get("interactions", []):
            slot["interactions"][raw["seq"]] = raw
        slot["token_claims"].update(data.get("token_claims", {}))
        slot["secrets"].update(data.get("secrets", []))
        slot["token_scopes"].update(data.get("token_scopes", {}))
        slot["held_back"].update(data.get("held_back", {}))
        slot["budget_message"] = slot["budget_message"] or data.get("budget_message")

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Merge the workers' runs, then run the held-back checks (before JUnit is written)."""
        run = self.recorder.run
        if run is None:
            return
        batches = {
            origin: [Interaction.from_dict(ix) for ix in data["interactions"].values()]
            for origin, data in self.exports.items()
        }
        mapping = run.log.merge(batches)
        held_back: dict[str, str] = {}
        for origin, data in sorted(self.exports.items()):
            for secret in data.get("secrets", []):
                run.redactor.add(secret)
            for scope, reason in data.get("token_scopes", {}).items():
                if run.remote_token_scopes.get(scope, "") is not None:
                    run.remote_token_scopes[scope] = reason  # one token anywhere: it came
            for label, claims in data.get("token_claims", {}).items():
                run.token_claims.setdefault(label, claims_from_dict(claims))
            for raw in data["outcomes"].values():
                outcome = CaseOutcome(**raw)
                outcome.evidence_seqs = [
                    mapping[(origin, s)] for s in outcome.evidence_seqs if (origin, s) in mapping
                ]
                self.recorder.outcomes[outcome.case] = outcome
            held_back.update(data.get("held_back", {}))
            if data.get("budget_message") and not self.recorder.budget_message:
                self.recorder.budget_spent(str(data["budget_message"]))
        if exitstatus == pytest.ExitCode.INTERRUPTED:
            return  # the user asked to stop: report what finished, start nothing new
        order = [*PROBE_LAST, *RUN_WIDE]
        for check_id in sorted(held_back, key=order.index):
            self._run_held_back(check_id, held_back[check_id])

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """Remove the budget file (the summary has been written by now)."""
        self._budget_dir.cleanup()

    def _run_held_back(self, check_id: str, nodeid: str) -> None:
        run = self.recorder.run
        assert run is not None
        outcome = CaseOutcome(check_id=check_id, case=nodeid)
        started = time.monotonic()
        reason = self.recorder.skip_reason(check_id)
        if reason:
            outcome.status, outcome.reason = "skipped", reason
        elif check_id in JUDGES:
            verdict = JUDGES[check_id](run.log.snapshot())
            outcome.status, outcome.codes = verdict.status, list(verdict.codes)
            outcome.reason = verdict.reason if verdict.status != "passed" else verdict.note
            outcome.evidence_seqs = list(verdict.evidence)
            if verdict.note:
                outcome.details["note"] = verdict.note
        else:
            self._run_probe(outcome)
        outcome.duration_s = time.monotonic() - started
        self.recorder.outcomes[nodeid] = outcome
        emit_reports(self.config, outcome)

    def _run_probe(self, outcome: CaseOutcome) -> None:
        from .suite.probes import probe_rate_limit

        run = self.recorder.run
        assert run is not None
        record: Callable[[str, object], None] = outcome.details.__setitem__
        try:
            with tagged(check_id=outcome.check_id, case=outcome.case):
                probe_rate_limit(run, run.primary_deployment, record)
            outcome.status = "passed"
            outcome.reason = str(outcome.details.get("note", ""))
        except CheckFailure as exc:
            outcome.status, outcome.reason, outcome.codes = "failed", exc.message, list(exc.codes)
        except CannotJudge as exc:
            outcome.status, outcome.reason = "error", f"could not judge: {exc.message}"
            outcome.codes = list(exc.codes)
        except pytest.skip.Exception as exc:
            outcome.status, outcome.reason = "skipped", str(exc.msg)
        except Unavailable as exc:
            outcome.status, outcome.reason = "skipped", str(exc)


def emit_reports(config: pytest.Config, outcome: CaseOutcome) -> None:
    """Report a controller-run check through the ordinary hook (terminal, JUnit, pytest-html)."""
    from .junit_extras import LABEL_ATTRIBUTE  # it imports the plugin, which imports this module

    path, _, name = outcome.case.partition("::")
    location = (path, 0, name)
    label = outcome.check_id
    properties = [(k, v) for k, v in outcome.details.items()]
    phases: list[tuple[str, str, Any]] = []
    if outcome.status == "skipped":
        phases.append(("setup", "skipped", (path, 0, f"Skipped: {outcome.reason}")))
    else:
        phases.append(("setup", "passed", None))
        failed = outcome.status in ("failed", "error")
        phases.append(
            ("call", "failed" if failed else "passed", outcome.reason if failed else None)
        )
    phases.append(("teardown", "passed", None))
    for when, status, longrepr in phases:
        report = pytest.TestReport(
            nodeid=outcome.case,
            location=location,
            keywords={name: 1},
            outcome=status,  # type: ignore[arg-type]
            longrepr=longrepr,
            when=when,  # type: ignore[arg-type]
            user_properties=properties,
            duration=outcome.duration_s if when == "call" else 0.0,
        )
        setattr(report, LABEL_ATTRIBUTE, label)
        config.hook.pytest_runtest_logreport(report=report)
