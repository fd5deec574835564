"""Writing a run's artifacts into the report directory, then scanning them for secrets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..core.redaction import Redactor
from ..summary.model import RunSummary, SecretScan
from ..summary.verdict import exit_status
from . import render_html, render_ticket

SCANNED_SUFFIXES = {".json", ".html", ".xml", ".md", ".yaml", ".yml", ".txt", ".log"}


def scan_for_secrets(paths: list[Path], redactor: Redactor) -> SecretScan:
    """Every file among ``paths`` checked for the exact secrets in use (and their encodings)."""
    scan = SecretScan()
    for path in paths:
        if not path.is_file():
            continue
        scan.files_scanned += 1
        text = path.read_bytes().decode("utf-8", errors="replace")
        if redactor.contains_secret(text):
            scan.hits.append(str(path))
    scan.clean = not scan.hits
    return scan


def artifact_files(report_dir: Path) -> list[Path]:
    """The files of a report directory that the scan reads."""
    if not report_dir.is_dir():
        return []
    return sorted(p for p in report_dir.rglob("*") if p.suffix in SCANNED_SUFFIXES)


def write_reports(summary: RunSummary, report_dir: Path) -> list[Path]:
    """Write ``summary.json``, ``diagnosis.html`` and ``support-ticket.md`` into ``report_dir``."""
    report_dir.mkdir(parents=True, exist_ok=True)
    written = [summary.write(report_dir / "summary.json")]
    for name, text in (
        ("diagnosis.html", render_html(summary)),
        ("support-ticket.md", render_ticket(summary)),
    ):
        path = report_dir / name
        path.write_text(text, "utf-8")
        written.append(path)
    return written


def write_artifacts(
    summary: RunSummary, report_dir: Path, redactor: Redactor, *, also_scan: Sequence[Path] = ()
) -> int:
    """Write ``summary.json`` and the reports, scan them (and ``also_scan``: a recording's
    cassettes), and return the run's exit status."""
    write_reports(summary, report_dir)
    scan = scan_for_secrets(artifact_files(report_dir) + list(also_scan), redactor)
    summary.secret_scan = scan
    # Written again so that the report states the scan's result; what changed is only that
    # result, and a second scan makes sure the rewrite added nothing.
    write_reports(summary, report_dir)
    rescan = scan_for_secrets(artifact_files(report_dir) + list(also_scan), redactor)
    if not rescan.clean and rescan.hits != scan.hits:
        summary.secret_scan = rescan
        summary.write(report_dir / "summary.json")
    return exit_status(summary.verdict, scan.clean and rescan.clean)
