"""The rows of the diagnosis report: evidence, diagnoses, checks by area, deployments (pure).

Each is a small frozen record the template lays out; ``view`` assembles them into the page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..core.catalog import AREAS
from ..core.links import PLATFORM_GUIDE, guide_label, in_guide, link_label
from ..summary.model import CheckResult, DiagnosisEntry, Evidence, RunSummary
from .evidence import body_excerpt, is_failure, sender, status_text, utc_time
from .transcript import case_label

SEVERITY_RANK = {"blocker": 0, "warning": 1, "info": 2}
STATUS_WORD = {"passed": "passed", "failed": "failed", "error": "error", "skipped": "skipped"}
# A diagnosis quotes this many requests in full; the rest fold away (a header finding cites all).
EVIDENCE_SHOWN = 6


@dataclass(frozen=True)
class EvidenceRow:
    """One exchange as a table row."""

    seq: int
    check: str
    method: str
    path: str
    status: str
    failed: bool
    request_id: str
    apim_request_id: str
    client_request_id: str
    time_utc: str
    elapsed: str
    auth: str
    deployment: str
    error_code: str
    error_body: str


@dataclass(frozen=True)
class DocLink:
    """Where a diagnosis is documented: ``Guide`` (a section of the platform guide) or ``Source``
    (the page beyond it), with a label derived from the target and, for a web page, its address."""

    kind: str
    label: str
    url: str


def doc_links(guide_section: str, doc_url: str) -> list[DocLink]:
    """A diagnosis's guide section and source, each labelled by what it points at: the guide
    link names its section, any other page is named from its own address (``link_label``). A
    source that is no web page is left out (a summary from elsewhere may hold anything)."""
    url = doc_url if doc_url.startswith(("https://", "http://")) else ""
    links = []
    if guide_section or in_guide(url):
        anchored = url if in_guide(url) else PLATFORM_GUIDE
        label = guide_label(guide_section) if guide_section else link_label(anchored)
        links.append(DocLink("Guide", label, anchored))
    if url and not in_guide(url):
        links.append(DocLink("Source", link_label(url), url))
    return links


@dataclass(frozen=True)
class DiagnosisView:
    """One finding, with its evidence split into the rows shown and those folded away."""

    code: str
    title: str
    severity: str
    summary: str
    remedy: str
    links: list[DocLink]
    details: list[str]
    checks: list[str]
    shown: list[EvidenceRow]
    folded: list[EvidenceRow]
    bodies: list[tuple[str, str]]


@dataclass(frozen=True)
class CheckRow:
    """One check case."""

    id: str
    label: str
    title: str
    status: str
    severity: str
    reason: str
    params: list[tuple[str, str]]
    diagnoses: list[str]
    requests: int
    duration: str
    anchor: str = ""


@dataclass(frozen=True)
class AreaView:
    """The checks of one area, with its tally."""

    key: str
    name: str
    checks: list[CheckRow]
    tally: list[tuple[str, int]]


@dataclass(frozen=True)
class DeploymentRow:
    """Latency and token usage of one deployment."""

    name: str
    requests: int
    input_tokens: int
    output_tokens: int
    median_ms: str
    max_ms: str
    ttft_ms: str


def check_label(check: CheckResult) -> str:
    """``AUTH-BAD-KEY[api-key]``: the check ID, with its parameters when it runs more than once."""
    return case_label(check.id, "-".join(check.params.values()) or None)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f} ms"


def first_token(ttft_ms: float | None, stream_ms: float | None) -> str:
    """``12.0 ms of 15.3 ms``: a stream's time to first token within its own total."""
    if ttft_ms is None or stream_ms is None:
        return _ms(ttft_ms)
    return f"{_ms(ttft_ms)} of {_ms(stream_ms)}"


def evidence_row(evidence: Evidence, *, date: bool = True) -> EvidenceRow:
    """An exchange as a row; absent IDs are spelled out rather than left blank."""
    return EvidenceRow(
        seq=evidence.seq,
        check=sender(evidence),
        method=evidence.method,
        path=evidence.path,
        status=status_text(evidence),
        failed=is_failure(evidence),
        request_id=evidence.request_id or "—",
        apim_request_id=evidence.apim_request_id or "—",
        client_request_id=evidence.client_request_id or "—",
        time_utc=utc_time(evidence.started_at, date=date),
        elapsed=_ms(evidence.elapsed_ms),
        auth=evidence.auth or "—",
        deployment=evidence.deployment or "—",
        error_code=evidence.error_code or "",
        error_body=body_excerpt(evidence.error_body) if is_failure(evidence) else "",
    )


def diagnosis_view(entry: DiagnosisEntry, *, date: bool = True) -> DiagnosisView:
    """One finding; its failing exchanges are shown first."""
    ordered = sorted(entry.evidence, key=lambda e: not is_failure(e))
    rows = [evidence_row(e, date=date) for e in ordered]
    return DiagnosisView(
        code=entry.code,
        title=entry.title,
        severity=entry.severity,
        summary=entry.summary,
        remedy=entry.remedy,
        links=doc_links(entry.guide_section, entry.doc_url),
        details=list(entry.details),
        checks=list(dict.fromkeys(entry.checks)),
        shown=rows[:EVIDENCE_SHOWN],
        folded=rows[EVIDENCE_SHOWN:],
        bodies=distinct_bodies(rows),
    )


def distinct_bodies(rows: list[EvidenceRow]) -> list[tuple[str, str]]:
    """Each distinct error body once, with the requests (``#5 (401)``) that answered it."""
    seen: dict[str, list[str]] = {}
    for row in rows:
        if row.error_body:
            seen.setdefault(row.error_body, []).append(f"#{row.seq} ({row.status})")
    return [(", ".join(requests), body) for body, requests in seen.items()]


def sorted_diagnoses(summary: RunSummary, *, date: bool = True) -> list[DiagnosisView]:
    """The findings, blockers first; the engine's order within a severity."""
    ranked = sorted(summary.diagnoses, key=lambda d: SEVERITY_RANK.get(d.severity, 3))
    return [diagnosis_view(entry, date=date) for entry in ranked]


def check_row(check: CheckResult) -> CheckRow:
    """One check case as a row."""
    return CheckRow(
        id=check.id,
        label=check_label(check),
        title=check.title,
        status=STATUS_WORD.get(check.status, check.status),
        severity=check.severity,
        reason=check.reason,
        params=sorted(check.params.items()),
        diagnoses=list(check.diagnoses),
        requests=check.requests,
        duration=f"{check.duration_s:.2f} s",
    )


def area_views(summary: RunSummary) -> list[AreaView]:
    """Every check, grouped by area in the catalog's order (unknown areas last)."""
    order = {key: i for i, key in enumerate(AREAS)}
    groups: dict[str, list[CheckRow]] = {}
    anchored: set[str] = set()
    for check in summary.checks:
        # The first case of each check carries the anchor that diagnoses link to.
        anchor = "" if check.id in anchored else f"check-{check.id}"
        anchored.add(check.id)
        groups.setdefault(check.area, []).append(replace(check_row(check), anchor=anchor))
    views = []
    for key in sorted(groups, key=lambda k: (order.get(k, len(order)), k)):
        rows = groups[key]
        tally = [(s, sum(r.status == s for r in rows)) for s in STATUS_WORD]
        views.append(AreaView(key, AREAS.get(key, key), rows, [(s, n) for s, n in tally if n]))
    return views


def deployment_rows(summary: RunSummary) -> list[DeploymentRow]:
    """Per deployment: requests and tokens (usage) beside latency, configured deployments first."""
    usage = summary.usage.by_deployment
    names = list(dict.fromkeys([*summary.target.deployments, *usage, *summary.latency]))
    rows = []
    for name in names:
        tokens = usage.get(name, {})
        latency = summary.latency.get(name, {})
        rows.append(
            DeploymentRow(
                name=name,
                requests=int(tokens.get("requests", 0)),
                input_tokens=int(tokens.get("input_tokens", 0)),
                output_tokens=int(tokens.get("output_tokens", 0)),
                median_ms=_ms(latency.get("median_ms")),
                max_ms=_ms(latency.get("max_ms")),
                ttft_ms=first_token(latency.get("ttft_ms"), latency.get("stream_ms")),
            )
        )
    return rows
