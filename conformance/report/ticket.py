"""The support ticket: Markdown for Azure support, copy-ready, from a ``RunSummary`` (pure).

It carries what support asks for (resource, region, deployment, auth mode, the UTC time window,
each failing request's ``request-id`` and ``apim-request-id``, status and error body, versions) and
a curl line per distinct failing request. Request headers are never printed; secrets appear only
as placeholders (``$ANTHROPIC_FOUNDRY_API_KEY``, ``$TOKEN``).
"""

from __future__ import annotations

from ..core.platform_load import builtin_profile
from ..summary.model import DiagnosisEntry, Evidence, RunSummary
from ..summary.verdict import verdict_meaning
from .curl import curl_command
from .evidence import (
    all_evidence,
    body_excerpt,
    distinct_shapes,
    failing_requests,
    iso_utc,
    judged_checks,
    profile_text,
    recording_age,
    region_of,
    sender,
    status_text,
    utc_time,
)
from .matrix import ticket_lines
from .sections import SEVERITY_RANK, doc_links

CITED_PER_DIAGNOSIS = 8
DISTINCT_BODIES = 6
ID_TABLE_LIMIT = 60


def code(text: str) -> str:
    """``text`` as an inline code span, whatever backticks it holds."""
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fenced(text: str, lang: str = "") -> str:
    """``text`` in a fenced block longer than any backtick run inside it."""
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def _longest_backtick_run(text: str) -> int:
    longest = current = 0
    for char in text:
        current = current + 1 if char == "`" else 0
        longest = max(longest, current)
    return longest


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def target_warning(summary: RunSummary) -> list[str]:
    """The loud note for runs that did not reach Azure as it is now."""
    target = summary.target
    if target.kind == "emulator":
        return [
            "> **⚠ EMULATOR RUN — this proves nothing about Azure.** Every answer came from the "
            f"embedded Foundry emulator (profile: {target.emulator_profile or 'default'}). "
            "Do not send this ticket to Azure support: run against your resource "
            "(`foundry-conformance run --resource NAME`) and use the ticket that run writes.",
            "",
        ]
    if target.kind == "replay" and target.emulator_profile is not None:
        return [
            "> **⚠ REPLAY OF AN EMULATOR RECORDING — this proves nothing about Azure.** Every "
            f"answer came from cassettes ({recording_age(summary)}) recorded from the embedded "
            f"Foundry emulator (profile: {target.emulator_profile}). Do not send this ticket to "
            "Azure support.",
            "",
        ]
    if target.kind == "replay":
        return [
            "> **⚠ REPLAY — no request reached Azure in this run.** Every answer came from "
            f"cassettes ({recording_age(summary)}). The request IDs are those of the recording "
            "and may be past Azure's log retention.",
            "",
        ]
    return []


def environment(summary: RunSummary) -> list[str]:
    """Resource, region, deployments, auth modes, time window, versions."""
    target = summary.target
    harness = summary.harness
    rows = [
        ("Resource", target.resource or "— (given as a base URL)"),
        ("Endpoint", target.base_url or "—"),
        ("Region", region_of(summary)),
        ("Deployment(s)", ", ".join(target.deployments) or "—"),
        ("Auth mode(s)", ", ".join(target.auth_modes) or "—"),
        ("Target", target.kind),
        (
            "Time window (UTC)",
            f"{iso_utc(summary.started_at)} → {iso_utc(summary.finished_at)} "
            f"({summary.duration_s:.1f} s)",
        ),
        ("foundry-conformance", harness.get("foundry_conformance", "—")),
        ("anthropic SDK", harness.get("anthropic_sdk", "—")),
        ("Python", harness.get("python", "—")),
        ("Platform profile", profile_text(summary.platform_profile)),
    ]
    return ["## Environment", "", "| | |", "|---|---|"] + [
        f"| {label} | {_cell(value)} |" for label, value in rows
    ]


def failing_section(rows: list[Evidence]) -> list[str]:
    """Every failing request with its IDs in one table, then each distinct error body once."""
    lines = [
        "## Failing requests",
        "",
        "| # | check | request | auth | status | error code | request-id | apim-request-id "
        "| x-ms-client-request-id | time (UTC) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for e in rows:
        lines.append(
            f"| {e.seq} | {_cell(sender(e))} | {e.method} {_cell(e.path)} | "
            f"{_cell(e.auth or 'none')} | {_cell(status_text(e))} | {_cell(e.error_code or '—')} | "
            f"{e.request_id or '—'} | {e.apim_request_id or '—'} | "
            f"{e.client_request_id or '—'} | {utc_time(e.started_at)} |"
        )
    if any(e.request_id is None for e in rows):
        lines += [
            "",
            "A request-id of — was not returned: an Azure gateway answer (authentication, routing, "
            "throttling) carries only apim-request-id, and a request with no HTTP answer has neither.",
        ]
    # Bodies that differ only by their own request ID are one body, quoted once.
    bodies: dict[str, tuple[str, list[str]]] = {}
    for e in rows:
        body = body_excerpt(e.error_body)
        if body:
            key = body.replace(e.request_id, "") if e.request_id else body
            bodies.setdefault(key, (body, []))[1].append(f"#{e.seq}")
    for body, seqs in list(bodies.values())[:DISTINCT_BODIES]:
        alike = " (alike but for their own request_id)" if len(seqs) > 1 else ""
        lines += [
            "",
            f"Error body of {', '.join(seqs)}{alike}, redacted:",
            "",
            fenced(body, "json" if body[:1] in "[{" else ""),
        ]
    if len(bodies) > DISTINCT_BODIES:
        lines += [
            "",
            f"…and {len(bodies) - DISTINCT_BODIES} more distinct error bodies in summary.json.",
        ]
    return [*lines, ""]


def diagnosis_block(number: int, entry: DiagnosisEntry) -> list[str]:
    """One finding with its remedy and the IDs of the requests that show it."""
    lines = [
        f"### {number}. {entry.title} ({code(entry.code)}, {entry.severity})",
        "",
        f"**Cause.** {entry.summary}",
        "",
        f"**Remedy.** {entry.remedy}",
    ]
    for link in doc_links(entry.guide_section, entry.doc_url):
        lines += ["", f"{link.kind}: {link.label} — <{link.url}>"]
    lines += [f"- {detail}" for detail in entry.details]
    if entry.checks:
        lines += ["", "Checks: " + ", ".join(code(c) for c in dict.fromkeys(entry.checks))]
    if entry.evidence:
        lines += ["", *id_table(entry.evidence, CITED_PER_DIAGNOSIS)]
    return [*lines, ""]


def id_table(rows: list[Evidence], limit: int) -> list[str]:
    """A table of requests and their correlation IDs, cut at ``limit`` rows."""
    lines = [
        "| # | check | request | status | request-id | apim-request-id | time (UTC) |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in rows[:limit]:
        lines.append(
            f"| {e.seq} | {_cell(sender(e))} | {e.method} {_cell(e.path)} | "
            f"{status_text(e)} | {e.request_id or '—'} | {e.apim_request_id or '—'} | "
            f"{utc_time(e.started_at)} |"
        )
    if len(rows) > limit:
        lines.append(f"\n…and {len(rows) - limit} more (all of them are in summary.json).")
    return lines


def reproduce(summary: RunSummary, rows: list[Evidence]) -> list[str]:
    """A curl line per distinct failing request; secrets as placeholders."""
    lines = [
        "## Reproduce",
        "",
        "Set `ANTHROPIC_FOUNDRY_API_KEY` (or `TOKEN`) in your shell first; the bodies are "
        "minimal stand-ins of the harness's requests.",
        "",
    ]
    version = summary.platform_profile.get("api_version") or builtin_profile().documented_version
    shapes = distinct_shapes(rows)
    commands = [curl_command(summary.target.base_url, shape, version) for shape in shapes]
    for command in dict.fromkeys(commands):  # the SDK's requests repeat curl's
        lines += [fenced(command, "sh"), ""]
    return lines


def render_ticket(summary: RunSummary) -> str:
    """The ticket as Markdown."""
    failing = failing_requests(summary)
    judged = judged_checks(summary)
    title = "Claude in Microsoft Foundry"
    if summary.target.resource:
        title += f" — {summary.target.resource}"
    lines = [f"# Support ticket: {title}", "", *target_warning(summary)]
    if not failing and not judged:
        lines += [
            f"**Nothing failed** (verdict: {summary.verdict}). "
            "A support ticket is not needed for this run; the correlation IDs below are for "
            "reference.",
            "",
        ]
    else:
        lines += [
            f"**Verdict: {summary.verdict}.** {verdict_meaning(summary)}",
            "",
            f"{_count(len(judged), 'check')} failed or could not judge; "
            f"{_count(len(failing), 'request')} failed.",
            "",
        ]
    if summary.incomplete:
        said = (
            "**Why it is incomplete:**"
            if summary.verdict == "incomplete"
            else "**The run is incomplete:** it was cut short before every check was judged."
        )
        lines += [said, ""]
        for cause in summary.cut_short:
            lines += [f"- {cause.summary}", *(f"  - {d}" for d in cause.details)]
        lines += [""] if summary.cut_short else []
    lines += [*environment(summary), ""]
    if summary.diagnoses:
        lines += ["## Diagnoses", ""]
        for number, entry in enumerate(_ranked(summary), 1):
            lines += diagnosis_block(number, entry)
    lines += ticket_lines(summary)
    if failing:
        lines += [*failing_section(failing), *reproduce(summary, failing)]
    else:
        lines += [
            "## Correlation IDs of this run",
            "",
            *id_table(all_evidence(summary), ID_TABLE_LIMIT),
            "",
        ]
    lines += [
        "---",
        "Written by foundry-conformance from summary.json; request headers are never included "
        "and secrets appear only as placeholders.",
    ]
    return "\n".join(lines).rstrip() + "\n"


def _ranked(summary: RunSummary) -> list[DiagnosisEntry]:
    return sorted(
        summary.diagnoses, key=lambda d: SEVERITY_RANK.get(d.severity, len(SEVERITY_RANK))
    )
