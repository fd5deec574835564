"""The guarded wire: one deadline for the whole request (connect, headers, interim responses and
body), and bounds on interim responses and headers; for the harness's client and the SDK's."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator

import certifi
import httpcore
import httpx
import pytest

from conformance.core.redaction import Redactor
from conformance.target.log import InteractionLog
from conformance.target.seam import FoundryClient
from conformance.target.wire import (
    MAX_INTERIM_RESPONSES,
    GuardedBackend,
    InterimCounter,
    OverLimit,
    ResponseOverLimit,
    guarded_transport,
    tls_context,
)
from tests.hostile import (
    Behaviour,
    hostile_server,
    huge_header,
    interim_flood,
    interim_then_answer,
    many_headers,
    slow_body,
    slow_headers,
)

TIMEOUT_S = 0.5
# Generous: the deadline is half a second; a hang is one that never ends.
BOUND_S = 10.0


@pytest.fixture
def client() -> Iterator[FoundryClient]:
    log = InteractionLog(Redactor([]))
    with FoundryClient(
        "http://127.0.0.1:9/anthropic/", log, timeout=TIMEOUT_S, anthropic_version="2023-06-01"
    ) as foundry:
        yield foundry


def _post(client: FoundryClient, behaviour: Behaviour) -> tuple[httpx.Response | Exception, float]:
    with hostile_server(behaviour) as server:
        client.base_url = server.base_url
        start = time.monotonic()
        try:
            result: httpx.Response | Exception = client.send(
                client.build("POST", "v1/messages", json={"model": "m"})
            )
        except httpx.HTTPError as exc:
            result = exc
        return result, time.monotonic() - start


def test_the_transport_httpx_builds_is_on_the_guarded_backend() -> None:
    # guarded_transport replaces the backend of the pool httpx builds (a private attribute): an
    # httpx release that moves it must fail here, not leave the deadlines unguarded.
    transport = guarded_transport()
    assert isinstance(transport._pool, httpcore.ConnectionPool)
    assert isinstance(transport._pool._network_backend, GuardedBackend)


def test_transports_share_one_tls_context_per_trust_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Loading a CA bundle costs ≈30 ms: every transport of a process shares the context built
    # once, unless the environment names another bundle (httpx reads SSL_CERT_FILE/DIR).
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    default = tls_context()
    assert guarded_transport()._pool._ssl_context is default
    assert guarded_transport()._pool._ssl_context is default
    assert default.verify_mode is ssl.CERT_REQUIRED and default.check_hostname
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    own = tls_context()
    assert own is not default and own.verify_mode is ssl.CERT_REQUIRED
    assert tls_context() is own


def test_headers_one_byte_at_a_time_end_at_the_deadline(client: FoundryClient) -> None:
    error, elapsed = _post(client, slow_headers)
    assert isinstance(error, httpx.ReadTimeout), error
    assert elapsed < BOUND_S
    assert str(error).startswith("the answer's headers had not arrived after 0.")
    assert str(error).endswith("past the 0.5 s timeout for the whole request")
    [ix] = client.log.snapshot()
    assert (ix.status, ix.error_class) == (None, "ReadTimeout")


def test_an_endless_stream_of_interim_responses_is_refused(client: FoundryClient) -> None:
    error, elapsed = _post(client, interim_flood)
    assert isinstance(error, ResponseOverLimit), error
    assert elapsed < BOUND_S
    assert str(error) == (
        f"the server sent more than {MAX_INTERIM_RESPONSES} interim (1xx) responses before the "
        "answer's headers, more than the harness reads"
    )
    [ix] = client.log.snapshot()
    assert ix.error_class == "ResponseOverLimit"


def test_a_few_interim_responses_before_the_answer_are_fine(client: FoundryClient) -> None:
    response, _ = _post(client, interim_then_answer(MAX_INTERIM_RESPONSES))
    assert isinstance(response, httpx.Response), response
    assert (response.status_code, response.json()) == (200, {"ok": True})


def test_a_body_that_trickles_forever_ends_at_the_deadline(client: FoundryClient) -> None:
    error, elapsed = _post(client, slow_body)
    assert isinstance(error, httpx.ReadTimeout), error
    assert elapsed < BOUND_S
    assert str(error).startswith("the answer was still arriving after 0.")
    [ix] = client.log.snapshot()
    assert (ix.status, ix.error_class, ix.complete) == (200, "ReadTimeout", False)


def test_thousands_of_header_fields_are_refused(client: FoundryClient) -> None:
    error, _ = _post(client, many_headers(2000))
    assert isinstance(error, ResponseOverLimit), error
    assert str(error) == "the answer has 2003 header fields, more than the 256 the harness reads"


def test_a_header_block_over_100_kib_is_refused(client: FoundryClient) -> None:
    error, _ = _post(client, huge_header(200 * 1024))
    assert isinstance(error, ResponseOverLimit), error
    assert "header block is larger than 100 KiB" in str(error)


def test_the_sdks_requests_keep_the_deadline(client: FoundryClient) -> None:
    from anthropic import APIConnectionError

    from conformance.target.sdk import foundry_sdk_client

    with hostile_server(slow_headers) as server:
        client.base_url = server.base_url
        sdk = foundry_sdk_client(client, api_key="k", timeout=TIMEOUT_S)
        start = time.monotonic()
        with pytest.raises(APIConnectionError):
            sdk.messages.create(
                model="m", max_tokens=1, messages=[{"role": "user", "content": "ok"}]
            )
        assert time.monotonic() - start < BOUND_S
    [ix] = client.log.snapshot()
    assert ix.error_class == "ReadTimeout"
    assert "timeout for the whole request" in (ix.error_message or "")


@pytest.mark.parametrize("step", [1, 3, 1000])
def test_the_interim_counter_reads_answers_in_pieces_of_any_size(step: int) -> None:
    wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\nlink: </a>\n\n" * 8
    wire += b"HTTP/1.1 200 OK\r\ncontent-length: 22\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
    counter = InterimCounter()
    for at in range(0, len(wire), step):
        counter.feed(wire[at : at + step])
    assert counter.count == MAX_INTERIM_RESPONSES  # the body's bytes are not counted


def test_the_interim_counter_stops_at_an_upgrade_and_refuses_a_flood() -> None:
    upgrade = InterimCounter()
    upgrade.feed(b"HTTP/1.1 101 Switching Protocols\r\n\r\n" + b"HTTP/1.1 100 x\r\n\r\n" * 99)
    assert upgrade.count == 0
    flood = InterimCounter()
    with pytest.raises(OverLimit):
        flood.feed(b"HTTP/1.1 100 Continue\r\n\r\n" * (MAX_INTERIM_RESPONSES + 1))
