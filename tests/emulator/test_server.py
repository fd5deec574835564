"""The emulator over real loopback HTTP with httpx: routes, profiles, streams, resets, timing."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from anthropic.types import Message

from conformance.core.constants import EMULATOR_DEV_API_KEY
from conformance.emulator import bodies, parse_profiles
from conformance.emulator.server import AccessLogEntry, EmulatorServer
from tests.platform_facts import ANTHROPIC_VERSION

from .conftest import DEPLOYMENT, HEADERS, message_body, post, serving, sse_events

COUNTED = {"model": DEPLOYMENT, "messages": [{"role": "user", "content": "x"}]}


def test_urls_and_key(server: EmulatorServer) -> None:
    assert server.base_url == f"http://127.0.0.1:{server.port}/anthropic/"
    assert server.root_url == f"http://127.0.0.1:{server.port}"
    assert server.api_key == EMULATOR_DEV_API_KEY
    assert server.port > 0


def test_a_message_over_http(server: EmulatorServer, client: httpx.Client) -> None:
    response = post(client, server)
    assert response.status_code == 200
    assert response.http_version == "HTTP/1.1"
    Message.model_validate(response.json())
    assert response.headers["content-length"] == str(len(response.content))
    assert response.headers["request-id"].startswith("req_011C")
    assert "server" not in response.headers and "date" not in response.headers


@pytest.mark.parametrize(
    ("method", "path", "status", "body"),
    [
        ("POST", "/anthropic/v1/messages/count_tokens", 200, {"input_tokens": 8}),
        ("POST", "/anthropic/v1/messages/count_tokens?beta=true", 200, {"input_tokens": 8}),
        ("POST", "/anthropic/v1/messages?beta=true", 200, None),
        ("GET", "/anthropic/v1/models", 404, bodies.api_not_supported()),
        ("POST", "/anthropic/v1/messages/batches", 404, bodies.api_not_supported()),
        ("GET", "/anthropic/v1/organizations/me", 404, bodies.api_not_supported()),
        ("POST", "/openai/v1/chat/completions", 404, bodies.api_not_supported()),
        ("POST", "/models/chat/completions", 404, bodies.api_not_supported()),
        ("POST", "/v1/messages", 404, bodies.resource_not_found()),
    ],
)
def test_routes_over_http(
    server: EmulatorServer, client: httpx.Client, method: str, path: str, status: int, body: object
) -> None:
    payload = COUNTED if "count_tokens" in path else message_body()
    response = client.request(method, server.root_url + path, json=payload, headers=HEADERS)
    assert response.status_code == status
    if body is not None:
        assert response.json() == body
    assert response.headers["apim-request-id"]


def test_keep_alive_serves_many_requests_on_one_connection(server: EmulatorServer) -> None:
    with httpx.Client(timeout=5.0, limits=httpx.Limits(max_connections=1)) as http:
        statuses = [post(http, server).status_code for _ in range(3)]
        statuses.append(http.get(server.base_url + "v1/models", headers=HEADERS).status_code)
    assert statuses == [200, 200, 200, 404]


def test_a_chunked_request_body_is_read(server: EmulatorServer, client: httpx.Client) -> None:
    def body() -> Iterator[bytes]:
        raw = json.dumps(message_body()).encode()
        yield raw[:10]
        yield raw[10:]

    response = client.post(server.base_url + "v1/messages", content=body(), headers=HEADERS)
    assert response.status_code == 200


def test_head_gets_headers_only(server: EmulatorServer, client: httpx.Client) -> None:
    response = client.head(server.root_url + "/v1/messages")
    assert response.status_code == 404
    assert response.content == b""


def test_a_stream_arrives_event_by_event(client: httpx.Client) -> None:
    with serving("slow-stream=0.06") as live:
        started = time.monotonic()
        with client.stream(
            "POST",
            live.base_url + "v1/messages",
            json=message_body(stream=True, max_tokens=3),
            headers=HEADERS,
        ) as response:
            assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
            assert response.headers["transfer-encoding"] == "chunked"
            lines = response.iter_lines()
            assert next(lines) == "event: message_start"
            first_event_s = time.monotonic() - started
            rest = list(lines)
        total_s = time.monotonic() - started
    assert [line for line in rest if line][-2:] == [
        "event: message_stop",
        'data: {"type":"message_stop"}',
    ]
    # 9 events, 8 gaps of 0.06 s: the first event came long before the stream was done.
    assert first_event_s < (total_s - first_event_s) / 2


def test_slow_delays_the_headers() -> None:
    with serving("slow=0.3") as live, httpx.Client(timeout=5.0) as http:
        started = time.monotonic()
        response = http.get(live.root_url + "/nowhere")
        elapsed = time.monotonic() - started
    assert response.status_code == 404
    assert 0.3 <= elapsed < 2.0


def test_connection_reset_before_headers(client: httpx.Client) -> None:
    with serving("connection-reset") as live:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            post(client, live)
        assert post(client, live, "v1/messages/count_tokens", json=COUNTED).status_code == 200


def test_reset_midstream_breaks_the_body_after_the_first_events(client: httpx.Client) -> None:
    seen: list[str] = []
    url = "v1/messages"
    with (
        serving("reset-midstream") as live,
        pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)),
        client.stream(
            "POST", live.base_url + url, json=message_body(stream=True), headers=HEADERS
        ) as response,
    ):
        assert response.status_code == 200
        seen.extend(response.iter_lines())
    assert "event: message_start" in seen


def test_truncated_stream_ends_cleanly(client: httpx.Client) -> None:
    with serving("truncated-stream") as live:
        response = post(client, live, json=message_body(stream=True))
    names = [name for name, _ in sse_events(response.content)]
    assert response.status_code == 200
    assert "message_stop" not in names


def test_the_server_stops_promptly_with_an_idle_keep_alive_connection() -> None:
    live = EmulatorServer().start()
    with socket.create_connection(("127.0.0.1", live.port)) as sock:
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while not received.endswith(b"}}"):
            received += sock.recv(4096)
        assert received.startswith(b"HTTP/1.1 404")
        started = time.monotonic()
        live.stop()
        assert time.monotonic() - started < 1.0
        assert sock.recv(4096) == b""  # the idle keep-alive connection was closed
    live.stop()  # idempotent


def test_stop_interrupts_a_slow_reply() -> None:
    live = EmulatorServer(parse_profiles("slow=30")).start()
    outcome: list[BaseException | int] = []

    def call() -> None:
        try:
            outcome.append(httpx.get(live.root_url + "/x", timeout=10).status_code)
        except httpx.HTTPError as error:
            outcome.append(error)

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    live.stop()
    thread.join(5)
    assert time.monotonic() - started < 1.5
    assert outcome and isinstance(outcome[0], httpx.HTTPError)


def test_the_access_log_sees_every_request() -> None:
    entries: list[AccessLogEntry] = []
    with EmulatorServer(access_log=entries.append) as live, httpx.Client() as http:
        http.get(live.root_url + "/x?y=1")
        post(http, live)
    assert [(e.method, e.target, e.status) for e in entries] == [
        ("GET", "/x?y=1", 404),
        ("POST", "/anthropic/v1/messages", 200),
    ]


def test_a_busy_port_raises_oserror(server: EmulatorServer) -> None:
    with pytest.raises(OSError):
        EmulatorServer(port=server.port).start()


def test_the_server_is_quiet(
    server: EmulatorServer, client: httpx.Client, capfd: pytest.CaptureFixture[str]
) -> None:
    post(client, server)
    client.get(server.root_url + "/x")
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_a_fresh_server_answers_byte_for_byte_the_same() -> None:
    def run() -> list[tuple[int, list[tuple[str, str]], bytes]]:
        with serving() as live, httpx.Client() as http:
            responses = [
                post(http, live),
                post(http, live),
                post(http, live, json=message_body(stream=True)),
                http.get(live.base_url + "v1/models", headers=HEADERS),
            ]
        return [(r.status_code, r.headers.multi_items(), r.content) for r in responses]

    assert run() == run()


def test_an_http_10_client_gets_the_stream_until_close(server: EmulatorServer) -> None:
    raw = json.dumps(message_body(stream=True)).encode()
    head = (
        f"POST /anthropic/v1/messages HTTP/1.0\r\nHost: x\r\nx-api-key: {server.api_key}\r\n"
        f"anthropic-version: {ANTHROPIC_VERSION}\r\ncontent-length: {len(raw)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(head.encode() + raw)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    headers, _, body = received.partition(b"\r\n\r\n")
    assert b"transfer-encoding" not in headers.lower()
    assert body.endswith(b'event: message_stop\ndata: {"type":"message_stop"}\n\n')


def test_a_malformed_content_length_is_a_400(server: EmulatorServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(
            b"POST /anthropic/v1/messages HTTP/1.1\r\nHost: x\r\ncontent-length: ten\r\n\r\n"
        )
        assert sock.recv(4096).startswith(b"HTTP/1.1 400")


def test_an_api_key_argument_replaces_the_configured_key(client: httpx.Client) -> None:
    with EmulatorServer(api_key="run-own-key-0123456789") as live:
        assert live.api_key == "run-own-key-0123456789"
        assert post(client, live).status_code == 401
        own = {**HEADERS, "x-api-key": "run-own-key-0123456789"}
        assert post(client, live, headers=own).status_code == 200
    assert EmulatorServer(api_key=None).api_key == EMULATOR_DEV_API_KEY
