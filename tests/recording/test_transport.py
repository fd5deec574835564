"""The cassette transport: what is recorded per case, and how it plays back (mock servers)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from conformance.config import RawOptions, resolve_settings
from conformance.config.auth import REPLAY_PLACEHOLDER_KEY
from conformance.core.errors import CassetteError, CassetteMiss
from conformance.core.interactions import tagged
from conformance.core.redaction import Redactor
from conformance.recording.files import read_cassette
from conformance.recording.record import RecordCassettes
from conformance.recording.replay import ReplayCassettes
from conformance.recording.scrub import Scrubber

CANARY_KEY = "canary-key-DO-NOT-LEAK-0123456789abcdef"
BASE = "https://my-res.services.ai.azure.com/anthropic/"
SSE = [
    b'event: message_start\ndata: {"type":"message_start"}\n\n',
    b"event: ping\ndata: {}\n\n",
    b'event: message_stop\ndata: {"type":"message_stop"}\n\n',
]
Handler = Callable[[httpx.Request], httpx.Response]


def record(directory: Path, handler: Handler, *, redact: bool = False) -> httpx.Client:
    settings = resolve_settings(
        RawOptions(mode="record", base_url=BASE, cassettes=directory, redact_resource=redact),
        {"ANTHROPIC_FOUNDRY_API_KEY": CANARY_KEY},
    )
    hosts = ("my-res.services.ai.azure.com",) if redact else ()
    scrubber = Scrubber(Redactor([CANARY_KEY]), hosts)
    transport = RecordCassettes(
        directory, scrubber, settings, datetime.now(UTC), httpx.MockTransport(handler)
    )
    transport.start()
    return httpx.Client(transport=transport, base_url=BASE)


def replay(directory: Path) -> httpx.Client:
    scrubber = Scrubber(Redactor([REPLAY_PLACEHOLDER_KEY]))
    return httpx.Client(transport=ReplayCassettes(directory, scrubber, None), base_url=BASE)


def post(client: httpx.Client, key: str, body: object | None = None) -> httpx.Response:
    return client.post("v1/messages", json=body or {"max_tokens": 1}, headers={"x-api-key": key})


def test_a_stream_is_recorded_and_replayed_chunk_for_chunk(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=iter(SSE))

    with tagged(check_id="MSG-STREAM", case="t.py::test_stream"):
        with record(tmp_path, handler).stream("POST", "v1/messages", json={}) as live:
            assert list(live.iter_raw()) == SSE
        [(_, entry)] = read_cassette(tmp_path / "MSG-STREAM.yaml")
        assert entry["body"]["chunks"] == [chunk.decode() for chunk in SSE]
        with replay(tmp_path).stream("POST", "v1/messages", json={}) as played:
            assert list(played.iter_raw()) == SSE


def test_compressed_bodies_are_decoded_scrubbed_and_their_length_made_true(tmp_path: Path) -> None:
    echoed = json.dumps({"error": {"message": f"bad key {CANARY_KEY}"}}).encode()

    compressed = gzip.compress(echoed)

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {
            "content-length": str(len(compressed)),
            "content-encoding": "gzip",
            "content-type": "application/json",
            "set-cookie": f"session={CANARY_KEY}",
            "request-id": "req_011CabcdEFGH",
        }
        return httpx.Response(401, headers=headers, content=iter([compressed]))

    with tagged(check_id="AUTH-BAD-KEY", case="t.py::test_bad[x-api-key]"):
        assert post(record(tmp_path, handler), CANARY_KEY).status_code == 401
        text = (tmp_path / "AUTH-BAD-KEY[x-api-key].yaml").read_text()
        assert CANARY_KEY not in text
        [(request, entry)] = read_cassette(tmp_path / "AUTH-BAD-KEY[x-api-key].yaml")
        assert request.headers["x-api-key"] == "[REDACTED]"
        assert "content-encoding" not in entry["headers"]
        assert entry["headers"]["set-cookie"] == ["[REDACTED]"]
        played = post(replay(tmp_path), REPLAY_PLACEHOLDER_KEY)
    assert played.status_code == 401
    assert played.json() == {"error": {"message": "bad key [REDACTED]"}}
    assert played.headers["content-length"] == str(len(played.content))
    assert played.headers["request-id"] == "req_011CabcdEFGH"


def test_the_resource_host_is_scrubbed_when_asked(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"error": {"message": f"no route on {request.url.host}"}})

    with tagged(check_id="EP-BASE-PATH", case="t.py::test_base"):
        post(record(tmp_path, handler, redact=True), CANARY_KEY)
    text = (tmp_path / "EP-BASE-PATH.yaml").read_text() + (tmp_path / "metadata.json").read_text()
    assert "my-res" not in text
    assert "REDACTED-RESOURCE.services.ai.azure.com" in text


def test_each_case_gets_its_own_answer_to_the_same_request(tmp_path: Path) -> None:
    answers = iter([200, 401])
    client = record(tmp_path, lambda request: httpx.Response(next(answers), json={}))
    for case in ("AUTH-API-KEY", "AUTH-BAD-KEY"):
        with tagged(check_id=case, case=f"t.py::{case}"):
            post(client, CANARY_KEY)
    played = replay(tmp_path)
    for case, status in (("AUTH-BAD-KEY", 401), ("AUTH-API-KEY", 200)):
        with tagged(check_id=case, case=f"t.py::{case}"):
            assert post(played, REPLAY_PLACEHOLDER_KEY).status_code == status


def test_transport_errors_are_replayed_as_the_same_httpx_error(tmp_path: Path) -> None:
    def broken_midway() -> Iterator[bytes]:
        yield SSE[0]
        raise httpx.ReadError("connection reset by peer")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("count_tokens"):
            raise httpx.ConnectError("connection refused")
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=broken_midway()
        )

    client = record(tmp_path, handler)
    with tagged(check_id="EP-REACH", case="t.py::test_reach"):
        with pytest.raises(httpx.ConnectError):
            client.post("v1/messages/count_tokens", json={})
        with pytest.raises(httpx.ReadError), client.stream("POST", "v1/messages", json={}) as live:
            list(live.iter_raw())
        played = replay(tmp_path)
        with pytest.raises(httpx.ConnectError, match="connection refused"):
            played.post("v1/messages/count_tokens", json={})
        seen: list[bytes] = []
        with pytest.raises(httpx.ReadError), played.stream("POST", "v1/messages", json={}) as again:
            seen.extend(again.iter_raw())
        assert seen == [SSE[0]]


def test_a_replayed_answer_echoes_the_replayed_client_request_id(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        echo = request.headers["x-ms-client-request-id"]
        return httpx.Response(200, json={}, headers={"x-ms-client-request-id": echo})

    with tagged(check_id="MSG-BASIC", case="t.py::test_basic"):
        record(tmp_path, handler).post(
            "v1/messages", json={}, headers={"x-ms-client-request-id": "a"}
        )
        played = replay(tmp_path).post(
            "v1/messages", json={}, headers={"x-ms-client-request-id": "b"}
        )
    assert played.headers["x-ms-client-request-id"] == "b"


def test_an_unrecorded_request_is_a_miss_that_names_the_case_and_what_differs(
    tmp_path: Path,
) -> None:
    with tagged(check_id="MSG-MAX-TOKENS", case="t.py::test_max"):
        post(
            record(tmp_path, lambda r: httpx.Response(200, json={})), CANARY_KEY, {"max_tokens": 1}
        )
        client = replay(tmp_path)
        with pytest.raises(CassetteMiss) as caught:
            post(client, REPLAY_PLACEHOLDER_KEY, {"max_tokens": 2})
    message = str(caught.value)
    assert message.startswith("MSG-MAX-TOKENS sent POST /anthropic/v1/messages with x-api-key")
    assert "differs in body at $.max_tokens (sent 2, recorded 1)" in message


def test_a_corrupt_cassette_names_the_file_and_the_fix(tmp_path: Path) -> None:
    with tagged(check_id="MSG-BASIC", case="t.py::test_basic"):
        post(record(tmp_path, lambda r: httpx.Response(200, json={})), CANARY_KEY)
        path = tmp_path / "MSG-BASIC.yaml"
        path.write_text(path.read_text()[:-40])
        with pytest.raises(CassetteError) as caught:
            post(replay(tmp_path), REPLAY_PLACEHOLDER_KEY)
    assert f"The cassette {path} cannot be replayed" in str(caught.value)
    assert "re-record the set" in str(caught.value)


def test_a_body_the_client_stopped_reading_is_kept_as_far_as_it_got(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=iter(SSE))

    with (
        tagged(check_id="MSG-STREAM", case="t.py::test_stream"),
        record(tmp_path, handler).stream("POST", "v1/messages", json={}) as live,
    ):
        next(live.iter_raw())
    [(_, entry)] = read_cassette(tmp_path / "MSG-STREAM.yaml")
    assert entry["body"]["chunks"] == [SSE[0].decode()]


def test_a_case_that_was_never_recorded_says_so(tmp_path: Path) -> None:
    with tagged(check_id="MSG-BASIC", case="t.py::test_basic"):
        post(record(tmp_path, lambda r: httpx.Response(200, json={})), CANARY_KEY)
    with (
        tagged(check_id="MSG-USAGE", case="t.py::test_usage"),
        pytest.raises(CassetteMiss) as caught,
    ):
        post(replay(tmp_path), REPLAY_PLACEHOLDER_KEY)
    message = str(caught.value)
    assert f"{tmp_path / 'MSG-USAGE.yaml'} (no such file: this case was not recorded)" in message
    assert "The same request is recorded for another case (MSG-BASIC.yaml #1)" in message
