"""The capability matrix as each writer shows it (pure): the HTML table's view-model, one compact
terminal line per deployment, and the ticket's cells that support must look at — documented as
supported but refused, or accepted but not honoured — with their request IDs."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.catalog import BY_ID
from ..summary.model import CapabilityCell, DeploymentCapabilities, RunSummary
from .evidence import body_excerpt, profile_text
from .sections import EvidenceRow, evidence_row

ICON = {"supported": "✓", "refused": "✕", "not-honoured": "⚠", "not-judged": "–"}
WORD = {
    "supported": "supported",
    "refused": "refused",
    "not-honoured": "not honoured",
    "not-judged": "not judged",
}
EXPECTED_WORD = {
    "supported": "documented: supported",
    "unsupported": "documented: unsupported",
    "conflicting": "documented: the sources conflict",
    "unknown": "documented: unknown",
}
# One hosting option's status, in the few words a cell has room for.
OPTION_WORD = {"conflicting": "sources conflict"}
DRIFT_WORD = {
    "documented-feature-refused": "off the docs: documented as supported",
    "unsupported-feature-accepted": "off the docs: documented as unsupported",
}
# The terminal names at most this many cells off the documentation per deployment.
SHOWN_OFF = 4
# For the ticket: the cells support must look at, and why.
FOR_SUPPORT = {
    "documented-feature-refused": "documented as supported, refused here",
    "not-honoured": "accepted, but not honoured",
}


@dataclass(frozen=True)
class CellView:
    """One cell: icon and word first, the expectation, and the evidence one click away."""

    deployment: str
    status: str
    icon: str
    word: str
    expected: str
    drift: str
    finding: bool  # off the documentation, or accepted but not honoured
    reason: str
    documented: str
    conflicts: list[str]
    evidence: list[EvidenceRow]
    diagnoses: list[str]


@dataclass(frozen=True)
class MatrixRow:
    """One capability across the deployments."""

    id: str
    title: str
    cells: list[CellView]

    @property
    def finding(self) -> bool:
        """Whether a cell of the row is off the documentation or not honoured."""
        return any(cell.finding for cell in self.cells)


@dataclass(frozen=True)
class ColumnView:
    """One deployment: its model, its tally and the matrix's cost on it."""

    name: str
    model: str
    tally: str
    cost: str


@dataclass(frozen=True)
class MatrixView:
    """The whole table."""

    columns: list[ColumnView]
    rows: list[MatrixRow]
    profile: str


def _tally(column: DeploymentCapabilities) -> dict[str, int]:
    counts = dict.fromkeys(WORD, 0)
    for cell in column.cells.values():
        counts[cell.status] = counts.get(cell.status, 0) + 1
    return counts


def tally_text(column: DeploymentCapabilities) -> str:
    """``3 supported, 7 refused, 0 not honoured, 15 not judged``."""
    return ", ".join(f"{n} {WORD.get(s, s)}" for s, n in _tally(column).items())


def cost_text(column: DeploymentCapabilities) -> str:
    """``10 requests, 17 tokens`` (``…, 2828 written to the prompt cache, 1414 read``)."""
    cost = column.cost
    tokens = cost.get("input_tokens", 0) + cost.get("output_tokens", 0)
    requests = cost.get("requests", 0)
    text = f"{requests} request{'s' if requests != 1 else ''}, {tokens} tokens"
    written, read = cost.get("cache_write_tokens", 0), cost.get("cache_read_tokens", 0)
    if written or read:
        text += f", {written} written to the prompt cache, {read} read from it"
    return text


def expected_text(cell: CapabilityCell) -> str:
    """What the profile documents, in a few words: one status, or each option's where they
    differ (``documented: azure sources conflict, anthropic supported``)."""
    if cell.expected in EXPECTED_WORD:
        return EXPECTED_WORD[cell.expected]
    by_option = ", ".join(
        f"{option} {OPTION_WORD.get(status, status)}"
        for option, status in cell.expected_by_option.items()
    )
    return f"documented: {by_option}" if by_option else f"documented: {cell.expected}"


def _cell_view(name: str, cell: CapabilityCell, *, date: bool) -> CellView:
    return CellView(
        deployment=name,
        status=cell.status,
        icon=ICON.get(cell.status, "?"),
        word=WORD.get(cell.status, cell.status),
        expected=expected_text(cell),
        drift=DRIFT_WORD.get(cell.drift, ""),
        finding=bool(cell.drift) or cell.status == "not-honoured",
        reason=cell.reason,
        # The reason often says it already (a drift, a cell not judged): then once is enough.
        documented="" if cell.documented in cell.reason else cell.documented,
        conflicts=list(cell.conflicts),
        evidence=[evidence_row(e, date=date) for e in cell.evidence],
        diagnoses=list(cell.diagnoses),
    )


def matrix_view(summary: RunSummary, *, date: bool = True) -> MatrixView | None:
    """The table: a row per capability (the catalog's order), a column per deployment."""
    matrix = summary.capabilities
    if not matrix:
        return None
    ids = list(dict.fromkeys(i for column in matrix.values() for i in column.cells))
    ids.sort(key=lambda i: list(BY_ID).index(i) if i in BY_ID else len(BY_ID))
    rows = []
    for check_id in ids:
        cells = [
            _cell_view(name, column.cells[check_id], date=date)
            for name, column in matrix.items()
            if check_id in column.cells
        ]
        title = BY_ID[check_id].title if check_id in BY_ID else check_id
        rows.append(MatrixRow(check_id, title, cells))
    columns = [
        ColumnView(
            name,
            column.model or "a model the profile does not know",
            tally_text(column),
            cost_text(column),
        )
        for name, column in matrix.items()
    ]
    first = next(iter(matrix.values()))
    return MatrixView(columns, rows, profile_text(first.profile))


def terminal_lines(summary: RunSummary) -> list[str]:
    """One compact line per deployment, naming the cells that are off the documentation."""
    lines = []
    for name, column in summary.capabilities.items():
        off = [
            f"{check_id} {WORD.get(cell.status, cell.status)}"
            for check_id, cell in column.cells.items()
            if cell.drift or cell.status == "not-honoured"
        ]
        more = f" and {len(off) - SHOWN_OFF} more" if len(off) > SHOWN_OFF else ""
        shown = f"; off the docs: {', '.join(off[:SHOWN_OFF])}{more}" if off else ""
        lines.append(f"  capabilities of {name}: {tally_text(column)} ({cost_text(column)}){shown}")
    return lines


def for_support(summary: RunSummary) -> list[tuple[str, str, CapabilityCell, str]]:
    """``(deployment, check ID, cell, why)`` for each cell support must look at."""
    found = []
    for name, column in summary.capabilities.items():
        for check_id, cell in column.cells.items():
            why = FOR_SUPPORT.get(cell.drift) or FOR_SUPPORT.get(cell.status)
            if why:
                found.append((name, check_id, cell, why))
    return found


def ticket_lines(summary: RunSummary) -> list[str]:
    """The ticket's section on the matrix (nothing when no cell needs support)."""
    cells = for_support(summary)
    if not cells:
        return []
    lines = [
        "## Capabilities that do not work as documented",
        "",
        "| deployment | capability | finding | request-id | apim-request-id | answer |",
        "|---|---|---|---|---|---|",
    ]
    for name, check_id, cell, why in cells:
        shown = cell.evidence[-1] if cell.evidence else None
        request_id = (shown.request_id if shown else None) or "—"
        apim_request_id = (shown.apim_request_id if shown else None) or "—"
        answer = body_excerpt(shown.error_body) if shown and shown.error_body else cell.reason
        answer = " ".join(answer.split()).replace("|", "\\|")[:300]
        lines.append(
            f"| {name} | {check_id} | {why} | {request_id} | {apim_request_id} | {answer} |"
        )
    first = next(iter(summary.capabilities.values()))
    lines += ["", f"Expectations: platform profile {profile_text(first.profile)}.", ""]
    return lines
