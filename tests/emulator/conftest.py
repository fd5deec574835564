"""Fixtures and helpers shared by the emulator tests: requests, a fake clock, live servers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from conformance.core.constants import EMULATOR_DEV_API_KEY
from conformance.emulator import parse_profiles
from conformance.emulator.logic import Emulator
from conformance.emulator.server import EmulatorServer
from conformance.emulator.wire import EmulatorRequest, Reply
from tests.platform_facts import ANTHROPIC_VERSION

DEPLOYMENT = "claude-sonnet-5-5"  # a default deployment, whose model takes every current shape
MESSAGES = "/anthropic/v1/messages"
COUNT_TOKENS = "/anthropic/v1/messages/count_tokens"
KEY_HEADERS = {"x-api-key": EMULATOR_DEV_API_KEY}
HEADERS = {**KEY_HEADERS, "anthropic-version": ANTHROPIC_VERSION}


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


def message_body(**overrides: Any) -> dict[str, Any]:
    """A minimal valid Messages body."""
    body: dict[str, Any] = {
        "model": DEPLOYMENT,
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "Hello there"}],
    }
    body.update(overrides)
    return body


def request(
    path: str = MESSAGES,
    body: Mapping[str, Any] | bytes | None = None,
    *,
    method: str = "POST",
    headers: Mapping[str, str] | None = None,
    auth: Mapping[str, str] | None = None,
    version: bool = True,
    query: str = "",
) -> EmulatorRequest:
    """An ``EmulatorRequest`` with the dev key and ``anthropic-version`` unless told otherwise."""
    raw = (
        body
        if isinstance(body, bytes)
        else json.dumps(body if body is not None else message_body()).encode()
    )
    if method == "GET" and body is None:
        raw = b""
    all_headers = dict(KEY_HEADERS if auth is None else auth)
    if version:
        all_headers["anthropic-version"] = ANTHROPIC_VERSION
    all_headers.update(headers or {})
    return EmulatorRequest(method, path, query, {k.lower(): v for k, v in all_headers.items()}, raw)


def sse_events(reply: Reply | bytes) -> list[tuple[str | None, str]]:
    """The (event, data) frames of an SSE body, in order."""
    raw = reply.body if isinstance(reply, Reply) else reply
    frames = []
    for block in raw.decode().split("\n\n"):
        if not block.strip():
            continue
        event = None
        data = []
        for line in block.split("\n"):
            if line.startswith("event: "):
                event = line[len("event: ") :]
            elif line.startswith("data: "):
                data.append(line[len("data: ") :])
        frames.append((event, "\n".join(data)))
    return frames


@pytest.fixture
def clock() -> FakeClock:
    """A fake monotonic clock for rate-limit windows."""
    return FakeClock()


@pytest.fixture
def make_emulator(clock: FakeClock) -> Callable[..., Emulator]:
    """Build a pure emulator from profile names (and config overrides) on the fake clock."""

    def make(profiles: str = "", **overrides: Any) -> Emulator:
        from dataclasses import replace

        config = replace(parse_profiles(profiles), **overrides)
        return Emulator(config, clock)

    return make


@pytest.fixture
def emulator(make_emulator: Callable[..., Emulator]) -> Emulator:
    """A pure emulator with no fault."""
    return make_emulator()


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    """A live emulator with no fault, shared by a test module."""
    with EmulatorServer() as live:
        yield live


@contextmanager
def serving(profiles: str = "", **kwargs: Any) -> Iterator[EmulatorServer]:
    """A live emulator with the given profiles, for one test."""
    with EmulatorServer(parse_profiles(profiles), **kwargs) as live:
        yield live


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    """An httpx client with a short timeout (everything here is local)."""
    with httpx.Client(timeout=5.0) as http:
        yield http


def post(
    client: httpx.Client, server: EmulatorServer, path: str = "v1/messages", **kwargs: object
) -> httpx.Response:
    """POST to the emulator (a valid message with the dev key unless told otherwise)."""
    kwargs.setdefault("json", message_body())
    kwargs.setdefault("headers", HEADERS)
    return client.post(server.base_url + path, **kwargs)  # type: ignore[arg-type]
