#!/usr/bin/env python3
"""Render the diagnosis report and photograph it in headless Chromium, wide and narrow.

    .venv/bin/python scripts/render_report.py                 # a fault-profile emulator run
    .venv/bin/python scripts/render_report.py reports/summary.json

With no summary given, it runs the suite against the emulator with a few faults switched on (into
``reports/demo/``) so that the page has diagnoses to show. The screenshots land beside the report:
``diagnosis-wide.png`` (1280 px) and ``diagnosis-narrow.png`` (400 px). The tests use the same
Chromium helpers (``tests/report/test_html_in_browser.py``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_PROFILES = "api-key-rejected,ratelimit-headers,no-request-id"
SIZES = {"wide": (1280, 2400), "narrow": (400, 2400)}

# No sandbox (containers, CI), no background traffic of the browser's own, and every host name
# unresolvable: the page must need nothing but its own file.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def chromium() -> str | None:
    """The Chromium executable, if one is installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run_chromium(page: Path, *args: str, timeout: float = 90.0) -> subprocess.CompletedProcess[str]:
    """Chromium on ``page`` with a throwaway profile and the flags above."""
    executable = chromium()
    if executable is None:
        raise FileNotFoundError("chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="fc-chromium-") as profile:
        command = [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(
            [*command, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )


def screenshot(page: Path, png: Path, width: int, height: int) -> Path:
    """A PNG of ``page`` in a ``width`` × ``height`` window."""
    run_chromium(page, f"--screenshot={png.resolve()}", f"--window-size={width},{height}")
    return png


def dump_dom(page: Path, net_log: Path | None = None) -> str:
    """The DOM after load (and, with ``net_log``, Chromium's network log of the visit)."""
    extra = [f"--log-net-log={net_log.resolve()}"] if net_log else []
    return run_chromium(page, *extra, "--dump-dom").stdout


def page_requests(net_log: Path) -> list[str]:
    """The http(s) URLs the page itself asked for, from a Chromium network log.

    The browser's own traffic (update checks, sign-in probes) has no page as initiator and is not
    counted; whatever the document loads has its (opaque ``file://``) origin as initiator.
    """
    data = json.loads(net_log.read_text("utf-8"))
    start_job = data["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in data["events"]:
        params = event.get("params") or {}
        url = str(params.get("url", ""))
        if event["type"] != start_job or not url.startswith(("http://", "https://")):
            continue
        if params.get("initiator") != "not an origin":
            urls.append(url)
    return urls


def demo_summary(report_dir: Path) -> Path:
    """Run the suite against the emulator with faults on; the summary it wrote."""
    from conformance.cli.main import main

    main(["run", "--emulator", DEMO_PROFILES, "--report-dir", str(report_dir)])
    return report_dir / "summary.json"


def render(summary_path: Path) -> Path:
    """Re-render ``diagnosis.html`` beside the summary."""
    from conformance.report import render_html
    from conformance.summary.load import load_summary

    page = summary_path.parent / "diagnosis.html"
    page.write_text(render_html(load_summary(summary_path)), "utf-8")
    return page


def main(argv: Sequence[str] | None = None) -> int:
    """Render, then photograph."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "summary", nargs="?", type=Path, help="a summary.json (default: a demo run)"
    )
    parser.add_argument("--height", type=int, default=2400, help="window height in pixels")
    args = parser.parse_args(argv)
    summary_path = args.summary or demo_summary(ROOT / "reports" / "demo")
    page = render(summary_path)
    sys.stdout.write(f"report: {page}\n")
    if chromium() is None:
        sys.stdout.write(
            "chromium is not installed: no screenshots (apt-get install -y chromium)\n"
        )
        return 1
    for name, (width, _) in SIZES.items():
        png = screenshot(page, page.with_name(f"diagnosis-{name}.png"), width, args.height)
        sys.stdout.write(f"screenshot: {png}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
