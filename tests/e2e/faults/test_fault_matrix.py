"""The fault matrix: the real CLI against every transport and server fault it can meet.

Each row stages one fault on loopback — a closed port, a name that does not resolve (no DNS query
leaves the machine), TLS spoken to a plain-HTTP port, an emulator fault profile, or a hostile
server of ``tests.hostile`` (a flood of interim responses, headers one byte at a time, a gzip
bomb, a stream event of 50 MB, thousands of header fields) — and checks
the invariants of ``helpers.assert_sound``: bounded time, no traceback, the report written, an
honest verdict and exit status, the diagnosis that explains the fault, and the checks measured
before or beside it still passed. ``docs/faults.md`` is the table of this matrix for users; a test
below keeps the two in step.

The profiles that are conformance findings rather than faults (``api-key-rejected``,
``no-request-id``, …) live in ``tests/e2e/test_profiles.py``.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.core.platform_load import builtin_profile
from conformance.emulator.server import EmulatorServer
from tests.hostile import (
    Behaviour,
    gzip_bombing,
    hostile_server,
    huge_event,
    interim_flood,
    many_headers,
    slow_headers,
)

from ..conftest import CliRun
from .helpers import Expected, FakeResolver, assert_sound, closed_port, timed

# The emulator's quota window (the platform profile's): the wait a 429 of a fresh pool asks for.
WINDOW_S = builtin_profile().quota.window_s

REPO = Path(__file__).resolve().parents[3]
# A canary that shares no 12-character run with anything else of the run (the redactor treats
# any such run of a secret as a leak of it).
KEY = "canary-key-DO-NOT-LEAK-0123456789abcdef"
# The resource the DNS row asks for: its host is looked up only through FakeResolver.
UNRESOLVABLE_RESOURCE = "no-such-resource-fault-matrix"
UNRESOLVABLE_HOST = f"{UNRESOLVABLE_RESOURCE}.services.ai.azure.com"
# Delays the emulator would hold a request for, far beyond --timeout 0.5 and the row's bound:
# a run that did not honour the timeout would take at least this long.
LONG_DELAY = "60"


def _set(*names: str) -> frozenset[str]:
    return frozenset(names)


@dataclass(frozen=True)
class Fault:
    """One row: how the fault is staged, the extra arguments, and what it must leave behind."""

    name: str
    stage: str  # "refused" | "dns" | "tls" | "emulator" | "hostile"
    args: tuple[str, ...]
    expected: Expected
    behaviour: Behaviour | None = None  # what the hostile server plays to every request


FAULTS: tuple[Fault, ...] = (
    Fault(
        "connection refused",
        "refused",
        (),
        Expected(3, "unreachable", "connection-failed", hit=_set("EP-REACH", "MSG-BASIC")),
    ),
    Fault(
        "DNS failure",
        "dns",
        ("--resource", UNRESOLVABLE_RESOURCE),
        Expected(3, "unreachable", "dns-failure", hit=_set("EP-REACH", "MSG-BASIC")),
    ),
    Fault(
        "TLS failure",
        "tls",
        (),
        Expected(3, "unreachable", "tls-error", hit=_set("EP-REACH", "MSG-BASIC")),
    ),
    Fault(
        "connection reset before the headers",
        "emulator",
        ("--emulator", "connection-reset"),
        Expected(
            1,
            "nonconformant",
            "connection-failed",
            hit=_set("EP-REACH", "MSG-BASIC", "SDK-FOUNDRY"),
            kept=_set("MSG-COUNT-TOKENS", "UNS-MODELS", "RL-HEADERS-ABSENT"),
        ),
    ),
    Fault(
        "connection reset mid-stream",
        "emulator",
        ("--emulator", "reset-midstream"),
        Expected(
            1,
            "nonconformant",
            "connection-failed",
            hit=_set("MSG-STREAM", "SDK-STREAM"),
            kept=_set("MSG-BASIC", "MSG-USAGE", "SDK-FOUNDRY", "AUTH-X-API-KEY"),
        ),
    ),
    Fault(
        "truncated SSE stream",
        "emulator",
        ("--emulator", "truncated-stream"),
        Expected(
            1,
            "nonconformant",
            "stream-protocol-violation",
            hit=_set("MSG-STREAM", "SDK-STREAM"),
            kept=_set("MSG-BASIC", "SDK-FOUNDRY"),
            detail="without `message_stop`",
        ),
    ),
    Fault(
        "HTML / non-JSON error body",
        "emulator",
        ("--emulator", "garbage"),
        Expected(
            1,
            "nonconformant",
            "server-error",
            hit=_set("MSG-BASIC", "MSG-STREAM", "AUTH-X-API-KEY", "SDK-FOUNDRY"),
            kept=_set("EP-REACH", "UNS-MODELS"),
            detail="<title>502 Bad Gateway</title>",
        ),
    ),
    Fault(
        "200 with a wrong shape",
        "emulator",
        ("--emulator", "wrong-shape"),
        Expected(
            1,
            "nonconformant",
            "malformed-response",
            hit=_set("MSG-BASIC", "MSG-USAGE", "MSG-STREAM", "SDK-FOUNDRY", "SDK-STREAM"),
            kept=_set("MSG-COUNT-TOKENS", "AUTH-X-API-KEY"),
            detail="`content` is missing",
        ),
    ),
    Fault(
        "huge body (5 MB)",
        "emulator",
        ("--emulator", "huge-body"),
        Expected(
            1,
            "nonconformant",
            "malformed-response",
            hit=_set("MSG-USAGE"),
            kept=_set("MSG-BASIC", "MSG-STREAM", "SDK-FOUNDRY"),
            detail="more than max_tokens=4",
        ),
    ),
    Fault(
        "slow headers beyond --timeout",
        "emulator",
        # The smoke suite: every request waits out the whole timeout, so fewer keep it short.
        ("--emulator", f"slow={LONG_DELAY}", "--timeout", "0.5", "--suite", "smoke"),
        Expected(3, "unreachable", "timeout", hit=_set("EP-REACH", "MSG-BASIC"), bound_s=25),
    ),
    Fault(
        "slow stream beyond --timeout",
        "emulator",
        ("--emulator", f"slow-stream={LONG_DELAY}", "--timeout", "0.5"),
        Expected(
            1,
            "nonconformant",
            "timeout",
            hit=_set("MSG-STREAM", "SDK-STREAM"),
            kept=_set("MSG-BASIC", "SDK-FOUNDRY", "MSG-COUNT-TOKENS"),
            bound_s=25,
        ),
    ),
    Fault(
        "endless interim 1xx responses",
        "hostile",
        (),
        Expected(
            3,
            "unreachable",
            "malformed-response",
            hit=_set("EP-REACH", "MSG-BASIC", "SDK-FOUNDRY"),
            detail="more than 16 interim (1xx) responses before the answer's headers",
        ),
        behaviour=interim_flood,
    ),
    Fault(
        "headers one byte at a time",
        "hostile",
        ("--timeout", "0.5", "--suite", "smoke"),
        Expected(
            3,
            "unreachable",
            "timeout",
            hit=_set("EP-REACH", "MSG-BASIC"),
            bound_s=25,
            detail="the answer's headers had not arrived after",
        ),
        behaviour=slow_headers,
    ),
    Fault(
        "thousands of header fields",
        "hostile",
        (),
        Expected(
            3,
            "unreachable",
            "malformed-response",
            hit=_set("EP-REACH", "MSG-BASIC"),
            detail="the answer has 2003 header fields, more than the 256 the harness reads",
        ),
        behaviour=many_headers(2000),
    ),
    Fault(
        "gzip bomb",
        "hostile",
        # Each answer is decoded up to the limit, twice (counted, then read): a few checks do.
        tuple(f"--select={c}" for c in ("EP-REACH", "MSG-BASIC", "MSG-STREAM", "SDK-FOUNDRY")),
        Expected(
            1,
            "nonconformant",
            "malformed-response",
            hit=_set("MSG-BASIC", "MSG-STREAM", "SDK-FOUNDRY"),
            detail="the answer's body decodes to more than 32 MiB, more than the harness reads",
        ),
        behaviour=gzip_bombing(256),
    ),
    Fault(
        "a 50 MB stream event",
        "hostile",
        (),
        Expected(
            1,
            "nonconformant",
            "malformed-response",
            hit=_set("MSG-BASIC", "MSG-STREAM", "SDK-STREAM"),
            detail="an event of the stream is larger than 4 MiB",
        ),
        behaviour=huge_event(50),
    ),
    Fault(
        "5xx server error",
        "emulator",
        ("--emulator", "server-error"),
        Expected(
            1,
            "nonconformant",
            "server-error",
            hit=_set("MSG-BASIC", "MSG-COUNT-TOKENS", "MSG-STREAM"),
            kept=_set("UNS-MODELS", "AUTH-MISSING"),
        ),
    ),
    Fault(
        "529 overloaded",
        "emulator",
        ("--emulator", "overloaded"),
        Expected(
            1,
            "nonconformant",
            "overloaded",
            hit=_set("MSG-BASIC", "MSG-STREAM", "DEP-SERVES", "AUTH-X-API-KEY"),
            kept=_set("MSG-COUNT-TOKENS", "UNS-MODELS", "AUTH-MISSING"),
        ),
    ),
    Fault(
        "error event mid-stream",
        "emulator",
        ("--emulator", "overloaded-midstream"),
        Expected(
            1,
            "nonconformant",
            "overloaded",
            hit=_set("MSG-STREAM", "SDK-STREAM"),
            kept=_set("MSG-BASIC", "SDK-FOUNDRY"),
            detail="`error` event after HTTP 200",
        ),
    ),
    Fault(
        "429 without retry-after",
        "emulator",
        ("--emulator", "rate-limited"),
        Expected(
            1,
            "nonconformant",
            "rate-limited",
            hit=_set("MSG-BASIC", "MSG-COUNT-TOKENS", "MSG-STREAM", "SDK-FOUNDRY"),
            kept=_set("UNS-MODELS", "AUTH-MISSING"),
            detail=f"the message asks to wait {WINDOW_S} s; no retry-after header",
        ),
    ),
    Fault(
        "429 with retry-after",
        "emulator",
        ("--emulator", "rate-limited,retry-after"),
        Expected(
            1,
            "nonconformant",
            "rate-limited",
            hit=_set("MSG-BASIC", "MSG-STREAM", "SDK-FOUNDRY"),
            kept=_set("UNS-MODELS", "AUTH-MISSING"),
            detail=f"retry-after asks for {WINDOW_S} s",
        ),
    ),
)


# A hostile server answers every default name and probe alike (the run then tests them all, and
# charges each 200 without usage the tokens it asked for): more than the default ceilings let
# through in a minute. It is nobody's quota.
UNPACED = ("--max-rpm", "100000", "--max-itpm", "100000000", "--max-otpm", "100000000")


@contextmanager
def staged(fault: Fault, env: pytest.MonkeyPatch) -> Iterator[tuple[str, ...]]:
    """The fault set up on loopback; yields the CLI arguments that aim the run at it."""
    if fault.stage == "emulator":
        yield fault.args
        return
    env.setenv("ANTHROPIC_FOUNDRY_API_KEY", KEY)
    if fault.stage == "hostile":
        assert fault.behaviour is not None
        with hostile_server(fault.behaviour) as server:
            yield ("--base-url", server.base_url, *UNPACED, *fault.args)
    elif fault.stage == "refused":
        with closed_port() as port:
            yield ("--base-url", f"http://127.0.0.1:{port}/anthropic/", *fault.args)
    elif fault.stage == "tls":
        # TLS spoken to the plain-HTTP emulator: the handshake reads an HTTP answer and fails.
        with EmulatorServer(api_key=KEY) as server:
            yield ("--base-url", f"https://127.0.0.1:{server.port}/anthropic/")
    elif fault.stage == "dns":
        resolver = FakeResolver(UNRESOLVABLE_HOST, socket.getaddrinfo)
        env.setattr(socket, "getaddrinfo", resolver)
        yield fault.args
        # The lookup went through the fake (so the run was in this process) and asked for
        # nothing else that is not loopback.
        assert UNRESOLVABLE_HOST in resolver.asked
        assert {name for name in resolver.asked if name != UNRESOLVABLE_HOST} <= {
            "127.0.0.1",
            "localhost",
        }, resolver.asked
    else:  # pragma: no cover - a typo in the table
        raise AssertionError(f"unknown stage {fault.stage!r}")


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name.replace(" ", "-") for f in FAULTS])
def test_a_fault_never_crashes_hangs_or_lies(
    fault: Fault, run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch
) -> None:
    with staged(fault, clean_env) as args:
        result, elapsed = timed(run_cli, *args)
    summary = assert_sound(result, elapsed, fault.expected)
    if fault.expected.verdict == "unreachable":
        # Nothing answered: every request of the run is evidence of the same transport fault.
        assert all(ix["status"] is None for c in summary["checks"] for ix in c["evidence"])
        reach = next(c for c in summary["checks"] if c["id"] == "EP-REACH")
        assert "no HTTP answer from " in reach["reason"]
        assert fault.expected.code in reach["reason"]


# -- the README table ---------------------------------------------------------------------------

DOC = REPO / "docs" / "faults.md"


def _doc_rows() -> dict[str, list[str]]:
    rows = {}
    for line in DOC.read_text("utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 4 and not set(cells[0]) <= {"-", " "}:
            rows[cells[0].replace("`", "")] = cells
    return rows


def test_the_faults_table_of_the_docs_matches_the_matrix() -> None:
    rows = _doc_rows()
    for fault in FAULTS:
        assert fault.name in rows, f"docs/faults.md has no row for {fault.name!r}"
        row = " | ".join(rows[fault.name])
        expected = fault.expected
        assert f"`{expected.verdict}`, exit {expected.exit_code}" in row, row
        assert re.search(rf"`{re.escape(expected.code)}`", row), row
