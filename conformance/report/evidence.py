"""Reading a summary's evidence for the writers: times, which requests failed, which to quote (pure).

The HTML report and the support ticket both need the same answers ("which requests failed?",
"when, in UTC?"), so they are decided once, here, from the ``RunSummary`` alone.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from ..core.durations import days_text, parse_iso
from ..core.untrusted import parse_json
from ..summary.model import RUN_ROW, CheckResult, Evidence, RunSummary

JUDGED_STATUSES = ("failed", "error")
BODY_EXCERPT = 1200
NOT_REPORTED = "not reported by the service"
# What the run's own requests were for, in the words of a table cell.
RUN_STEPS = {"discovery": "inventory", "primary-auth": "auth choice"}


def utc_time(epoch: float, *, date: bool = True) -> str:
    """``2026-06-01 12:00:00.123 UTC`` (or ``12:00:00.123``) for an epoch timestamp; ``—`` if unknown."""
    if not epoch:
        return "—"
    try:
        moment = datetime.fromtimestamp(epoch, UTC)
    except (OverflowError, OSError, ValueError):
        return "—"  # a summary edited by hand, or broken: no time to show
    clock = moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
    return f"{moment:%Y-%m-%d} {clock} UTC" if date else clock


def iso_utc(text: str) -> str:
    """A summary timestamp as ``2026-06-01 12:00:00 UTC`` (as given when it cannot be read)."""
    moment = parse_iso(text)
    if moment is None:
        return text or "—"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def is_failure(evidence: Evidence) -> bool:
    """Whether an exchange failed on the wire: an HTTP error status, or no answer at all."""
    return evidence.status is None or evidence.status >= 400


def status_text(evidence: Evidence) -> str:
    """``401``, or the transport error that replaced the status."""
    if evidence.status is not None:
        return str(evidence.status)
    return evidence.error_class or "no answer"


def body_excerpt(body: str | None, limit: int = BODY_EXCERPT) -> str:
    """A (redacted) error body, pretty when it is JSON, cut at ``limit`` characters."""
    if not body:
        return ""
    text = body.strip()
    with contextlib.suppress(ValueError):  # not JSON, or beyond a body's bounds: as it came
        text = json.dumps(parse_json(text, source="the body"), indent=2, ensure_ascii=False)
    if len(text) > limit:
        return f"{text[:limit]}… [{len(text) - limit} more characters]"
    return text


def region_of(summary: RunSummary) -> str:
    """The Azure region a response named (``x-ms-region``), or that the service did not say."""
    for evidence in all_evidence(summary):
        # Evidence gains a ``region`` field once the client keeps x-ms-region; until then the
        # service's region is unknown to the summary, and the writers say so instead of guessing.
        region = getattr(evidence, "region", None)
        if isinstance(region, str) and region:
            return region
    return NOT_REPORTED


def _key(evidence: Evidence) -> tuple[object, ...]:
    if evidence.seq:
        return (evidence.seq,)
    return (evidence.method, evidence.path, evidence.apim_request_id, evidence.started_at)


def unique(rows: Iterable[Evidence]) -> list[Evidence]:
    """``rows`` without repeats (the same exchange is cited by several checks), in run order."""
    seen: dict[tuple[object, ...], Evidence] = {}
    for evidence in rows:
        seen.setdefault(_key(evidence), evidence)
    return sorted(seen.values(), key=lambda e: (e.seq or 10**9, e.started_at))


def all_evidence(summary: RunSummary) -> list[Evidence]:
    """Every request of the run, in run order (a summary written before the summary kept them
    all: every exchange it cites, from checks and diagnoses, once each)."""
    if summary.requests:
        return list(summary.requests)
    rows = [e for check in summary.checks for e in check.evidence]
    rows += [e for diagnosis in summary.diagnoses for e in diagnosis.evidence]
    return unique(rows)


def sender(evidence: Evidence) -> str:
    """Who sent a request: its check, or the run itself and what for (``run: inventory`` of the
    deployments, ``run: auth choice`` of the primary auth), as ``usage.by_check`` counts it."""
    if evidence.check:
        return evidence.check
    step = evidence.run_step
    return f"{RUN_ROW}: {RUN_STEPS.get(step, step)}" if step else RUN_ROW


def recording_age(summary: RunSummary) -> str:
    """When this run's cassettes were recorded, and how long before it, in words
    (``recorded 2026-11-25 20:50:17 UTC, 5 days before this replay``): the summary's one age."""
    recorded_at = summary.target.recorded_at
    if not recorded_at:
        return "recorded at an unknown time"
    when = f"recorded {iso_utc(recorded_at)}"
    days = summary.target.recording_age_days
    if days is None:
        return when
    return f"{when}, {days_text(days)} before this replay"


def judged_checks(summary: RunSummary) -> list[CheckResult]:
    """The checks that failed or could not judge (not those the run was cut short in: they
    were not judged at all)."""
    return [c for c in summary.checks if c.status in JUDGED_STATUSES and c.cut_short is None]


def failing_requests(summary: RunSummary) -> list[Evidence]:
    """The exchanges to quote as failing: HTTP errors and transport failures that made a check fail.

    An error its check expected (AUTH-MISSING's 401) is the documented behaviour, not a failure;
    a run-wide check's borrowed evidence counts only through the check that sent it. Errors that a
    diagnosis cites count too, when their own check did not pass or the harness sent them.
    """
    failed_ids = {c.id for c in judged_checks(summary)}
    rows = [
        e
        for check in judged_checks(summary)
        for e in check.evidence
        if is_failure(e) and e.check == check.id
    ]
    rows += [
        e
        for diagnosis in summary.diagnoses
        for e in diagnosis.evidence
        if is_failure(e) and (e.check is None or e.check in failed_ids)
    ]
    return unique(rows)


@dataclass(frozen=True)
class RequestShape:
    """What makes two failing requests the same for a reproduction: route, auth, deployment."""

    method: str
    path: str
    auth: str | None
    deployment: str | None


def distinct_shapes(rows: Iterable[Evidence]) -> list[RequestShape]:
    """The distinct request shapes among ``rows``, in order of first appearance."""
    shapes: dict[RequestShape, None] = {}
    for e in rows:
        shapes.setdefault(RequestShape(e.method, e.path, e.auth, e.deployment), None)
    return list(shapes)


def profile_text(profile: dict[str, str]) -> str:
    """Which platform profile set a run's expectations: ``2026.12 of 2026-12-01 (built-in)``."""
    if not profile:
        return "—"
    version, day = profile.get("version", "?"), profile.get("date", "?")
    return f"{version} of {day} ({profile.get('source', '?')})"
