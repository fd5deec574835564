"""What every fault test asserts, and the loopback tools that stage transport faults.

The invariants of a run that met a fault: it ended within its bound (a hang is the bug), no
traceback reached the user, the report was written and its verdict is honest, and what was
measured before the fault (or beside it) is still there.
"""

from __future__ import annotations

import builtins
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from conformance.summary.verdict import VERDICT_EXIT

from ..conftest import CliRun

# What a traceback looks like on a terminal (plain Python, and pytest's INTERNALERROR dump).
TRACEBACK_MARKERS = ("Traceback", 'File "', "INTERNALERROR")

# A check that "could not judge" because of a Python error of the harness itself (not of the
# network, which raises OSError subclasses and httpx's transport errors) hides a bug.
_HTTPX_MISUSE = {"ResponseNotRead", "RequestNotRead", "StreamConsumed", "StreamClosed"}
_INTERNAL = sorted(
    {
        name
        for name, value in vars(builtins).items()
        if isinstance(value, type)
        and issubclass(value, Exception)
        and not issubclass(value, OSError)
    }
    | _HTTPX_MISUSE
)
INTERNAL_ERROR = re.compile(r"could not judge: (?:[\w. ]+: )?(" + "|".join(_INTERNAL) + r")\b")


def no_traceback(text: str) -> None:
    """Fail if ``text`` shows a traceback."""
    for marker in TRACEBACK_MARKERS:
        assert marker not in text, f"{marker!r} reached the user:\n{text[-3000:]}"


@dataclass(frozen=True)
class Expected:
    """What a fault must leave behind."""

    exit_code: int
    verdict: str
    code: str  # the diagnosis that must explain it
    hit: frozenset[str] = frozenset()  # checks that must fail or error
    kept: frozenset[str] = frozenset()  # checks measured before or beside it: still passed
    bound_s: float = 30.0
    detail: str | None = None  # a text a diagnosis or a reason must carry


def assert_sound(result: CliRun, elapsed_s: float, expected: Expected) -> dict[str, Any]:
    """Every invariant of a run that met a fault; returns its summary for further asserts."""
    assert elapsed_s < expected.bound_s, f"the run took {elapsed_s:.1f} s: a hang"
    no_traceback(result.output)
    for name in ("summary.json", "diagnosis.html", "support-ticket.md"):
        assert (result.report_dir / name).is_file(), f"{name} was not written"
    summary = result.summary
    assert (summary["verdict"], result.exit_code) == (expected.verdict, expected.exit_code), (
        result.output[-3000:]
    )
    assert VERDICT_EXIT[summary["verdict"]] == result.exit_code
    assert summary["incomplete"] is False
    assert summary["secret_scan"]["clean"] is True
    codes = {d["code"] for d in summary["diagnoses"]}
    assert expected.code in codes, codes
    # The key lines on the terminal: the verdict, then the diagnosis with its remedy.
    assert f"foundry-conformance: {expected.verdict.upper()}" in result.output
    assert f"] {expected.code}: " in result.output
    page = (result.report_dir / "diagnosis.html").read_text("utf-8")
    assert expected.code in page
    statuses = _statuses(summary)
    failing = {check for check, status in statuses.items() if status in ("failed", "error")}
    assert expected.hit <= failing, statuses
    passed = {check for check, status in statuses.items() if status == "passed"}
    assert expected.kept <= passed, statuses
    for check in summary["checks"]:
        if check["status"] in ("failed", "error", "skipped"):
            assert check["reason"].strip(), f"{check['id']} is {check['status']} without a reason"
        assert not INTERNAL_ERROR.search(check["reason"]), check["reason"]
    if expected.detail is not None:
        texts = [c["reason"] for c in summary["checks"]]
        texts += [line for d in summary["diagnoses"] for line in d["details"]]
        assert any(expected.detail in text for text in texts), expected.detail
    return summary


def _statuses(summary: dict[str, Any]) -> dict[str, str]:
    """Check ID → its worst status over its cases."""
    order = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}
    out: dict[str, str] = {}
    for check in summary["checks"]:
        current = out.get(check["id"])
        if current is None or order[check["status"]] > order[current]:
            out[check["id"]] = check["status"]
    return out


def timed(run: Callable[..., CliRun], *args: str) -> tuple[CliRun, float]:
    """``run(*args)`` and how long it took."""
    start = time.monotonic()
    result = run(*args)
    return result, time.monotonic() - start


# -- loopback tools --------------------------------------------------------------------------


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound but never listening, so that nothing
    else can take it while the test runs (a connect gets an immediate RST)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


class ConnectionRecorder:
    """A listening loopback socket that counts the connections it accepts (and closes them)."""

    def __init__(self, sock: socket.socket) -> None:
        self.accepted = 0
        self.port = int(sock.getsockname()[1])
        self._sock = sock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/anthropic/"

    def _serve(self) -> None:
        while not self._stop.is_set():
            self._accept_one()

    def _accept_one(self) -> None:
        try:
            connection, _ = self._sock.accept()
        except OSError:  # the poll interval passed (TimeoutError is an OSError)
            return
        self.accepted += 1
        connection.close()


@contextmanager
def connection_recorder() -> Iterator[ConnectionRecorder]:
    """A ``ConnectionRecorder`` listening for the duration of the block."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        sock.settimeout(0.05)
        recorder = ConnectionRecorder(sock)
        recorder._thread.start()
        try:
            yield recorder
        finally:
            recorder._stop.set()
            recorder._thread.join(timeout=2)
            recorder._accept_one()  # one that arrived at the last moment still counts


def _is_local(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class FakeResolver:
    """``socket.getaddrinfo`` for a test: ``unresolvable`` fails as a real NXDOMAIN does, loopback
    literals resolve as usual, and every other name fails too, so that no DNS query can ever
    leave the machine; ``asked`` is every name looked up."""

    unresolvable: str
    real: Callable[..., Any]
    asked: list[str] = field(default_factory=list)

    def __call__(self, host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        self.asked.append(name)
        if name != self.unresolvable and _is_local(name):
            return self.real(host, *args, **kwargs)
        raise socket.gaierror(-2, "Name or service not known")
