"""Publishing a run's reports — ``summary.json``, ``diagnosis.html``, ``support-ticket.md`` — into
the report directory, last of all the run's artifacts.

Every artifact goes through the run's ``Publisher`` (``core.publish``): staged beside its place,
scanned, redacted and scanned again on a hit, moved into place only when clean, else withheld.
The cassettes and ``metadata.json`` were published as they were recorded, and ``junit.xml`` and
``pytest-report.html`` once pytest wrote them; the reports come last because they state what
became of every artifact, themselves included. So they are rendered with what the scan of them
is expected to find (nothing), screened, and rendered again with what it did find until the two
agree (once more at most, in practice), and only then moved into place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..core.publish import Publication, Publisher
from ..summary.model import RunSummary, ScanNote, SecretScan
from ..summary.verdict import exit_status
from . import render_html, render_ticket

REPORTS: tuple[tuple[str, Callable[[RunSummary], str]], ...] = (
    ("summary.json", RunSummary.to_json),
    ("diagnosis.html", render_html),
    ("support-ticket.md", render_ticket),
)


def scan_result(publications: Sequence[Publication]) -> SecretScan:
    """The summary's ``secret_scan``: what the scan before publishing found, and did."""
    redacted = [ScanNote(str(p.path), p.reason) for p in publications if p.status == "redacted"]
    withheld = [ScanNote(str(p.path), p.reason) for p in publications if p.status == "withheld"]
    return SecretScan(
        clean=not withheld,
        files_scanned=len(publications),
        hits=[note.file for note in (*redacted, *withheld)],
        redacted=redacted,
        withheld=withheld,
    )


def write_artifacts(summary: RunSummary, report_dir: Path, publisher: Publisher) -> int:
    """Publish the reports after every other artifact of the run; the run's exit status (4 when
    an artifact was withheld)."""
    others = publisher.publications

    def render(own: list[Publication]) -> list[str]:
        summary.secret_scan = scan_result([*others, *own])
        return [write(summary) for _, write in REPORTS]

    publisher.publish_reporting_scan([report_dir / name for name, _ in REPORTS], render)
    summary.secret_scan = scan_result(publisher.publications)
    return exit_status(summary.verdict, summary.secret_scan.clean)
