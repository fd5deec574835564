"""The diagnosis report's view-model: everything the page shows, decided from a ``RunSummary`` (pure).

The template only lays this out; ordering, wording of banners, which rows are failures and how
numbers read are settled here, where unit tests can pin them without parsing HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from urllib.parse import urlsplit

from ..core.durations import parse_iso
from ..summary.model import RUN_ROW, CutShort, RunSummary
from ..summary.verdict import verdict_meaning
from .evidence import all_evidence, iso_utc, profile_text, recording_age
from .matrix import MatrixView, matrix_view
from .sections import (
    AreaView,
    CheckRow,
    DeploymentRow,
    DiagnosisView,
    EvidenceRow,
    area_views,
    deployment_rows,
    evidence_row,
    sorted_diagnoses,
)

VERDICT_WORD = {
    "conformant": "Conformant",
    "nonconformant": "Non-conformant",
    "misconfigured": "Misconfigured",
    "unreachable": "Unreachable",
    "incomplete": "Incomplete",
}
# How each verdict is coloured: only a conformant run is green.
VERDICT_TONE = {
    "conformant": "good",
    "nonconformant": "bad",
    "misconfigured": "bad",
    "unreachable": "bad",
    "incomplete": "warn",
}


@dataclass(frozen=True)
class VerdictView:
    """The banner: the verdict as a word and a colour, what it means, and the counts."""

    verdict: str
    word: str
    tone: str
    meaning: str
    counts: list[tuple[str, int]]
    incomplete: bool
    # Why the run is incomplete, one entry per cause (the summary's ``cut_short``).
    cut_short: list[CutShort] = field(default_factory=list)


@dataclass(frozen=True)
class TargetView:
    """What was exercised; ``loud`` when the run says nothing about Azure as it is now."""

    kind: str
    loud: bool
    headline: str
    detail: str
    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class SecretScanView:
    """The after-run secret scan, as the page states it."""

    state: str  # "clean" | "redacted" | "leak" (withheld) | "pending"
    text: str
    hits: list[str]


@dataclass(frozen=True)
class ReportView:
    """The whole page."""

    verdict: VerdictView
    target: TargetView
    diagnoses: list[DiagnosisView]
    areas: list[AreaView]
    skipped: list[CheckRow]
    correlation: list[EvidenceRow]
    deployments: list[DeploymentRow]
    usage_by_check: list[tuple[str, int, int, int]]
    totals: tuple[int, int, int]
    notes: list[str]
    incomplete: bool
    secret_scan: SecretScanView
    run_rows: list[tuple[str, str]]
    subject: str = ""
    finished: str = ""
    version: str = ""
    day: str = ""
    token_claims: list[tuple[str, str]] = field(default_factory=list)
    usage_note: str = ""
    matrix: MatrixView | None = None


def verdict_view(summary: RunSummary) -> VerdictView:
    """The verdict banner."""
    counts = summary.counts
    return VerdictView(
        verdict=summary.verdict,
        word=VERDICT_WORD.get(summary.verdict, summary.verdict),
        tone=VERDICT_TONE.get(summary.verdict, "bad"),
        meaning=verdict_meaning(summary),
        counts=[
            ("passed", counts.get("passed", 0)),
            ("failed", counts.get("failed", 0)),
            ("errors", counts.get("errors", 0)),
            ("skipped", counts.get("skipped", 0)),
        ],
        incomplete=summary.incomplete,
        cut_short=list(summary.cut_short),
    )


def target_view(summary: RunSummary) -> TargetView:
    """The target banner: loud for the emulator and for replays."""
    target = summary.target
    rows = [
        ("Endpoint", target.base_url or "—"),
        ("Resource", target.resource or "— (given as a base URL)"),
        ("Deployments", ", ".join(target.deployments) or "—"),
        ("Auth modes", ", ".join(target.auth_modes) or "—"),
    ]
    if target.kind == "emulator":
        profile = target.emulator_profile or "default"
        return TargetView(
            kind="emulator",
            loud=True,
            headline="Emulator run: this proves nothing about Azure",
            detail=f"The embedded Foundry emulator answered every request (profile: {profile}). "
            "Run against your resource (--resource NAME) to learn about your deployment.",
            rows=[*rows, ("Emulator profile", profile)],
        )
    if target.kind == "replay":
        age = recording_age(summary)
        rows = [*rows, ("Cassettes", target.cassettes or "—"), ("Recording", age)]
        if target.emulator_profile is not None:
            # Recorded from the emulator: twice removed from Azure, and the page must say so.
            profile = target.emulator_profile
            return TargetView(
                kind="replay",
                loud=True,
                headline="Replay of an emulator recording: this proves nothing about Azure",
                detail=f"Every answer came from cassettes ({age}) that were recorded from the "
                f"embedded Foundry emulator (profile: {profile}), not from an Azure resource.",
                rows=[*rows, ("Recorded from", f"the embedded emulator (profile: {profile})")],
            )
        return TargetView(
            kind="replay",
            loud=True,
            headline="Replay of recorded traffic: no request reached Azure",
            detail=f"Every answer came from cassettes ({age}). They show what the endpoint did "
            "then, not what it does now.",
            rows=rows,
        )
    headline = "Live run" if target.kind == "live" else "Live run, recorded to cassettes"
    return TargetView(kind=target.kind, loud=False, headline=headline, detail="", rows=rows)


def run_day(summary: RunSummary) -> str:
    """The UTC date of a run that started and finished on one day (times then omit it), or ``""``."""
    started, finished = parse_iso(summary.started_at), parse_iso(summary.finished_at)
    if started is None or finished is None:
        return ""
    day = f"{started.astimezone(UTC):%Y-%m-%d}"
    return day if day == f"{finished.astimezone(UTC):%Y-%m-%d}" else ""


def secret_scan_view(summary: RunSummary) -> SecretScanView:
    """The scan's result; before the scan has run (the page is written first) it says so."""
    scan = summary.secret_scan
    if scan.withheld:
        count = len(scan.withheld)
        return SecretScanView(
            "leak",
            f"{count} artifact{'s were' if count != 1 else ' was'} withheld: a secret in use "
            "could not be removed from it, so it was not published (the rest are clean). "
            "Rotate the key if a copy was shared some other way.",
            [f"{note.file} — {note.reason}" for note in scan.withheld],
        )
    if not scan.clean:  # a summary from a version that published first and scanned after
        return SecretScanView(
            "leak",
            "A secret in use was found in the artifacts below: do not share them; rotate the key.",
            list(scan.hits),
        )
    if scan.files_scanned == 0:
        return SecretScanView(
            "pending", "The artifacts are scanned for the secrets in use once they are written.", []
        )
    if scan.redacted:
        return SecretScanView(
            "redacted",
            f"Every one of the {scan.files_scanned} artifact files of this run was scanned before "
            "it was published, and none holds a secret in use; in those below the scan found one "
            "the writers had missed and redacted it first (please report this to the "
            "foundry-conformance maintainers).",
            [f"{note.file} — {note.reason}" for note in scan.redacted],
        )
    return SecretScanView(
        "clean",
        f"Every one of the {scan.files_scanned} artifact files of this run was scanned before it "
        "was published: none holds a secret in use.",
        [],
    )


def subject_of(summary: RunSummary) -> str:
    """What the page is about, for its title: the resource, the endpoint's host, or the emulator."""
    target = summary.target
    if target.kind == "emulator":
        return "embedded emulator"
    if target.resource:
        return target.resource
    return urlsplit(target.base_url).netloc or target.base_url


# Under the usage table, when the run sent requests of its own.
RUN_ROW_NOTE = (
    f"`{RUN_ROW}`: the requests the run sends itself, outside any check (the inventory of "
    "deployments, the choice of the primary auth); with them the rows add up to the total."
)


def cases_by_check(cases: Sequence[str]) -> list[str]:
    """Case labels folded by check, in order: ``AUTH-BAD-KEY (2 cases)`` for two of its cases,
    a lone case by its own label (``DEP-SERVES[claude-haiku-5-5]``)."""
    by_check: dict[str, list[str]] = {}
    for label in cases:
        by_check.setdefault(label.split("[", 1)[0], []).append(label)
    return [
        labels[0] if len(labels) == 1 else f"{check} ({len(labels)} cases)"
        for check, labels in by_check.items()
    ]


def build_view(summary: RunSummary) -> ReportView:
    """The page's view-model."""
    harness = summary.harness
    run_rows = [
        ("Started", iso_utc(summary.started_at)),
        ("Finished", iso_utc(summary.finished_at)),
        ("Duration", f"{summary.duration_s:.1f} s"),
        ("foundry-conformance", harness.get("foundry_conformance", "—")),
        ("anthropic SDK", harness.get("anthropic_sdk", "—")),
        ("Python", harness.get("python", "—")),
        ("Platform profile", profile_text(summary.platform_profile)),
    ]
    claims = [
        (label, ", ".join(f"{k}: {_claim(v)}" for k, v in sorted(values.items()) if v))
        for label, values in sorted(summary.token_claims.items())
    ]
    areas = area_views(summary)
    day = run_day(summary)
    return ReportView(
        verdict=verdict_view(summary),
        target=target_view(summary),
        diagnoses=sorted_diagnoses(summary, date=not day),
        areas=areas,
        skipped=[row for area in areas for row in area.checks if row.status == "skipped"],
        correlation=[evidence_row(e, date=not day) for e in all_evidence(summary)],
        deployments=deployment_rows(summary),
        usage_by_check=[
            (check, v.get("requests", 0), v.get("input_tokens", 0), v.get("output_tokens", 0))
            for check, v in summary.usage.by_check.items()
        ],
        usage_note=RUN_ROW_NOTE if RUN_ROW in summary.usage.by_check else "",
        totals=(summary.usage.requests, summary.usage.input_tokens, summary.usage.output_tokens),
        notes=list(summary.notes),
        incomplete=summary.incomplete,
        secret_scan=secret_scan_view(summary),
        run_rows=run_rows,
        subject=subject_of(summary),
        finished=iso_utc(summary.finished_at),
        version=harness.get("foundry_conformance", ""),
        day=day,
        token_claims=claims,
        matrix=matrix_view(summary, date=not day),
    )


def _claim(value: object) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)
