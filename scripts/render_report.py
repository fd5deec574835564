#!/usr/bin/env python3
"""Render the diagnosis report, lay it out in headless Chromium on a phone, a tablet and a desktop.

    .venv/bin/python scripts/render_report.py                 # a fault-profile emulator run
    .venv/bin/python scripts/render_report.py reports/summary.json

With no summary given, it runs the suite against the emulator with a few faults switched on (into
``reports/demo/``) so that the page has diagnoses to show. For each width (390, 768 and 1280 px) it
prints how tall the page is and its widest element, and photographs the first screen beside the
report (``diagnosis-390.png``, ``diagnosis-768.png``, ``diagnosis-1280.png``). The tests use the
same Chromium helpers (``tests/report/test_html_in_browser.py``).

The widths are set over Chromium's DevTools protocol, on a pipe: ``--window-size`` cannot make a
headless window narrower than 500 px, so a phone's width needs the device-metrics override.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO_PROFILES = "api-key-rejected,ratelimit-headers,no-request-id"
# A phone, a tablet (portrait) and a desktop: the widths the report is laid out and tested at.
WIDTHS = (390, 768, 1280)

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


# -- Chromium over its DevTools protocol -----------------------------------------------------------

# Chromium reads commands from fd 3 and writes replies to fd 4 (--remote-debugging-pipe). A small
# Python trampoline puts the pipe's ends there, so no preexec_fn runs in a threaded parent.
_TRAMPOLINE = (
    "import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); os.dup2(r, 3); os.dup2(w, 4); "
    "os.close(r); os.close(w); os.execv(sys.argv[3], sys.argv[3:])"
)


class DevTools:
    """A headless Chromium driven over its DevTools protocol on a pipe: no port, no websocket.

    Every command waits at most ``timeout`` seconds for its reply (a busy CI machine is slow, never
    stuck); a browser that does not answer is killed when the ``with`` block ends.
    """

    def __init__(self, timeout: float = 120.0) -> None:
        executable = chromium()
        if executable is None:
            raise FileNotFoundError("chromium is not installed (apt-get install -y chromium)")
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="fc-chromium-")
        commands, replies = os.pipe(), os.pipe()
        # The child's ends, moved above 3 and 4 so that putting them there cannot clobber either.
        theirs = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (commands[0], replies[1])]
        os.close(commands[0])
        os.close(replies[1])
        flags = [*CHROMIUM_FLAGS, f"--user-data-dir={self._profile.name}"]
        self._process = subprocess.Popen(
            [sys.executable, "-c", _TRAMPOLINE, *map(str, theirs), executable, *flags,
             "--remote-debugging-pipe", "about:blank"],
            pass_fds=theirs,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for fd in theirs:
            os.close(fd)
        self._out, self._in = commands[1], replies[0]
        self._buffer = b""
        self._last_id = 0
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> DevTools:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command (to a page's ``session``, or to the browser) and return its result."""
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._last_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self._events.append(reply)

    def wait_for(self, event: str, session: str) -> dict[str, Any]:
        """The next ``event`` of ``session`` (one that came in while waiting for a reply counts)."""
        deadline = time.monotonic() + self.timeout
        while True:
            for index, message in enumerate(self._events):
                if message.get("method") == event and message.get("sessionId") == session:
                    return self._events.pop(index)
            self._events.append(self._receive(deadline))

    def tab(self, width: int, height: int, *, media: str = "screen") -> Tab:
        """A new page ``width`` × ``height`` CSS pixels wide, for ``media`` (``screen``, ``print``)."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.call("Emulation.setEmulatedMedia", session, media=media)
        return Tab(self, session, width, height)

    def close(self) -> None:
        """Close the browser (kill it if it does not go) and remove its profile."""
        if self._process.poll() is None:
            # The browser may go before it answers; whatever it says, it is waited for below.
            self.timeout = min(self.timeout, 10.0)
            with contextlib.suppress(OSError, RuntimeError, TimeoutError):
                self.call("Browser.close")
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for fd in (self._out, self._in):
            os.close(fd)
        self._profile.cleanup()

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"chromium did not answer within {self.timeout:.0f} s")
            ready, _, _ = select.select([self._in], [], [], left)
            if ready:
                chunk = os.read(self._in, 1 << 16)
                if not chunk:
                    raise RuntimeError(f"chromium exited (status {self._process.poll()})")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return dict(json.loads(message))


class Tab:
    """One page of a :class:`DevTools` browser, at a fixed viewport."""

    def __init__(self, browser: DevTools, session: str, width: int, height: int) -> None:
        self.browser, self.session, self.width, self.height = browser, session, width, height

    def load(self, page: Path) -> None:
        """Open ``page`` and wait for its load event."""
        self.browser.call("Page.navigate", self.session, url=page.resolve().as_uri())
        self.browser.wait_for("Page.loadEventFired", self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript ``expression`` in the page (a promise is awaited)."""
        result = self.browser.call(
            "Runtime.evaluate",
            self.session,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"the page's script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def layout(self) -> dict[str, Any]:
        """What :data:`LAYOUT_PROBE` measures in the page as it is now."""
        return dict(self.evaluate(LAYOUT_PROBE))

    def screenshot(self, png: Path, *, top: float = 0.0, height: int | None = None) -> Path:
        """A PNG of the page, ``height`` pixels (one screen) from ``top``."""
        clip = {"x": 0, "y": top, "width": self.width, "height": height or self.height, "scale": 1}
        data = self.browser.call(
            "Page.captureScreenshot",
            self.session,
            format="png",
            captureBeyondViewport=True,
            clip=clip,
        )["data"]
        png.write_bytes(base64.b64decode(data))
        return png

    def top_of(self, element_id: str) -> float | None:
        """Where the element with ``element_id`` starts on the page, or ``None`` without one."""
        value = self.evaluate(
            f"(e => e ? e.getBoundingClientRect().top + window.scrollY : null)"
            f"(document.getElementById({json.dumps(element_id)}))"
        )
        return None if value is None else float(value)


# Measured in the page, after its fonts are ready: the page's height as it opens; then, with every
# <details> open (what a reader can unfold must fit too), its width, the widest element, what
# reaches past the viewport, what scrolls sideways, every table cell's usable width (a card's field:
# the width its value gets beside or below its name), and every word broken between two letters or
# digits outside a <pre> (a break after a hyphen or a slash is where words may break).
LAYOUT_PROBE = r"""
(async () => {
  await document.fonts.ready;
  const root = document.documentElement;
  const viewport = root.clientWidth;
  const height = root.scrollHeight;
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const where = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      parts.unshift(name(e));
    }
    return parts.join(" > ");
  };
  // Laid out, and not visually hidden (a clipped 1 px box, like the cards' column headers).
  const shown = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const box = e.getBoundingClientRect();
      if (box.width <= 1 && box.height <= 1) { return false; }
    }
    return true;
  };
  const out = { viewport, height, scrollWidth: root.scrollWidth, widest: null, beyond: [],
    scrolling: [], fields: [], breaks: [] };
  let widest = 0;
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("script, style") || !shown(el)) { continue; }
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.right > widest) {
      widest = box.right;
      out.widest = { element: where(el), right: Math.round(box.right) };
    }
    if ((box.right > viewport + 1 || box.left < -1) && !el.parentElement.closest("pre")) {
      out.beyond.push({ element: where(el), left: Math.round(box.left), right: Math.round(box.right) });
    }
    if (style.overflowX !== "visible" && el.scrollWidth > el.clientWidth + 1) {
      out.scrolling.push({ element: where(el), tag: el.tagName.toLowerCase(),
        scrollWidth: el.scrollWidth, clientWidth: el.clientWidth });
    }
  }
  for (const cell of document.querySelectorAll("td, th")) {
    if (!shown(cell)) { continue; }
    const style = getComputedStyle(cell);
    const box = cell.getBoundingClientRect();
    let left = box.left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth);
    let right = box.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
    const value = cell.querySelector(":scope > .v");
    if (value && style.display !== "table-cell") {
      const valueBox = value.getBoundingClientRect();
      left = valueBox.left;
      right = valueBox.right;
    }
    out.fields.push({ element: where(cell), label: cell.dataset.label || cell.textContent.trim(),
      text: cell.textContent.trim().slice(0, 60), width: Math.round(right - left),
      fit: cell.matches(".num, .fit"), overflows: cell.scrollWidth > cell.clientWidth + 1,
      display: style.display, card: !!cell.closest("table.cards") });
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const alnum = /[A-Za-z0-9]/;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, pre") || !shown(parent)) { continue; }
    for (const match of node.data.matchAll(/\S{2,}/g)) {
      const word = match[0];
      range.setStart(node, match.index);
      range.setEnd(node, match.index + word.length);
      if (range.getClientRects().length < 2) { continue; }
      let top = null;
      for (let k = 0; k < word.length; k++) {
        range.setStart(node, match.index + k);
        range.setEnd(node, match.index + k + 1);
        const box = range.getClientRects()[0];
        if (!box) { continue; }
        if (top !== null && box.top > top + 2 && alnum.test(word[k - 1]) && alnum.test(word[k])) {
          out.breaks.push({ element: where(parent), word, at: k });
        }
        top = box.top;
      }
    }
  }
  return out;
})()
"""


def layouts(
    page: Path,
    widths: Iterable[int] = WIDTHS,
    *,
    height: int = 900,
    shots: Path | None = None,
    sections: Sequence[str] = (),
) -> dict[int, dict[str, Any]]:
    """The layout of ``page`` at each width, in one browser (see :data:`LAYOUT_PROBE`).

    With ``shots``, each width is photographed there: the first screen as ``<stem>-<width>.png``,
    and the first screen of each element named in ``sections`` as ``<stem>-<width>-<id>.png``.
    """
    found = {}
    with DevTools() as browser:
        for width in widths:
            tab = browser.tab(width, height)
            tab.load(page)
            if shots is not None:
                tab.screenshot(shots / f"{page.stem}-{width}.png")
            found[width] = tab.layout()
            for section in sections:
                top = tab.top_of(section)
                if shots is not None and top is not None:
                    tab.screenshot(shots / f"{page.stem}-{width}-{section}.png", top=top)
    return found


def screenshot(page: Path, png: Path, width: int, height: int) -> Path:
    """A PNG of the first ``width`` × ``height`` pixels of ``page``."""
    with DevTools() as browser:
        tab = browser.tab(width, height)
        tab.load(page)
        return tab.screenshot(png)


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
    parser.add_argument("--height", type=int, default=2400, help="screenshot height in pixels")
    args = parser.parse_args(argv)
    summary_path = args.summary or demo_summary(ROOT / "reports" / "demo")
    page = render(summary_path)
    sys.stdout.write(f"report: {page}\n")
    if chromium() is None:
        sys.stdout.write(
            "chromium is not installed: no screenshots (apt-get install -y chromium)\n"
        )
        return 1
    for width, found in layouts(page, height=args.height, shots=page.parent).items():
        widest = found["widest"] or {"right": 0, "element": "nothing"}
        sys.stdout.write(
            f"{width:>5} px: the page is {found['height']:,} px tall; widest element "
            f"{widest['right']} px ({widest['element']}); "
            f"screenshot: {page.with_name(f'{page.stem}-{width}.png')}\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
