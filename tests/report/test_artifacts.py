"""The after-run secret scan reads the cassettes a record run wrote, not only the reports."""

from __future__ import annotations

import base64
from pathlib import Path
from types import SimpleNamespace

from conformance.config import RawOptions, resolve_settings
from conformance.core.redaction import Redactor
from conformance.plugin.recorder import recorded_files
from conformance.report.artifacts import artifact_files, scan_for_secrets
from conformance.summary.verdict import EXIT_SECRET_LEAK, exit_status

CANARY_KEY = "canary-key-DO-NOT-LEAK-5f1c9e27b3a84d60"


def _run(tmp_path: Path, mode: str) -> SimpleNamespace:
    options = RawOptions(
        mode=mode,
        base_url="https://r.services.ai.azure.com/anthropic/",
        cassettes=tmp_path / "cassettes" if mode in ("record", "replay") else None,
        report_dir=tmp_path / "reports",
    )
    settings = resolve_settings(options, {"ANTHROPIC_FOUNDRY_API_KEY": CANARY_KEY})
    return SimpleNamespace(settings=settings, redactor=Redactor([CANARY_KEY]))


def test_a_secret_in_a_cassette_is_found_and_named(tmp_path: Path) -> None:
    run = _run(tmp_path, "record")
    leaked = tmp_path / "cassettes" / "MSG-BASIC.yaml"
    leaked.parent.mkdir()
    leaked.write_text("body: " + base64.b64encode(CANARY_KEY.encode()).decode())
    (tmp_path / "cassettes" / "metadata.json").write_text("{}")
    scan = scan_for_secrets(
        artifact_files(tmp_path / "reports") + recorded_files(run), run.redactor
    )
    assert scan.hits == [str(leaked)]
    assert scan.files_scanned == 2
    assert exit_status("conformant", scan.clean) == EXIT_SECRET_LEAK


def test_a_live_run_has_no_cassettes_to_scan(tmp_path: Path) -> None:
    assert recorded_files(_run(tmp_path, "live")) == []
