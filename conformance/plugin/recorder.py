"""The plugin's bookkeeping: which checks run in what order, what each case ended as, and the
summary and artifacts at the end. Kept apart from ``plugin.hooks`` so that file stays a table of
contents.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import pytest

from ..config import Mode, Settings
from ..config.replay import option_differences
from ..core import catalog
from ..core.constants import ENV_UNPRIVILEGED_TOKEN
from ..core.errors import Outcome, Unavailable, UnknownSelection
from ..core.publish import Publisher
from ..core.redaction import Redactor
from ..recording import RecordedCase, RunOutcome
from ..report.artifacts import write_artifacts
from ..report.terminal import skip_lines, verdict_block
from ..summary.build import CaseOutcome, assemble_summary
from ..summary.cut_short import BUDGET, INTERRUPTED, UNRECORDED
from ..summary.model import RunSummary, Target
from ..target.run import FoundryRun
from .keys import SKIP_KIND_KEY, CaseEvidence, check_id_of
from .staging import StagedReports

# The outcome of a case until its call reports. pytest re-raises Ctrl-C (and pytest.exit) before
# it makes that report, so a case interrupted mid-call keeps this reason instead of none at all.
NOT_FINISHED = "not finished: the run was interrupted while this check ran"
# How the reason of a check held back once the run's budget is spent begins (serial or pooled).
NOT_RUN = "not run: "


@dataclass
class RunRecorder:
    """The state the plugin keeps for one session."""

    settings: Settings
    # How the flags our texts name are spelled for the interface in use (``core.flags``).
    hints: Callable[[str], str] = str
    # The run's one redactor (the target's too) and what publishes its files through it.
    redactor: Redactor = field(init=False)
    publisher: Publisher = field(init=False)
    staged: StagedReports = field(default_factory=StagedReports)
    run: FoundryRun | None = None
    summary: RunSummary | None = None
    outcomes: dict[str, CaseOutcome] = field(default_factory=dict)
    budget_message: str | None = None
    outside_suite: set[str] = field(default_factory=set)
    exit_code: int | None = None
    # What the run itself changed on the way (e.g. --jobs narrowed after a 429), for the summary.
    run_notes: list[str] = field(default_factory=list)
    # How the run was stopped, when it was ("interrupted (Ctrl-C)", "terminated (SIGTERM)").
    interruption: str | None = None
    started: float = field(default_factory=time.monotonic)
    # Files other writers made (junit.xml), brought up to date with the summary before the scan.
    before_scan: list[Callable[[RunSummary], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.redactor = Redactor(self.settings.secrets())
        self.publisher = Publisher(self.redactor)

    # -- collection ------------------------------------------------------------------------

    def wanted(self) -> set[str]:
        """The check IDs the run includes (``ValueError`` for an unknown ``--select``)."""
        try:
            wanted = {c.id for c in catalog.select(self.settings.suite, self.settings.select)}
        except UnknownSelection as exc:
            raise ValueError(str(exc)) from None
        if self.settings.suite == "standard" and not self.settings.select:
            # Opt-in probes stay visible in the default suite: listed as skipped, with how to run them.
            self.outside_suite = {c.id for c in catalog.CHECKS if c.opt_in}
            wanted |= self.outside_suite
        if self.settings.probe_rate_limit and not self.settings.select:
            # --probe-rate-limit asks for that probe by name, whatever the suite.
            wanted.add(catalog.RATE_LIMIT_PROBE)
            self.outside_suite.discard(catalog.RATE_LIMIT_PROBE)
        return wanted

    def plan(self, items: list[pytest.Item]) -> tuple[list[pytest.Item], list[pytest.Item]]:
        """The items to run, in run order, and those the suite / ``--select`` leave out."""
        wanted = self.wanted()
        order = {check.id: i for i, check in enumerate(catalog.CHECKS)}
        kept: list[tuple[int, int, int, pytest.Item]] = []
        deselected: list[pytest.Item] = []
        for position, item in enumerate(items):
            check_id = check_id_of(item)
            if check_id is None:
                continue
            if check_id not in catalog.BY_ID:
                raise ValueError(f"{item.nodeid} is marked with {check_id!r}, not a catalog ID")
            if check_id in wanted:
                phase = catalog.PHASES.index(catalog.BY_ID[check_id].phase)
                kept.append((phase, order[check_id], position, item))
            else:
                deselected.append(item)
        kept.sort(key=lambda entry: entry[:3])
        return [entry[3] for entry in kept], deselected

    def skip_reason(self, check_id: str) -> Unavailable | None:
        """Why ``check_id`` must not run now (opt-in not enabled, budget spent), if it must not."""
        # The run-wide checks send nothing: they judge whatever the run did send.
        sends = catalog.BY_ID[check_id].phase != "run-wide"
        stop = self.stop_reason() if sends else None
        if stop:
            return Unavailable(NOT_RUN + stop)
        replay = self.settings.kind is Mode.REPLAY
        if check_id in self.outside_suite:
            if replay:
                # Running it here would only fail as not recorded: say how to record it.
                kind = (
                    "opt-in probe, not part of the standard suite the recording ran, so the "
                    "cassettes hold no request for it: to replay it, re-record with --suite full"
                )
            else:
                kind = "opt-in probe, not part of the standard suite: run it with --suite full"
            return Unavailable(
                f"{kind} (or --select {check_id}){self._enable_hint(check_id)}", kind=kind
            )
        if check_id == catalog.RATE_LIMIT_PROBE and not self.settings.probe_rate_limit:
            if replay:
                return Unavailable(
                    "opt-in probe, recorded without --probe-rate-limit, so the cassettes hold no "
                    "request for it: to replay it, re-record with --probe-rate-limit"
                )
            return Unavailable(
                "opt-in probe: pass --probe-rate-limit to provoke a 429 on purpose "
                f"(it may send up to {self.settings.max_requests} requests)"
            )
        return None

    def _enable_hint(self, check_id: str) -> str:
        if check_id == "RL-429":
            return " and --probe-rate-limit"
        if check_id == "AUTH-RBAC" and self.settings.kind is Mode.REPLAY:
            # Whoever replays never set the variable: point at what recording it needs.
            return (
                " and the token of a principal without a data-plane role (README, "
                "Configuration: opt-in probes)"
            )
        if check_id == "AUTH-RBAC" and self.settings.kind is not Mode.EMULATOR:
            # The emulator mints a role-less token itself; a live run needs a real one.
            return f" and {ENV_UNPRIVILEGED_TOKEN} set"
        return ""

    # -- the run ---------------------------------------------------------------------------

    def start_run(self) -> FoundryRun:
        """The session's ``FoundryRun``, started once; when no deployment is named, the
        inventory of the profile's default names finds those the run tests."""
        if self.run is None:
            self.run = FoundryRun(
                self.settings, env=os.environ, redactor=self.redactor, publisher=self.publisher
            ).start()
            if self.settings.discovers_deployments:
                # A smoke run tests one deployment: it stops asking once one is found.
                self.run.take_inventory(complete=self.settings.suite != "smoke")
        return self.run

    def budget_spent(self, message: str) -> None:
        """Stop sending: every later check is skipped with ``message``."""
        self.budget_message = message

    def stop_reason(self) -> str | None:
        """Why no further check may start (the run's budget is spent), if so; once a check has
        been held back for it, the run is incomplete and the summary says why."""
        if self.budget_message is None and self.run is not None:
            spent = self.run.log.spent()
            if spent is not None:
                self.budget_spent(str(spent))
        return self.budget_message

    def record(
        self,
        item: pytest.Item,
        check_id: str,
        call: pytest.CallInfo[None],
        report: pytest.TestReport,
    ) -> None:
        """Fold one phase's report into the case's outcome."""
        outcome = self.outcomes.get(item.nodeid)
        if outcome is None:
            callspec = getattr(item, "callspec", None)
            params = dict(callspec.params) if callspec is not None else {}
            outcome = CaseOutcome(
                check_id=check_id,
                case=item.nodeid,
                params=_str_params(params),
                reason=NOT_FINISHED,
                cut_short="interrupted",
            )
            self.outcomes[item.nodeid] = outcome
        outcome.duration_s += report.duration
        self._absorb_properties(outcome, report)
        if report.skipped:
            outcome.status = "skipped"
            outcome.reason = _skip_reason(report)
            outcome.skip_kind = item.stash.get(SKIP_KIND_KEY, "")
            outcome.cut_short = "budget" if outcome.reason.startswith(NOT_RUN) else None
            return
        if report.passed:
            if report.when == "call":
                outcome.status = "passed"
                outcome.reason = str(outcome.details.get("note", ""))
                outcome.cut_short = None
            return
        exc = call.excinfo.value if call.excinfo is not None else None
        outcome.status, outcome.reason, codes = _classify_failure(report.when, exc)
        outcome.cut_short = _cut_short_by(exc)
        outcome.codes.extend(c for c in codes if c not in outcome.codes)

    @staticmethod
    def _absorb_properties(outcome: CaseOutcome, report: pytest.TestReport) -> None:
        """What a check recorded with ``record_property``: a note, figures, evidence from others."""
        for name, value in report.user_properties:
            if name == "evidence" and isinstance(value, list):
                outcome.evidence_seqs = [int(v) for v in value]
            else:
                outcome.details[name] = value

    def finish(self, *, interrupted: bool) -> None:
        """Assemble the summary; bring what pytest wrote up to date with it and publish that;
        publish the rest; stop the target."""
        if self.run is None:
            self.staged.publish(self.publisher)  # junit.xml, pytest-report.html: written by now
            return
        run = self.run
        try:
            cassettes_notes = run.cassettes.notes() if run.cassettes is not None else []
            self.summary = assemble_summary(
                target=target_of(run),
                interactions=run.log.snapshot(),
                outcomes=list(self.outcomes.values()),
                token_claims=run.token_claims,
                entra_scope=run.settings.entra_scope,
                redactor=run.redactor,
                started_at=run.started_at,
                finished_at=datetime.now(UTC),
                stopped=self._stopped(interrupted),
                notes=[*self._notes(), *cassettes_notes],
                sdk_version=_package_version("anthropic"),
                profile=run.settings.profile,
                hints=self.hints,
            )
            if run.cassettes is not None:
                # Before the reports, which say what became of it: metadata.json is an artifact.
                run.cassettes.finish(recorded_outcome(self.summary, run.token_scopes()))
            for bring_up_to_date in self.before_scan:
                bring_up_to_date(self.summary)  # junit.xml, in its staging file
            # Before the reports, which say what became of them.
            self.staged.publish(self.publisher)
            self.exit_code = write_artifacts(self.summary, run.settings.report_dir, self.publisher)
        finally:
            self.staged.publish(self.publisher)  # once: a no-op unless the summary failed
            run.close()

    def _notes(self) -> list[str]:
        return [*self.settings.notes, *self.settings.warnings, *self.run_notes]

    def _stopped(self, interrupted: bool) -> dict[str, str]:
        """Why the run stopped early, by cause, for the summary's ``cut_short``."""
        stopped = {}
        if interrupted:
            how = self.interruption or "interrupted (Ctrl-C)"
            stopped[INTERRUPTED] = (
                f"the run was {how} before every check had run: the report holds only the "
                "checks that finished"
            )
        if self.budget_message:
            stopped[BUDGET] = self.budget_message
        differences = option_differences(self.settings)
        if differences:
            stopped[UNRECORDED] = "this replay asks for " + "; ".join(differences)
        return stopped

    def case_evidence(self, item: pytest.Item) -> CaseEvidence:
        """The case's own exchanges, or (for a run-wide check, which sends nothing) those it
        judged, from the ``evidence`` property it recorded."""
        if self.run is None:
            return CaseEvidence()
        log = self.run.log
        own = log.for_case(item.nodeid)
        if own:
            return CaseEvidence(tuple(own))
        judged = {
            int(seq)
            for name, value in item.user_properties
            if name == "evidence" and isinstance(value, list)
            for seq in value
        }
        return CaseEvidence(tuple(ix for ix in log.snapshot() if ix.seq in judged), judged=True)

    def verdict_lines(self) -> list[str]:
        """The skips folded by reason, then the compact verdict block, for the terminal."""
        if self.summary is None:
            return []
        return [*skip_lines(self.summary), *verdict_block(self.summary, self.settings.report_dir)]


RECORDER_KEY = pytest.StashKey[RunRecorder]()


def recorded_outcome(summary: RunSummary, token_scopes: Mapping[str, str | None]) -> RunOutcome:
    """What a recording's ``metadata.json`` keeps of the judged run."""
    cases = [
        RecordedCase(c.id, c.case, c.status, c.reason, tuple(c.diagnoses)) for c in summary.checks
    ]
    return RunOutcome(summary.verdict, dict(summary.counts), cases, dict(token_scopes))


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def target_of(run: FoundryRun) -> Target:
    """What the run exercised, for the summary."""
    settings = run.settings
    return Target(
        kind=settings.kind.value,
        base_url=settings.base_url or "",
        resource=settings.resource,
        deployments=list(settings.deployments),
        auth_modes=[mode.value for mode in settings.auth_modes],
        emulator_profile=_emulator_profile(run),
        cassettes=str(settings.cassettes) if settings.cassettes else None,
        recorded_at=_recorded_at(run),
    )


def _recorded_at(run: FoundryRun) -> str | None:
    """When the interactions were recorded: now for a record run, the metadata's for a replay."""
    if run.settings.recording is not None:
        return run.settings.recording.recorded_at.isoformat(timespec="seconds")
    if run.settings.kind.value == "record":
        return run.started_at.isoformat(timespec="seconds")
    return None


def _emulator_profile(run: FoundryRun) -> str | None:
    """The emulator profile that answered: this run's, or the recording's for a replay of
    cassettes recorded from the emulator (which prove nothing about Azure either)."""
    settings = run.settings
    if settings.kind.value == "emulator":
        return settings.emulator_profiles
    source = settings.recording.source if settings.recording is not None else ""
    if source.startswith("emulator"):
        return source.removeprefix("emulator").removeprefix(":") or "default"
    return None


def _str_params(params: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in params.items()}


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr or "skipped")


def _cut_short_by(exc: BaseException | None) -> str | None:
    """How ``exc`` cut its case short (budget spent, not in the recording), if it did."""
    declared = getattr(exc, "outcome", None)
    return declared.cut_short if isinstance(declared, Outcome) else None


def _classify_failure(when: str, exc: BaseException | None) -> tuple[str, str, Sequence[str]]:
    """``(status, reason, codes)`` for a failed phase: as the exception's class declares it
    (``core.errors``), else a plain assertion is a failure and anything else could not judge."""
    if exc is None:
        return "error", f"failed in {when}", ()
    declared = getattr(exc, "outcome", None)
    if isinstance(declared, Outcome):
        status = declared.status if when == "call" else "error"
        return status, declared.prefix + str(exc), getattr(exc, "codes", ())
    first_line = str(exc).split("\n")[0]
    if isinstance(exc, AssertionError):
        return ("failed" if when == "call" else "error"), first_line, ()
    return "error", f"could not judge: {type(exc).__name__}: {first_line or type(exc).__name__}", ()
