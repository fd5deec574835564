"""Writing a run's artifacts into the report directory, then scanning them for secrets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .redaction import Redactor
from .summary import RunSummary, SecretScan
from .verdict import exit_status

if TYPE_CHECKING:
    from .session import FoundryRun

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


def write_artifacts(summary: RunSummary, run: FoundryRun) -> int:
    """Write ``summary.json`` (and the reports), scan them, and return ``run``'s exit status."""
    report_dir = run.settings.report_dir
    report_dir.mkdir(parents=True, exist_ok=True)
    summary_path = report_dir / "summary.json"
    summary.write(summary_path)
    scan = scan_for_secrets(artifact_files(report_dir), run.redactor)
    summary.secret_scan = scan
    summary.write(summary_path)
    return exit_status(summary.verdict, scan.clean)
