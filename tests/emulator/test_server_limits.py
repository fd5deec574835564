"""The body-size limit over real loopback HTTP: refused from Content-Length, never read whole."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx

from conformance.core.platform_load import builtin_profile
from conformance.emulator import parse_profiles
from conformance.emulator.server import EmulatorServer

from .conftest import HEADERS, message_body, post

PROFILE = builtin_profile()
SMALL = replace(PROFILE, max_request_bytes=4096)


def small_server() -> EmulatorServer:
    return EmulatorServer(parse_profiles("", profile=SMALL))


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == {
        "type": "request_too_large",
        "message": PROFILE.text("request_too_large"),
    }
    assert body["request_id"] == response.headers["request-id"]
    assert response.headers["connection"] == "close"


def test_a_declared_length_over_the_limit_is_answered_before_the_body_arrives() -> None:
    with small_server() as live, socket.create_connection(("127.0.0.1", live.port), 5) as sock:
        head = (
            "POST /anthropic/v1/messages HTTP/1.1\r\nHost: x\r\n"
            f"x-api-key: {live.api_key}\r\nanthropic-version: {PROFILE.documented_version}\r\n"
            "content-type: application/json\r\n"
            f"content-length: {10 * SMALL.max_request_bytes}\r\n\r\n"
        )
        sock.sendall(head.encode() + b'{"model": "')  # and nothing more: the body never comes
        started = time.monotonic()
        answer = _read_response(sock)
        assert time.monotonic() - started < 1.0
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"request_too_large" in answer


def _read_response(sock: socket.socket) -> bytes:
    """One whole response (headers and a Content-Length body) off ``sock``."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    match = re.search(rb"content-length: (\d+)", head, re.IGNORECASE)
    assert match, head
    length = int(match.group(1))
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def test_an_oversized_body_gets_a_413_the_client_can_read(client: httpx.Client) -> None:
    with small_server() as live:
        padding = "x" * SMALL.max_request_bytes
        assert_too_large(post(client, live, json=message_body(metadata={"pad": padding})))
        # The client's next request (on a new connection) is served as usual.
        assert post(client, live).status_code == 200
        fitting = json.dumps(message_body()).encode()
        assert len(fitting) <= SMALL.max_request_bytes
        assert post(client, live, content=fitting).status_code == 200


def test_a_chunked_body_over_the_limit_is_refused(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b" " * 1024

    with small_server() as live:
        response = client.post(live.base_url + "v1/messages", content=chunks(), headers=HEADERS)
    assert_too_large(response)


def test_the_built_in_limit_is_the_profiles(client: httpx.Client) -> None:
    with EmulatorServer() as live:
        limit = live.config.profile.max_request_bytes
        body = b" " * (limit + 1)
        assert_too_large(client.post(live.base_url + "v1/messages", content=body, headers=HEADERS))
