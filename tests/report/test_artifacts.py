"""The reports are published last, through the run's publisher: they state what became of every
artifact (themselves included), and a secret the writers missed never reaches the disk."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from conformance.core.publish import Publisher
from conformance.core.redaction import Redactor
from conformance.report.artifacts import REPORTS, write_artifacts
from conformance.summary.verdict import EXIT_CONFORMANT, EXIT_SECRET_LEAK

from .factory import summary

CANARY_KEY = "canary-key-DO-NOT-LEAK-5f1c9e27b3a84d60"


def _files(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(directory.iterdir())}


def test_a_clean_run_publishes_the_reports_and_says_every_file_was_scanned(tmp_path: Path) -> None:
    publisher = Publisher(Redactor([CANARY_KEY]))
    cassette = publisher.publish(tmp_path / "cassettes" / "MSG-BASIC.yaml", "interactions: []\n")
    run = summary(verdict="conformant")
    exit_code = write_artifacts(run, tmp_path / "reports", publisher)
    assert exit_code == EXIT_CONFORMANT
    files = _files(tmp_path / "reports")
    assert set(files) == {name for name, _ in REPORTS}  # no staging file is left behind
    scan = json.loads(files["summary.json"])["secret_scan"]
    assert scan == {"clean": True, "files_scanned": 4, "hits": [], "redacted": [], "withheld": []}
    assert cassette.status == "clean"
    assert "Every one of the 4 artifact files of this run was scanned" in files["diagnosis.html"]


def test_a_secret_the_writers_missed_is_redacted_and_the_reports_say_where(tmp_path: Path) -> None:
    publisher = Publisher(Redactor([CANARY_KEY]))
    run = summary(verdict="conformant")
    run.notes.append("echoed: " + base64.b64encode(b"x" + CANARY_KEY.encode()).decode())
    assert write_artifacts(run, tmp_path, publisher) == EXIT_CONFORMANT
    files = _files(tmp_path)
    for name, text in files.items():
        assert CANARY_KEY not in text and "Y2FuYXJ5" not in text, name
    scan = json.loads(files["summary.json"])["secret_scan"]
    assert scan["clean"] is True
    # The notes are in the summary and the page; the ticket does not quote them.
    assert sorted(Path(hit).name for hit in scan["hits"]) == ["diagnosis.html", "summary.json"]
    assert all(
        note["reason"] == "the scan found a secret the writers had missed: redacted"
        for note in scan["redacted"]
    )
    assert "redacted it first" in files["diagnosis.html"]


def test_an_artifact_that_cannot_be_cleaned_is_withheld_and_the_run_exits_4(
    tmp_path: Path,
) -> None:
    publisher = Publisher(Redactor([CANARY_KEY]))
    staged = tmp_path / ".junit.xml.staged"
    staged.write_bytes(b"\xff\xfe not UTF-8 " + CANARY_KEY.encode())
    publisher.publish_staged(staged, tmp_path / "junit.xml")
    run = summary(verdict="conformant")
    assert write_artifacts(run, tmp_path, publisher) == EXIT_SECRET_LEAK
    assert not (tmp_path / "junit.xml").exists() and not staged.exists()
    scan = json.loads((tmp_path / "summary.json").read_text())["secret_scan"]
    assert scan["clean"] is False
    assert scan["withheld"] == [
        {
            "file": str(tmp_path / "junit.xml"),
            "reason": "withheld: it is not UTF-8 text, and it spells a secret",
        }
    ]
    page = (tmp_path / "diagnosis.html").read_text()
    assert "1 artifact was withheld" in page and "junit.xml" in page
