"""diagnosis.html as a user sees it: headless Chromium loads it, with every host name unresolvable.

The page of a real fault-profile run must show the verdict, each failing check's diagnosis codes
and request IDs after the browser has run it, ask the network for nothing (Chromium's own network
log is read, and a leaky page proves the reading works), and render at 1280 and 400 px.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import FaultRun

pytestmark = pytest.mark.skipif(
    not any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")),
    reason="chromium is not installed (CI installs it: apt-get install -y chromium)",
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    data = path.read_bytes()[:24]
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_rendered_page_shows_verdict_diagnoses_and_request_ids(
    fault_run: FaultRun, render_report_script: ModuleType
) -> None:
    dom = render_report_script.dump_dom(fault_run.report_dir / "diagnosis.html")
    assert 'data-verdict="nonconformant">Non-conformant</h1>' in dom
    failing = fault_run.failing_checks()
    assert failing
    for check in failing:
        for code in check["diagnoses"]:
            assert f'id="diag-{code}"' in dom, (check["id"], code)
        for evidence in check["evidence"]:
            for key in ("request_id", "apim_request_id"):
                if evidence[key]:
                    assert evidence[key] in dom, (check["id"], key)
    # The copy button is shown only once its script has run.
    assert '<button type="button" class="copy" id="copy-ticket">' in dom


def test_the_page_asks_the_network_for_nothing(
    fault_run: FaultRun, render_report_script: ModuleType, tmp_path: Path
) -> None:
    net_log = tmp_path / "net-log.json"
    render_report_script.dump_dom(fault_run.report_dir / "diagnosis.html", net_log)
    assert render_report_script.page_requests(net_log) == []


def test_the_network_check_catches_a_page_that_fetches(
    render_report_script: ModuleType, tmp_path: Path
) -> None:
    leaky = tmp_path / "leaky.html"
    leaky.write_text(
        '<!doctype html><link rel="stylesheet" href="https://fonts.example.com/f.css">'
        '<img src="http://cdn.example.com/logo.png"><p>hi</p>',
        "utf-8",
    )
    net_log = tmp_path / "net-log.json"
    render_report_script.dump_dom(leaky, net_log)
    assert set(render_report_script.page_requests(net_log)) == {
        "https://fonts.example.com/f.css",
        "http://cdn.example.com/logo.png",
    }


def test_the_script_photographs_the_page_wide_and_narrow(
    fault_run: FaultRun, render_report_script: ModuleType, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.json"
    shutil.copy(fault_run.report_dir / "summary.json", summary)
    assert render_report_script.main([str(summary), "--height", "900"]) == 0
    assert png_size(tmp_path / "diagnosis-wide.png") == (1280, 900)
    assert png_size(tmp_path / "diagnosis-narrow.png") == (400, 900)
    assert (tmp_path / "diagnosis.html").read_text("utf-8") == (
        fault_run.report_dir / "diagnosis.html"
    ).read_text("utf-8")
