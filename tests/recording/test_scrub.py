"""Scrubbing what a cassette keeps: no generated secret survives, evidence does."""

from __future__ import annotations

import base64
import itertools
import json
import string
from urllib.parse import quote

from hypothesis import assume, given
from hypothesis import strategies as st

from conformance.core.jwt_claims import mint_test_token
from conformance.core.redaction import REDACTED, REDACTED_JWT, Redactor, secret_forms
from conformance.recording.scrub import (
    REDACTED_HOST,
    Scrubber,
    decode_chunks,
    request_headers,
    resource_hosts,
    response_headers,
    split_events,
)

CANARY_KEY = "canary-key-DO-NOT-LEAK-0123456789abcdef"
MARKERS = (REDACTED, REDACTED_JWT, REDACTED_HOST)
secrets = st.text(string.ascii_letters + string.digits + "-_.~+/=", min_size=8, max_size=48)
context = st.text(max_size=40)


def _clean(value: str, secret: str) -> bool:
    return not Redactor([secret]).contains_secret(value)


@given(secret=secrets, before=context, after=context)
def test_no_secret_survives_in_any_part_of_an_exchange(
    secret: str, before: str, after: str
) -> None:
    assume(not any(secret in marker for marker in MARKERS))
    scrub = Scrubber(Redactor([secret]))
    encoded = base64.b64encode(secret.encode()).decode()
    text = f"{before}{secret}{after} {encoded}"
    body = scrub.body(text.encode())
    assert isinstance(body, str)
    headers = scrub.headers([("x-echo", text), ("x-api-key", "whatever"), ("set-cookie", text)])
    url = scrub.url(f"https://h.example/p/{secret}?api-key={secret}&q={before}")
    for value in (body, url, *(v for _, v in headers)):
        assert _clean(value, secret)


@given(secret=secrets, text=context, cuts=st.lists(st.integers(0, 200), max_size=6))
def test_a_secret_split_across_stream_chunks_is_still_scrubbed(
    secret: str, text: str, cuts: list[int]
) -> None:
    assume(not any(secret in marker for marker in MARKERS))
    scrub = Scrubber(Redactor([secret]))
    whole = f"event: x\ndata: {text}{secret}\n\nevent: y\ndata: {secret}\n\n"
    bounds = sorted({0, len(whole), *(c % (len(whole) + 1) for c in cuts)})
    chunks = [whole[a:b] for a, b in itertools.pairwise(bounds) if a < b]
    scrubbed = scrub.chunks(chunks)
    assert "".join(scrubbed) == scrub.text(whole)
    assert all(_clean(chunk, secret) for chunk in scrubbed)


def test_chunks_keep_their_boundaries_when_no_secret_straddles_them() -> None:
    scrub = Scrubber(Redactor([CANARY_KEY]))
    chunks = ["event: a\ndata: 1\n\n", f"event: b\ndata: {CANARY_KEY}\n\n", "event: c\n\n"]
    assert scrub.chunks(chunks) == [chunks[0], f"event: b\ndata: {REDACTED}\n\n", chunks[2]]


def test_jwt_shaped_strings_are_scrubbed_whoever_they_belong_to() -> None:
    token = mint_test_token(extra={"canary": "DO-NOT-LEAK"})
    scrub = Scrubber(Redactor())
    assert token not in scrub.text(f'{{"token": "{token}"}}')
    assert scrub.header("authorization", f"Bearer {token}") == f"Bearer {REDACTED}"


def test_request_ids_are_evidence_and_kept() -> None:
    scrub = Scrubber(Redactor([CANARY_KEY]))
    kept = [("request-id", "req_011CabcdEFGH"), ("apim-request-id", "6a1b2c3d-0000-4000-8000-1")]
    assert scrub.headers(kept) == kept


def test_resource_host_is_replaced_when_asked() -> None:
    hosts = resource_hosts("https://my-res.services.ai.azure.com/anthropic/", "my-res")
    scrub = Scrubber(Redactor(), hosts, "my-res")
    url = scrub.url("https://my-res.services.ai.azure.com/anthropic/v1/messages")
    assert url == f"https://{REDACTED_HOST}/anthropic/v1/messages"
    assert "my-res" not in scrub.text(
        "see https://MY-RES.openai.azure.com/ and my-res.cognitiveservices.azure.com"
    )


def test_binary_bodies_are_scrubbed_byte_for_byte() -> None:
    scrub = Scrubber(Redactor([CANARY_KEY]))
    raw = b"\xff\xfe" + CANARY_KEY.encode() + b"\x80"
    body = scrub.body(raw)
    assert isinstance(body, bytes)
    assert CANARY_KEY.encode() not in body
    assert body.startswith(b"\xff\xfe") and body.endswith(b"\x80")


def test_lengths_are_made_true_and_content_encoding_dropped() -> None:
    headers = [("content-encoding", "gzip"), ("content-length", "10"), ("request-id", "r")]
    assert response_headers(headers, 42) == [("content-length", "42"), ("request-id", "r")]
    assert request_headers([("content-length", "3")], 7) == [("content-length", "7")]


def test_a_character_split_across_chunks_moves_whole_into_the_later_chunk() -> None:
    snow = "❄".encode()
    assert decode_chunks([b"a" + snow[:1], snow[1:] + b"b"]) == ["a", "❄b"]
    assert decode_chunks([b"\xff"]) is None


def test_split_events_loses_nothing() -> None:
    text = "event: a\ndata: 1\n\nevent: b\ndata: 2\n\ntail"
    assert split_events(text) == ["event: a\ndata: 1\n\n", "event: b\ndata: 2\n\n", "tail"]
    assert "".join(split_events(text)) == text


def test_every_form_the_scan_knows_is_scrubbed() -> None:
    scrub = Scrubber(Redactor([CANARY_KEY]))
    for form in secret_forms(CANARY_KEY):
        assert form not in scrub.text(f"x{form}y")


# -- a stream is scrubbed whole, its deltas reassembled -----------------------------------------


def _delta_event(text: str) -> str:
    data = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "text_delta", "text": text},
    }
    return f"event: content_block_delta\ndata: {json.dumps(data)}\n\n"


def _reassembled(chunks: list[str]) -> str:
    """The text the chunks' deltas spell (every event must still be JSON)."""
    lines = "".join(chunks).splitlines()
    return "".join(
        json.loads(line[6:])["delta"]["text"] for line in lines if line.startswith("data: ")
    )


def test_a_secret_split_across_two_text_deltas_leaves_the_cassette() -> None:
    scrub = Scrubber(Redactor([CANARY_KEY]))
    chunks = [_delta_event("The key: canary-key-"), _delta_event("DO-NOT-LEAK-0123456789abcdef!")]
    assert scrub.leaks(chunks)  # the scan reassembles the deltas too
    scrubbed = scrub.chunks(chunks)
    assert _reassembled(scrubbed) == f"The key: {REDACTED}!"
    assert len(scrubbed) == 2  # still one event per chunk
    assert not scrub.leaks([*scrubbed, "".join(scrubbed)])
    body = scrub.body("".join(chunks).encode())
    assert isinstance(body, str)
    assert _reassembled([body]) == f"The key: {REDACTED}!"


@given(secret=secrets, cuts=st.lists(st.integers(0, 200), min_size=1, max_size=5), data=st.data())
def test_a_secret_split_across_any_deltas_and_chunks_is_scrubbed(
    secret: str, cuts: list[int], data: st.DataObject
) -> None:
    assume(not any(secret in marker for marker in MARKERS))
    text = data.draw(context) + secret + data.draw(context)
    assume(not any(marker in text for marker in MARKERS))
    bounds = sorted({0, len(text), *(c % (len(text) + 1) for c in cuts)})
    events = "".join(_delta_event(text[a:b]) for a, b in itertools.pairwise(bounds))
    chunk_cuts = sorted({0, len(events), *(data.draw(st.integers(0, len(events))) for _ in cuts)})
    chunks = [events[a:b] for a, b in itertools.pairwise(chunk_cuts) if a < b]
    scrub = Scrubber(Redactor([secret]))
    scrubbed = scrub.chunks(chunks)
    assert not scrub.leaks(["".join(scrubbed)])
    assert secret not in _reassembled(scrubbed)


def test_a_secret_in_a_header_name_leaves_the_cassette() -> None:
    scrub = Scrubber(Redactor([CANARY_KEY]))
    assert scrub.headers([(f"X-{CANARY_KEY.upper()}", "1")]) == [("x-[REDACTED]", "1")]


def test_a_secret_echoed_in_any_form_leaves_a_body_and_the_scan_agrees() -> None:
    scrub = Scrubber(Redactor([CANARY_KEY]))
    body = json.dumps(
        {
            "location": "https://x.example/cb?k=" + quote(CANARY_KEY, safe=""),
            "hex": CANARY_KEY.encode().hex().upper(),
            "blob": base64.b64encode(b"{'key': '" + CANARY_KEY.encode() + b"'}").decode(),
            "cut": CANARY_KEY[:14],
            "upper": CANARY_KEY.upper(),
        }
    )
    assert scrub.leaks([body])
    scrubbed = scrub.body(body.encode())
    assert isinstance(scrubbed, str)
    assert not scrub.leaks([scrubbed])
    kept = json.loads(scrubbed)
    assert kept["location"] == f"https://x.example/cb?k={REDACTED}"
    assert kept["hex"] == kept["cut"] == kept["upper"] == REDACTED
    assert REDACTED in kept["blob"]  # what is left of the blob is its own, not the key's


def test_a_file_name_is_scrubbed_of_secrets_and_the_resource_host() -> None:
    scrub = Scrubber(Redactor([CANARY_KEY]), ["my-res.services.ai.azure.com"])
    name = scrub.file_name(f"MSG[{CANARY_KEY}@my-res.services.ai.azure.com/x]")
    assert name == f"MSG[{REDACTED}@{REDACTED_HOST}_x]"
