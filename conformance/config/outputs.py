"""The files a run will write, by the option that chose where: what the pre-flight checks
(``core.publish.preflight``) before anything is sent. Pure: paths only."""

from __future__ import annotations

from ..core.publish import Place
from .recording import METADATA_FILE
from .settings import Settings
from .types import Mode

REPORT_FILES = ("summary.json", "diagnosis.html", "support-ticket.md")
JUNIT_FILE = "junit.xml"
PYTEST_HTML_FILE = "pytest-report.html"


def output_places(settings: Settings, *, pytest_reports: bool = False) -> list[Place]:
    """The reports in ``--report-dir`` (with pytest's own, when the command line asks pytest for
    them there) and, in a record run, the cassette set's ``metadata.json``."""
    names = [*REPORT_FILES, *((JUNIT_FILE, PYTEST_HTML_FILE) if pytest_reports else ())]
    places = [
        Place(settings.report_dir / name, "--report-dir", settings.report_dir) for name in names
    ]
    if settings.kind is Mode.RECORD and settings.cassettes is not None:
        places.append(Place(settings.cassettes / METADATA_FILE, "--cassettes", settings.cassettes))
    return places
